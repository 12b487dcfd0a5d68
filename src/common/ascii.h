// ASCII case folding for protocol text (header values, query words):
// bytes outside A-Z are kept as they are.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace pier {

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace pier
