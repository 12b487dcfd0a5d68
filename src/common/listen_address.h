// Loopback listen addresses ("127.0.0.1:4533", "[::1]:0", "localhost:4533").
//
// Only numeric loopback addresses are accepted (127.0.0.0/8 and ::1), never
// a name resolved through DNS or /etc/hosts: "127.attacker.test" could
// resolve to 0.0.0.0 and expose the listener on every interface.
// "localhost" is taken to mean 127.0.0.1 without resolving it.
//
//   PIER_ASSIGN_OR_RETURN(ListenAddress a, ParseListenAddress("[::1]:4533"));
//   a.host;  // "::1" (what to bind)   a.port;  // 4533 (0: any free port)
#pragma once

#include <string>
#include <string_view>

#include "pier/status.h"

namespace pier {

struct ListenAddress {
  std::string host;  // numeric: "127.0.0.1", "::1"
  int port = 0;      // 0..65535; 0 = any free port
  // "127.0.0.1:4533" or "[::1]:4533", with `port` replaced when given.
  std::string ToString(int bound_port = -1) const;
};

// Whether `host` is a numeric loopback address (127.0.0.0/8 or ::1).
bool IsNumericLoopback(std::string_view host);

Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace pier
