// Allowed-host patterns for `http_request`: globs on the host name where `*`
// matches any run of characters (dots included) and `?` one character,
// compared case-insensitively. "*.example.com" allows "api.example.com" but
// not "example.com".
//
//   HostPatterns allowed({"*.example.com", "localhost"});
//   allowed.Allows("API.example.com");  // true
//
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pier::internal {

class HostPatterns {
 public:
  explicit HostPatterns(std::vector<std::string> patterns);
  bool Allows(std::string_view host) const;
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<std::string> patterns_;  // lower-cased
};

// Glob match of `text` against `pattern` (`*`, `?`), case-insensitive.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace pier::internal
