#include "services/http/host_rules.h"

#include <arpa/inet.h>

namespace pier::services {

bool HostPatternsAllow(const std::vector<std::string>& patterns, std::string_view host) {
  for (const std::string& p : patterns) {
    if (p == "*") return true;
    if (p.size() > 2 && p[0] == '*' && p[1] == '.' && p.find('*', 1) == std::string::npos) {
      const std::string_view suffix = std::string_view(p).substr(1);  // ".example.com"
      if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix) return true;
      continue;
    }
    if (host == p) return true;
  }
  return false;
}

bool IsPrivateOrLoopback(std::string_view address) {
  std::string a(address);
  if (a == "localhost" || (a.size() > 10 && a.substr(a.size() - 10) == ".localhost")) return true;
  if (!a.empty() && a.back() == '.') a.pop_back();
  in_addr v4{};
  if (inet_pton(AF_INET, a.c_str(), &v4) == 1) {
    const uint32_t ip = ntohl(v4.s_addr);
    const auto in = [&](uint32_t net, int bits) { return (ip >> (32 - bits)) == (net >> (32 - bits)); };
    return in(0x7F000000, 8) || in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16) ||
           in(0xA9FE0000, 16) || ip == 0;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, a.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6) || IN6_IS_ADDR_V4COMPAT(&v6)) {
      char mapped[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &v6.s6_addr[12], mapped, sizeof mapped);
      return IsPrivateOrLoopback(mapped) || IN6_IS_ADDR_UNSPECIFIED(&v6);
    }
    return IN6_IS_ADDR_LOOPBACK(&v6) || IN6_IS_ADDR_UNSPECIFIED(&v6) || IN6_IS_ADDR_LINKLOCAL(&v6) ||
           (v6.s6_addr[0] & 0xFE) == 0xFC;
  }
  return false;
}

}  // namespace pier::services
