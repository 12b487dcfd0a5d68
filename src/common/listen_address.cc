#include "common/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace pier {

bool IsNumericLoopback(std::string_view host) {
  const std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::string ListenAddress::ToString(int bound_port) const {
  const int p = bound_port >= 0 ? bound_port : port;
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(p);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const std::string shown(text);
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError("listen address '" + shown + "': " + why);
  };
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("expected [address]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("expected host:port, e.g. 127.0.0.1:4533");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("write an IPv6 address in brackets, e.g. [::1]:4533");
  }
  int p = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p < 0 || p > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  ListenAddress out;
  out.port = p;
  if (host == "localhost") {
    out.host = "127.0.0.1";
  } else if (IsNumericLoopback(host)) {
    out.host = std::string(host);
  } else {
    return bad("only numeric loopback addresses (127.0.0.1, [::1]) or localhost are allowed");
  }
  return out;
}

}  // namespace pier
