// AgentChain: the MetadataAgent plugins, asked in the configured order. Each
// question goes down the chain until an agent answers; the others are
// skipped with a reason, as the original classifies them:
//   * not found — a null output, or the answer's field empty (album info: null only);
//   * not implemented — the export is missing or returned -2 (the Go kit);
//   * failed — an error, a trap, a timeout, or output that is not the
//     answer's shape; a failed agent is then skipped for `failure_backoff`
//     (upstream's newer rule: only null means not found).
// Answers are cached for `cache_ttl` (bounded by `cache_max_entries`); song
// lists are resolved against the catalog (the Matcher's rules).
//
//   AgentChain chain(loaded_plugins, catalog, {.order = {"wikimedia", "lastfm"}});
//   auto answer = chain.Ask({.method = AgentMethod::kArtistBiography, .name = "Miles Davis"}).value();
//   answer.plugin;      // who answered ("" = nobody)
//   answer.attempts;    // every agent's outcome, in order
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "catalog/catalog.h"
#include "manager/plugin_manager.h"

namespace pier::music {

enum class AgentMethod {
  kArtistMbid, kArtistUrl, kArtistBiography, kSimilarArtists, kArtistImages, kArtistTopSongs,
  kAlbumInfo, kAlbumImages, kSimilarSongsByTrack, kSimilarSongsByAlbum, kSimilarSongsByArtist,
};
// "artist-biography" ↔ kArtistBiography, …; nullopt for an unknown name.
std::optional<AgentMethod> ParseAgentMethod(std::string_view name);
std::string_view AgentMethodName(AgentMethod method);
std::string_view AgentExport(AgentMethod method);  // "nd_get_artist_biography"
const std::vector<AgentMethod>& AllAgentMethods();

struct AgentQuestion {
  AgentMethod method = AgentMethod::kArtistBiography;
  std::string id;      // a catalog ID, when known
  std::string name;    // the artist's, album's or song's name
  std::string artist;  // albums and songs: the artist
  std::string mbid;
  int32_t limit = 0;   // similar artists, top and similar songs (0: 10)
};

struct AgentAttempt {
  std::string plugin;
  std::string result;  // answered, not found, not implemented, failed, backing off, not loaded, not an agent
  std::string detail;
};

struct AgentAnswer {
  std::string plugin;  // who answered; empty when nobody did
  nlohmann::json value;  // the answer (null when nobody answered)
  std::vector<AgentAttempt> attempts;
  bool cached = false;
  // For song lists: each song's catalog track ID, or null.
  nlohmann::json resolved;
};

struct AgentOptions {
  std::vector<std::string> order;  // plugin IDs
  std::chrono::milliseconds call_timeout{30000};
  std::chrono::milliseconds cache_ttl{3600000};  // 0: no cache
  size_t cache_max_entries = 10000;
  std::chrono::milliseconds failure_backoff{60000};
};

class AgentChain {
 public:
  using Source = std::function<std::shared_ptr<LoadedPlugin>(std::string_view id)>;
  AgentChain(Source plugins, std::shared_ptr<catalog::Catalog> catalog, AgentOptions options);

  Result<AgentAnswer> Ask(const AgentQuestion& question);

 private:
  nlohmann::json Input(const AgentQuestion& q) const;
  void Resolve(AgentAnswer& answer);

  const Source plugins_;
  const std::shared_ptr<catalog::Catalog> catalog_;
  const AgentOptions options_;
  Mutex mu_;
  struct CacheEntry {
    AgentAnswer answer;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, CacheEntry> cache_ PIER_GUARDED_BY(mu_);
  std::list<std::string> cache_order_ PIER_GUARDED_BY(mu_);  // oldest first
  std::map<std::string, std::chrono::steady_clock::time_point> backoff_until_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier::music
