#include "music/track_queries.h"

#include <algorithm>

#include "music/catalog_services.h"
#include "pier/capabilities/callers.h"

namespace pier::music {

namespace {

using nlohmann::json;

bool Has(const LoadedPlugin& p, std::string_view capability) {
  return std::find(p.capabilities.begin(), p.capabilities.end(), capability) != p.capabilities.end();
}

}  // namespace

wire::TrackInfo TrackInfoFor(const catalog::Track& t, const LoadedPlugin& p) {
  wire::TrackInfo info;
  info.id = t.id;
  info.title = t.title;
  info.album = t.album;
  info.artist = t.artist;
  info.album_artist = t.album_artist;
  for (const auto& a : t.artists) info.artists.push_back({.id = catalog::ArtistId(a), .name = a});
  if (!t.album_artist.empty()) info.album_artists.push_back({.id = t.album_artist_id, .name = t.album_artist});
  info.duration = static_cast<float>(t.duration);
  info.track_number = t.track_number;
  info.disc_number = t.disc_number;
  info.mbz_recording_id = t.mbz_recording_id;
  info.mbz_album_id = t.mbz_album_id;
  info.mbz_release_group_id = t.mbz_release_group_id;
  info.mbz_release_track_id = t.mbz_release_track_id;
  const auto& lib = p.manifest.permissions.library;
  const auto& ids = p.settings.libraries;
  const bool sees = p.settings.all_libraries || std::find(ids.begin(), ids.end(), t.library_id) != ids.end();
  if (lib && lib->filesystem && sees) {
    info.library_id = t.library_id;
    info.path = t.path;
  }
  return info;
}

wire::SongRef SongRefFor(const catalog::Track& t) {
  wire::SongRef s;
  s.id = t.id;
  s.name = t.title;
  s.mbid = t.mbz_recording_id;
  s.isrc = t.isrc;
  s.artist = t.artist;
  for (const auto& a : t.artists) s.artists.push_back({.id = catalog::ArtistId(a), .name = a});
  s.album = t.album;
  s.album_mbid = t.mbz_album_id;
  s.duration = static_cast<float>(t.duration);
  s.duration_ms = static_cast<uint32_t>(t.duration * 1000);
  return s;
}

TrackQueries::TrackQueries(Source loaded, std::shared_ptr<catalog::Catalog> catalog, std::chrono::milliseconds timeout)
    : loaded_(std::move(loaded)), catalog_(std::move(catalog)), call_timeout_(timeout) {}

int TrackQueries::PeakLyricsCalls() const {
  MutexLock lock(mu_);
  return peak_;
}

Result<catalog::Track> TrackQueries::Track(std::string_view id) {
  PIER_ASSIGN_OR_RETURN(auto t, catalog_->GetTrack(id, catalog::LibraryScope{}));
  if (!t) return NotFoundError("no track " + std::string(id));
  return *t;
}

Result<TrackQueryAnswer> TrackQueries::Lyrics(std::string_view track_id) {
  PIER_ASSIGN_OR_RETURN(catalog::Track t, Track(track_id));
  auto plugins = loaded_();
  std::sort(plugins.begin(), plugins.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
  TrackQueryAnswer answer;
  for (const auto& p : plugins) {
    if (!Has(*p, "Lyrics")) continue;
    {  // at most kLyricsCallsPerPlugin at once
      MutexLock lock(mu_);
      freed_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return running_[p->id] < kLyricsCallsPerPlugin; });
      peak_ = std::max(peak_, ++running_[p->id]);
    }
    CallOptions call;
    call.timeout = call_timeout_;
    auto r = capabilities::CallLyricsGetLyrics(*p->plugin, {.track = TrackInfoFor(t, *p)}, call);
    {
      MutexLock lock(mu_);
      --running_[p->id];
    }
    freed_.NotifyAll();
    if (!r.ok() || !r->ok()) {
      answer.attempts.emplace_back(p->id, "failed: " + (r.ok() ? r->error : r.status().message()));
      continue;
    }
    if (r->value.lyrics.empty()) {
      answer.attempts.emplace_back(p->id, "no lyrics");
      continue;
    }
    answer.attempts.emplace_back(p->id, "answered");
    answer.plugin = p->id;
    answer.value = json::array();
    for (const auto& l : r->value.lyrics) answer.value.push_back(json::parse(wire::EncodeLyricsText(l).dump()));
    break;
  }
  return answer;
}

template <typename Ask>
Result<TrackQueryAnswer> TrackQueries::AskSonic(Ask ask) {
  auto plugins = loaded_();
  std::sort(plugins.begin(), plugins.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
  TrackQueryAnswer answer;
  for (const auto& p : plugins) {
    if (!Has(*p, "SonicSimilarity")) continue;
    CallOptions call;
    call.timeout = call_timeout_;
    auto r = ask(*p, call);
    if (!r.ok() || !r->ok()) {
      answer.attempts.emplace_back(p->id, "failed: " + (r.ok() ? r->error : r.status().message()));
      continue;
    }
    if (r->value.matches.empty()) {
      answer.attempts.emplace_back(p->id, "no matches");
      continue;
    }
    answer.attempts.emplace_back(p->id, "answered");
    answer.plugin = p->id;
    std::vector<wire::SongRef> songs;
    for (const auto& m : r->value.matches) songs.push_back(m.song);
    const auto ids = ResolveSongs(catalog_, std::move(songs));
    answer.value = json::array();
    for (size_t i = 0; i < r->value.matches.size(); ++i) {
      json m = json::parse(wire::EncodeSonicMatch(r->value.matches[i]).dump());
      m["trackId"] = ids[i] ? json(*ids[i]) : json();
      answer.value.push_back(std::move(m));
    }
    break;
  }
  return answer;
}

Result<TrackQueryAnswer> TrackQueries::Similar(std::string_view track_id, int32_t count) {
  PIER_ASSIGN_OR_RETURN(catalog::Track t, Track(track_id));
  const wire::GetSonicSimilarTracksRequest request{.song = SongRefFor(t), .count = count > 0 ? count : 10};
  return AskSonic([&](LoadedPlugin& p, const CallOptions& call) {
    return capabilities::CallSonicSimilarityGetSonicSimilarTracks(*p.plugin, request, call);
  });
}

Result<TrackQueryAnswer> TrackQueries::Path(std::string_view from, std::string_view to, int32_t count) {
  PIER_ASSIGN_OR_RETURN(catalog::Track a, Track(from));
  PIER_ASSIGN_OR_RETURN(catalog::Track b, Track(to));
  const wire::FindSonicPathRequest request{.start_song = SongRefFor(a), .end_song = SongRefFor(b),
                                           .count = count > 0 ? count : 10};
  return AskSonic([&](LoadedPlugin& p, const CallOptions& call) {
    return capabilities::CallSonicSimilarityFindSonicPath(*p.plugin, request, call);
  });
}

}  // namespace pier::music
