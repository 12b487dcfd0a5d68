// The music operations of the admin API (loopback only, like the rest):
//
//   POST /api/music/play         {"user", "track", "position"?, "startedAt"?}
//        now-playing then scrobble through every Scrobbler allowed for the user:
//        {"track": {...}, "user", "playId", "nowPlaying": [outcome], "scrobble": [outcome]}
//        outcome = {"plugin", "result": delivered|not allowed|not authorized|retry later|failed, "detail"?}
//   POST /api/music/nowplaying   {"user", "track", "position"?} → {"nowPlaying": [outcome]}
//   POST /api/music/report       {"user", "track", "state", "positionMs"?, "playbackRate"?, "playerId"?,
//        "playerName"?} → {"report": [outcome]}   (to Scrobblers exporting nd_scrobbler_playback_report)
//   GET  /api/music/scrobbles/{user}?limit=N   the user's newest plays
//   GET  /api/music/buffer       scrobbles waiting to be retried
//   GET  /api/music/lyrics?track=T             {"track", "plugin", "lyrics": [{lang?, text}], "attempts"}
//   GET  /api/music/similar?track=T[&to=T2][&count=N]   sonic similarity (a path with `to`):
//        {"track", "plugin", "matches": [{song, similarity, trackId|null}], "attempts"}
//   POST /api/music/agent/{method}   {"name", "artist"?, "mbid"?, "id"?, "limit"?} down the agent chain:
//        {"plugin", "value", "cached", "resolved"?, "attempts": [{"plugin", "result", "detail"?}]}
//        (method: artist-biography, artist-images, artist-url, artist-mbid, similar-artists,
//        top-songs, album-info, album-images, similar-songs, similar-songs-by-album, similar-songs-by-artist)
//
// `track` is a track ID or, failing that, text matched against titles (the
// first match in the user's libraries). Unknown users and tracks are 404.
//
//   AddMusicRoutes(admin.router(), scrobbling, catalog, plays);   // before admin.Start
#pragma once

#include <memory>

#include "catalog/catalog.h"
#include "http/router.h"
#include "music/play_store.h"
#include "music/scrobbling.h"

namespace pier::music {

class AgentChain;
class TrackQueries;
void AddMusicRoutes(http::Router& router, Scrobbling& scrobbling, AgentChain& agents, TrackQueries& queries,
                    std::shared_ptr<catalog::Catalog> catalog, std::shared_ptr<PlayStore> plays);

// The track `text` names for `user_name`: an ID, else the first title match.
Result<catalog::Track> FindTrack(catalog::Catalog& catalog, std::string_view user_name, std::string_view text);
// The same in every library.
Result<catalog::Track> FindAnyTrack(catalog::Catalog& catalog, std::string_view text);

// The user's newest plays with their tracks, as the API and `pier scrobbles` show them.
Result<nlohmann::json> RecentPlays(catalog::Catalog& catalog, PlayStore& plays, std::string_view user_name, int64_t limit);

}  // namespace pier::music
