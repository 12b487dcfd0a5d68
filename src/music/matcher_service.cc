// Matcher over the catalog: each song reference resolved by catalog ID, then
// MusicBrainz recording ID, then ISRC, then normalised title with artist,
// album and duration to choose among namesakes.
#include <cmath>

#include "music/catalog_services.h"

namespace pier::music {

namespace {

// Seconds a tagged duration may differ from the reference's and still count.
constexpr double kDurationSlack = 3.0;

double Seconds(const wire::SongRef& s) { return s.duration_ms != 0 ? s.duration_ms / 1000.0 : s.duration; }

std::vector<std::string> ArtistKeys(const wire::SongRef& s) {
  std::vector<std::string> keys;
  for (const auto& a : s.artists) {
    if (!a.name.empty()) keys.push_back(catalog::NormaliseTitle(a.name));
  }
  if (keys.empty() && !s.artist.empty()) keys.push_back(catalog::NormaliseTitle(s.artist));
  return keys;
}

// -1: not this song; otherwise higher is better.
int Score(const catalog::Track& t, const wire::SongRef& s, const std::vector<std::string>& artists) {
  int score = 0;
  if (!artists.empty()) {
    bool any = false;
    std::vector<std::string> have = {catalog::NormaliseTitle(t.artist), catalog::NormaliseTitle(t.album_artist)};
    for (const auto& a : t.artists) have.push_back(catalog::NormaliseTitle(a));
    for (const auto& want : artists) {
      for (const auto& h : have) any = any || h == want;
    }
    if (!any) return -1;
    score += 4;
  }
  if (!s.album.empty() && catalog::NormaliseTitle(s.album) == catalog::NormaliseTitle(t.album)) score += 2;
  if (!s.album_mbid.empty() && s.album_mbid == t.mbz_album_id) score += 2;
  if (const double d = Seconds(s); d > 0) {
    if (std::fabs(d - t.duration) <= kDurationSlack) score += 1;
    else if (std::fabs(d - t.duration) > 30) return -1;  // a different recording (live, edit…)
  }
  return score;
}

class CatalogMatcherService final : public services::MatcherService {
 public:
  CatalogMatcherService(std::shared_ptr<catalog::Catalog> c, MusicScope s)
      : catalog_(std::move(c)), scope_(std::move(s)), libraries_(ScopeOf(scope_)) {}

  Result<wire::MatcherMatchSongsResponse> MatchSongs(HostCallContext&, const wire::MatcherMatchSongsRequest& r) override {
    if (r.songs.size() > kMaxSongs) {
      return InvalidArgumentError("too many songs: " + std::to_string(r.songs.size()) + " (at most " +
                                  std::to_string(kMaxSongs) + " per call)");
    }
    if (!r.opts.username.empty()) {
      PIER_ASSIGN_OR_RETURN(auto user, catalog_->UserByName(r.opts.username));
      if (!user) return NotFoundError("username " + r.opts.username + " not found");
    }
    PIER_ASSIGN_OR_RETURN(auto libraries, catalog_->Libraries());
    std::map<int32_t, std::string> names;
    for (const auto& l : libraries) names[l.id] = l.name;
    wire::MatcherMatchSongsResponse out;
    for (const wire::SongRef& song : r.songs) {
      PIER_ASSIGN_OR_RETURN(auto track, Match(song));
      if (track) {
        out.results.push_back(ToWireTrack(*track, names[track->library_id], scope_.library_filesystem));
      } else {
        out.results.push_back(std::nullopt);
      }
    }
    return out;
  }

 private:
  static constexpr size_t kMaxSongs = 1000;

  Result<std::optional<catalog::Track>> Match(const wire::SongRef& s) {
    if (!s.id.empty()) {
      PIER_ASSIGN_OR_RETURN(auto t, catalog_->GetTrack(s.id, libraries_));
      if (t) return t;
    }
    if (!s.mbid.empty()) {
      PIER_ASSIGN_OR_RETURN(auto ts, catalog_->TracksByMbid(s.mbid, libraries_));
      if (!ts.empty()) return std::optional<catalog::Track>(Best(ts, s, /*strict=*/false));
    }
    if (!s.isrc.empty()) {
      PIER_ASSIGN_OR_RETURN(auto ts, catalog_->TracksByIsrc(s.isrc, libraries_));
      if (!ts.empty()) return std::optional<catalog::Track>(Best(ts, s, /*strict=*/false));
    }
    const std::string key = catalog::NormaliseTitle(s.name);
    if (key.empty()) return std::optional<catalog::Track>();
    PIER_ASSIGN_OR_RETURN(auto ts, catalog_->TracksByTitleKey(key, libraries_));
    if (ts.empty()) return std::optional<catalog::Track>();
    catalog::Track best = Best(ts, s, /*strict=*/true);
    if (best.id.empty()) return std::optional<catalog::Track>();
    return std::optional<catalog::Track>(std::move(best));
  }

  // The best-scoring candidate; strict: candidates the artist or duration rule
  // out are not taken (an empty Track when none is left).
  static catalog::Track Best(const std::vector<catalog::Track>& ts, const wire::SongRef& s, bool strict) {
    const auto artists = ArtistKeys(s);
    const catalog::Track* best = nullptr;
    int best_score = -1;
    for (const auto& t : ts) {
      const int score = Score(t, s, artists);
      if (score > best_score) {
        best_score = score;
        best = &t;
      }
    }
    if (best) return *best;
    return strict ? catalog::Track() : ts.front();
  }

  const std::shared_ptr<catalog::Catalog> catalog_;
  const MusicScope scope_;
  const catalog::LibraryScope libraries_;
};

}  // namespace

wire::Track ToWireTrack(const catalog::Track& t, const std::string& library_name, bool with_path) {
  wire::Track w;
  w.id = t.id;
  w.library_id = t.library_id;
  w.library_name = library_name;
  if (with_path) w.path = t.path;
  w.title = t.title;
  w.album = t.album;
  w.artist = t.artist;
  w.album_artist = t.album_artist;
  w.album_id = t.album_id;
  w.sort_title = t.sort_title;
  w.sort_album_name = t.sort_album;
  w.sort_artist_name = t.sort_artist;
  w.track_number = t.track_number;
  w.disc_number = t.disc_number;
  w.year = t.year;
  w.date = t.date;
  w.original_year = t.original_year;
  w.original_date = t.original_date;
  w.release_year = t.year;
  w.release_date = t.date;
  w.size = t.size;
  w.suffix = t.suffix;
  w.duration = t.duration;
  w.bit_rate = t.bit_rate;
  w.sample_rate = t.sample_rate;
  w.bit_depth = t.bit_depth;
  w.channels = t.channels;
  w.genres = t.genres;
  w.comment = t.comment;
  w.bpm = t.bpm;
  w.catalog_num = t.catalog_num;
  w.compilation = t.compilation;
  w.has_cover_art = t.has_cover_art;
  w.mbz_recording_id = t.mbz_recording_id;
  w.mbz_release_track_id = t.mbz_release_track_id;
  w.mbz_album_id = t.mbz_album_id;
  w.mbz_release_group_id = t.mbz_release_group_id;
  w.mbz_album_type = t.mbz_album_type;
  w.birth_time = t.created_at;
  w.created_at = t.created_at;
  w.updated_at = t.updated_at;
  for (const auto& a : t.artists) {
    w.participants.push_back({.id = catalog::ArtistId(a), .name = a, .role = "artist"});
  }
  if (!t.album_artist.empty()) {
    w.participants.push_back({.id = t.album_artist_id, .name = t.album_artist, .role = "albumartist"});
  }
  return w;
}

std::vector<std::optional<std::string>> ResolveSongs(std::shared_ptr<catalog::Catalog> catalog,
                                                     std::vector<wire::SongRef> songs) {
  class HostContext final : public HostCallContext {  // the host asking: no plugin, no deadline
   public:
    std::string_view plugin_name() const override { return "host"; }
    std::chrono::steady_clock::time_point deadline() const override { return std::chrono::steady_clock::time_point::max(); }
    bool interrupted() const override { return false; }
  } ctx;
  const size_t n = songs.size();
  CatalogMatcherService matcher(std::move(catalog), MusicScope{.all_libraries = true});
  auto matched = matcher.MatchSongs(ctx, {.songs = std::move(songs), .opts = {}});
  std::vector<std::optional<std::string>> out(n);
  if (!matched.ok()) return out;
  for (size_t i = 0; i < n && i < matched->results.size(); ++i) {
    if (matched->results[i]) out[i] = matched->results[i]->id;
  }
  return out;
}

std::unique_ptr<services::MatcherService> MakeMatcherService(std::shared_ptr<catalog::Catalog> c, MusicScope s) {
  return std::make_unique<CatalogMatcherService>(std::move(c), std::move(s));
}

}  // namespace pier::music
