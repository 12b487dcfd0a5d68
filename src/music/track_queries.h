// TrackQueries: the Lyrics and SonicSimilarity plugins, asked about catalog
// tracks. Lyrics go to every loaded Lyrics plugin in ID order until one has
// some (each plugin gets at most 2 calls at once, as the original caps
// them); similar tracks and sonic paths come from the first SonicSimilarity
// plugin that answers, each song resolved in the catalog (the Matcher's rules).
//
//   TrackQueries queries(loaded_plugins, catalog);
//   auto lyrics = queries.Lyrics(track_id).value();     // {plugin, lyrics, attempts}
//   auto similar = queries.Similar(track_id, 10).value();
//
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "catalog/catalog.h"
#include "manager/plugin_manager.h"

namespace pier::music {

struct TrackQueryAnswer {
  std::string plugin;     // who answered ("" = nobody)
  nlohmann::json value;   // lyrics: [{lang?, text}]; similar/path: [{song, similarity, trackId|null}]
  std::vector<std::pair<std::string, std::string>> attempts;  // (plugin, outcome)
};

class TrackQueries {
 public:
  using Source = std::function<std::vector<std::shared_ptr<LoadedPlugin>>()>;
  static constexpr int kLyricsCallsPerPlugin = 2;

  TrackQueries(Source loaded, std::shared_ptr<catalog::Catalog> catalog,
               std::chrono::milliseconds call_timeout = std::chrono::seconds(30));

  Result<TrackQueryAnswer> Lyrics(std::string_view track_id);
  Result<TrackQueryAnswer> Similar(std::string_view track_id, int32_t count);
  Result<TrackQueryAnswer> Path(std::string_view from_track_id, std::string_view to_track_id, int32_t count);

  // Most lyrics calls that ran at once for one plugin so far (for tests).
  int PeakLyricsCalls() const;

 private:
  Result<catalog::Track> Track(std::string_view id);
  template <typename Ask>
  Result<TrackQueryAnswer> AskSonic(Ask ask);

  const Source loaded_;
  const std::shared_ptr<catalog::Catalog> catalog_;
  const std::chrono::milliseconds call_timeout_;
  mutable Mutex mu_;
  CondVar freed_;
  std::map<std::string, int> running_ PIER_GUARDED_BY(mu_);  // lyrics calls per plugin
  int peak_ PIER_GUARDED_BY(mu_) = 0;
};

// A catalog track as Scrobbler, Lyrics and SonicSimilarity plugins see it
// (library ID and path only with filesystem access to its library).
wire::TrackInfo TrackInfoFor(const catalog::Track& t, const LoadedPlugin& p);
wire::SongRef SongRefFor(const catalog::Track& t);

}  // namespace pier::music
