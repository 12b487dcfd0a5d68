// This machine's host name ("localhost" when it has none), for names of
// nodes in task leases.
#pragma once

#include <unistd.h>

#include <string>

namespace pier {

inline std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace pier
