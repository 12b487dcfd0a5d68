// The Wasm entry points: registers ScrobbleCounter's exports.
#include "counter.h"

PIER_REGISTER_SCROBBLER(scrobble_counter::ScrobbleCounter);
