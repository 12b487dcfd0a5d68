// The original host's rules for which hosts a plugin's HTTP and WebSocket
// services may reach (spec §2.2, §6.4, §6.6): patterns from the manifest's
// `requiredHosts`, matched against the host name (port and IPv6 brackets
// removed):
//   "*"              any host
//   "api.example.com"  exactly that name (case-sensitive)
//   "*.example.com"  any name ending in ".example.com", at any depth — not
//                    "example.com" itself
//   anything else    an exact comparison only (so "localhost:*" never matches)
// With no patterns, the HTTP service reaches any host except `localhost` and
// loopback, private (RFC 1918, fc00::/7), link-local and unspecified
// addresses; Pier also refuses names that resolve to such an address.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pier::services {

bool HostPatternsAllow(const std::vector<std::string>& patterns, std::string_view host);

// Whether `address` (a numeric IPv4/IPv6 address, or "localhost") is one a
// plugin without explicit hosts may not reach.
bool IsPrivateOrLoopback(std::string_view address);

}  // namespace pier::services
