// Lyrics and SonicSimilarity from a C++ kit plugin. Lyrics: an LRC text
// naming the track ("[00:01.00]<title> by <artist>"), and a slow path for
// the concurrency cap (title "slow": 300 ms of work, counting how many calls
// overlap in an Extism var is impossible per instance, so the host side
// measures). Sonic similarity: `count` songs named "<title> echo N", and a
// path of the start song, "Second", then the end song.
#include <chrono>
#include <thread>

#include "pier/capabilities/lyrics.h"
#include "pier/capabilities/sonic_similarity.h"
#include "pier/pdk.h"

namespace {

class Words : public pier::capabilities::Lyrics {
 public:
  pier::Result<pier::wire::GetLyricsResponse> GetLyrics(const pier::wire::GetLyricsRequest& r) override {
    if (r.track.title == "Second") return pier::wire::GetLyricsResponse{};  // none for this one
    if (r.track.title == "slow") {
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
      while (std::chrono::steady_clock::now() < until) {
      }
    }
    pier::wire::GetLyricsResponse out;
    out.lyrics.push_back({.lang = "en", .text = "[00:01.00]" + r.track.title + " by " + r.track.artist});
    return out;
  }
};

class Sound : public pier::capabilities::SonicSimilarity {
 public:
  pier::Result<pier::wire::SonicSimilarityResponse> GetSonicSimilarTracks(
      const pier::wire::GetSonicSimilarTracksRequest& r) override {
    pier::wire::SonicSimilarityResponse out;
    out.matches.push_back({.song = {.name = "Second", .artist = r.song.artist}, .similarity = 0.9});
    for (int i = 1; i < r.count; ++i) {
      out.matches.push_back({.song = {.name = r.song.name + " echo " + std::to_string(i)}, .similarity = 0.5 / i});
    }
    return out;
  }
  pier::Result<pier::wire::SonicSimilarityResponse> FindSonicPath(const pier::wire::FindSonicPathRequest& r) override {
    pier::wire::SonicSimilarityResponse out;
    out.matches.push_back({.song = r.start_song, .similarity = 1});
    out.matches.push_back({.song = {.name = "Second"}, .similarity = 0.7});
    out.matches.push_back({.song = r.end_song, .similarity = 1});
    return out;
  }
};

}  // namespace

PIER_REGISTER_LYRICS(Words);
PIER_REGISTER_SONIC_SIMILARITY(Sound);
