// ScrobbleCounter: a Scrobbler plugin that counts each user's plays in the
// KVStore and remembers what they are playing in the Cache. Its logic only
// talks to pier::host functions, so counter_test.cc runs it natively against
// the generated mocks; plugin.cc registers it for the Wasm build.
#pragma once

#include "pier/capabilities/scrobbler.h"

namespace scrobble_counter {

class ScrobbleCounter : public pier::capabilities::Scrobbler {
 public:
  // Every user is authorized unless listed in config "blocked_users" (comma-separated).
  pier::Result<bool> IsAuthorized(const pier::wire::IsAuthorizedRequest& request) override;
  // Remembers "<title> by <artist>" for ten minutes under "now_playing:<user>".
  pier::Status NowPlaying(const pier::wire::NowPlayingRequest& request) override;
  // Adds one to "plays:<user>" (an 8-byte little-endian counter).
  pier::Status Scrobble(const pier::wire::ScrobbleRequest& request) override;
  // The player's latest state, kept an hour: "<state> <positionMs> <player>".
  pier::Status PlaybackReport(const pier::wire::PlaybackReportRequest& request) override;
};

}  // namespace scrobble_counter
