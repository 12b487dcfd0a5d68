// Go's %q, for messages that must read exactly like the original host's
// (`queue "a\"b" does not exist`): double quotes, backslash escapes for
// quotes, backslashes and control characters, \xNN for bytes that are not
// UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace pier {

std::string GoQuote(std::string_view s);

}  // namespace pier
