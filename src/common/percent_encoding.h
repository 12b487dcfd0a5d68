// Percent-decoding of URL components (paths, query keys and values).
//
//   std::string out;
//   bool clean = PercentDecode("a%20b+c", /*plus_is_space=*/true, &out);  // "a b c", true
//
// A malformed escape ("%zz", a '%' near the end) is kept as written and makes
// the result false: lenient callers ignore it, strict ones refuse the input.
#pragma once

#include <string>
#include <string_view>

namespace pier {

// 0-15 for a hexadecimal digit, -1 otherwise.
int HexDigit(char c);
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

}  // namespace pier
