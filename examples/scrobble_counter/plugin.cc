// The Wasm entry points: registers ScrobbleCounter's exports.
#include "counter.h"

PIER_REGISTER_SCROBBLER(scrobble_counter::ScrobbleCounter);

// `plays`: input a user name, output how many scrobbles were counted for them.
#include "pier/host/cache.h"
#include "pier/host/kvstore.h"

PIER_FUNCTION(plays) {
  PIER_ASSIGN_OR_RETURN(auto got, pier::host::KVStoreGet("plays:" + std::string(input)));
  uint64_t n = 0;
  for (size_t i = 0; i < got.value.size() && i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(got.value[i])) << (8 * i);
  return std::to_string(n);
}

// `player`: input a user name, output the player's latest reported state ("" when none).
PIER_FUNCTION(player) {
  PIER_ASSIGN_OR_RETURN(auto got, pier::host::CacheGetString("player:" + std::string(input)));
  return got.exists ? got.value : std::string();
}
