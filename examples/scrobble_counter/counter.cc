#include "counter.h"

#include <cstring>

#include "pier/host/cache.h"
#include "pier/host/config.h"
#include "pier/host/kvstore.h"

namespace scrobble_counter {

using pier::Result;
using pier::Status;

Result<bool> ScrobbleCounter::IsAuthorized(const pier::wire::IsAuthorizedRequest& request) {
  PIER_ASSIGN_OR_RETURN(auto blocked, pier::host::ConfigGet("blocked_users"));
  const std::string list = "," + blocked.value + ",";
  return list.find("," + request.username + ",") == std::string::npos;
}

Status ScrobbleCounter::NowPlaying(const pier::wire::NowPlayingRequest& request) {
  return pier::host::CacheSetString("now_playing:" + request.username,
                                    request.track.title + " by " + request.track.artist, 600);
}

Status ScrobbleCounter::Scrobble(const pier::wire::ScrobbleRequest& request) {
  // A service that is down: the host keeps the scrobble and tries again later.
  if (auto offline = pier::host::ConfigGet("offline"); offline.ok() && offline->value == "true") {
    return pier::UnavailableError("scrobbler(retry_later): the service is offline");
  }
  const std::string key = "plays:" + request.username;
  PIER_ASSIGN_OR_RETURN(auto current, pier::host::KVStoreGet(key));
  uint64_t plays = 0;
  if (current.exists && current.value.size() == sizeof plays) std::memcpy(&plays, current.value.data(), sizeof plays);
  ++plays;
  std::string encoded(sizeof plays, '\0');
  std::memcpy(encoded.data(), &plays, sizeof plays);
  Status st = pier::host::KVStoreSet(key, encoded);
  // Navidrome keeps a scrobble for later when the error says so.
  if (!st.ok()) return pier::UnavailableError("scrobbler(retry_later): " + st.message());
  return pier::OkStatus();
}

Status ScrobbleCounter::PlaybackReport(const pier::wire::PlaybackReportRequest& request) {
  return pier::host::CacheSetString("player:" + request.username,
                                    request.state + " " + std::to_string(request.position_ms) + " " + request.player_name,
                                    3600);
}

}  // namespace scrobble_counter
