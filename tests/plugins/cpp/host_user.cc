// Calls embedder host functions (extism:host/user), for host-function and
// re-entrancy tests.
#include "pier/pdk.h"

namespace pdk = pier::pdk;

extern "C" __attribute__((import_module("extism:host/user"), import_name("host_echo"))) uint64_t host_echo(uint64_t);
extern "C" __attribute__((import_module("extism:host/user"), import_name("reenter"))) uint64_t reenter(uint64_t);

// Sends the input to host_echo and outputs its answer.
PIER_FUNCTION(call_host) {
  const uint64_t req = pdk::memory::Store(input);
  std::string out = pdk::memory::Load(host_echo(req));
  pdk::memory::Free(req);
  return out;
}

// Asks the host to call back into this same plugin while this call runs.
PIER_FUNCTION(call_reenter) {
  const uint64_t req = pdk::memory::Store(input);
  std::string out = pdk::memory::Load(reenter(req));
  pdk::memory::Free(req);
  return "outer(" + out + ")";
}

PIER_FUNCTION(inner) { return "inner:" + std::string(input); }
