// URL text for hosts and plugins alike (the C++ plugin kit compiles it too).
//
//   "/api/plugins/" + pier::PercentEncode("my plugin")    // "my%20plugin"
//   "search3?query=" + pier::PercentEncode("Café & co")   // "Caf%C3%A9%20%26%20co"
//   std::string out; bool clean = pier::PercentDecode("a%20b+c", true, &out);   // "a b c", true
#pragma once

#include <string>
#include <string_view>

namespace pier {

// Every byte but the unreserved characters (A-Z a-z 0-9 - _ . ~) as %XX:
// safe in a path segment and in a query value.
std::string PercentEncode(std::string_view text);

// Percent-decoding of a URL component; `plus_is_space` for query keys and
// values. A malformed escape ("%zz", a '%' near the end) is kept as written
// and makes the result false: lenient callers ignore it, strict ones refuse.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);
// 0-15 for a hexadecimal digit, -1 otherwise.
int HexDigit(char c);

}  // namespace pier
