// A plugin built with an installed Pier kit: "shout" upper-cases its input.
#include <cctype>
#include <string>

#include "pier/pdk.h"

PIER_FUNCTION(shout) {
  std::string out(input);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
