#include "common/byte_size.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace pier {

Result<int64_t> ParseByteSize(std::string_view text) {
  static const std::map<std::string, double> kUnits = {
      {"", 1},         {"b", 1},
      {"k", 1e3},      {"kb", 1e3},    {"ki", 1024.0},        {"kib", 1024.0},
      {"m", 1e6},      {"mb", 1e6},    {"mi", 1048576.0},     {"mib", 1048576.0},
      {"g", 1e9},      {"gb", 1e9},    {"gi", 1073741824.0},  {"gib", 1073741824.0},
      {"t", 1e12},     {"tb", 1e12},   {"ti", 1099511627776.0}, {"tib", 1099511627776.0},
      {"p", 1e15},     {"pb", 1e15},   {"pi", 1125899906842624.0}, {"pib", 1125899906842624.0},
      {"e", 1e18},     {"eb", 1e18},   {"ei", 1152921504606846976.0}, {"eib", 1152921504606846976.0},
  };
  const std::string shown(text);
  size_t digits = 0;
  std::string number;
  for (char c : text) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ',')) break;
    if (c != ',') number += c;
    ++digits;
  }
  char* end = nullptr;
  const double value = number.empty() ? 0 : std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size()) {
    return InvalidArgumentError("invalid size \"" + shown + "\": expected a number such as 1MB or 500KiB");
  }
  std::string unit;
  for (char c : text.substr(digits)) {
    if (!std::isspace(static_cast<unsigned char>(c))) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) return InvalidArgumentError("invalid size \"" + shown + "\": unknown unit \"" + unit + "\"");
  const double bytes = value * it->second;
  if (!(bytes < 9.2e18)) return InvalidArgumentError("invalid size \"" + shown + "\": too large");
  return static_cast<int64_t>(bytes);
}

std::string FormatByteSize(int64_t bytes) {
  if (bytes < 10) return std::to_string(bytes) + " B";
  static const char* kNames[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  const double s = static_cast<double>(bytes);
  const int e = static_cast<int>(std::floor(std::log(s) / std::log(1000.0)));
  const double value = std::floor(s / std::pow(1000.0, e) * 10 + 0.5) / 10;
  char buf[64];
  std::snprintf(buf, sizeof buf, value < 10 ? "%.1f %s" : "%.0f %s", value, kNames[e]);
  return buf;
}

}  // namespace pier
