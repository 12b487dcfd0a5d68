#include "music/agents.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "music/catalog_services.h"
#include "pier/json.h"

namespace pier::music {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct MethodInfo {
  AgentMethod method;
  std::string_view name, export_name;
  std::string_view field;  // the answer's field that must not be empty ("" = only null is not found)
  bool list;               // the field is a list
};

const std::vector<MethodInfo>& Methods() {
  static const std::vector<MethodInfo> kMethods = {
      {AgentMethod::kArtistMbid, "artist-mbid", "nd_get_artist_mbid", "mbid", false},
      {AgentMethod::kArtistUrl, "artist-url", "nd_get_artist_url", "url", false},
      {AgentMethod::kArtistBiography, "artist-biography", "nd_get_artist_biography", "biography", false},
      {AgentMethod::kSimilarArtists, "similar-artists", "nd_get_similar_artists", "artists", true},
      {AgentMethod::kArtistImages, "artist-images", "nd_get_artist_images", "images", true},
      {AgentMethod::kArtistTopSongs, "top-songs", "nd_get_artist_top_songs", "songs", true},
      {AgentMethod::kAlbumInfo, "album-info", "nd_get_album_info", "", false},
      {AgentMethod::kAlbumImages, "album-images", "nd_get_album_images", "images", true},
      {AgentMethod::kSimilarSongsByTrack, "similar-songs", "nd_get_similar_songs_by_track", "songs", true},
      {AgentMethod::kSimilarSongsByAlbum, "similar-songs-by-album", "nd_get_similar_songs_by_album", "songs", true},
      {AgentMethod::kSimilarSongsByArtist, "similar-songs-by-artist", "nd_get_similar_songs_by_artist", "songs", true},
  };
  return kMethods;
}

const MethodInfo& Info(AgentMethod m) {
  for (const auto& i : Methods()) {
    if (i.method == m) return i;
  }
  return Methods().front();
}

bool HasCapability(const LoadedPlugin& p) {
  return std::find(p.capabilities.begin(), p.capabilities.end(), "MetadataAgent") != p.capabilities.end();
}

}  // namespace

std::optional<AgentMethod> ParseAgentMethod(std::string_view name) {
  for (const auto& i : Methods()) {
    if (i.name == name) return i.method;
  }
  return std::nullopt;
}
std::string_view AgentMethodName(AgentMethod m) { return Info(m).name; }
std::string_view AgentExport(AgentMethod m) { return Info(m).export_name; }
const std::vector<AgentMethod>& AllAgentMethods() {
  static const std::vector<AgentMethod> all = [] {
    std::vector<AgentMethod> v;
    for (const auto& i : Methods()) v.push_back(i.method);
    return v;
  }();
  return all;
}

AgentChain::AgentChain(Source plugins, std::shared_ptr<catalog::Catalog> catalog, AgentOptions options)
    : plugins_(std::move(plugins)), catalog_(std::move(catalog)), options_(std::move(options)) {}

json AgentChain::Input(const AgentQuestion& q) const {
  const int32_t limit = q.limit > 0 ? q.limit : 10;
  json in = json::object();
  auto put_mbid = [&] {
    if (!q.mbid.empty()) in["mbid"] = q.mbid;
  };
  switch (q.method) {
    case AgentMethod::kArtistMbid: in = {{"id", q.id}, {"name", q.name}}; break;
    case AgentMethod::kArtistUrl:
    case AgentMethod::kArtistBiography:
    case AgentMethod::kArtistImages: in = {{"id", q.id}, {"name", q.name}}; put_mbid(); break;
    case AgentMethod::kSimilarArtists: in = {{"id", q.id}, {"name", q.name}, {"limit", limit}}; put_mbid(); break;
    case AgentMethod::kArtistTopSongs:
    case AgentMethod::kSimilarSongsByArtist: in = {{"id", q.id}, {"name", q.name}, {"count", limit}}; put_mbid(); break;
    case AgentMethod::kAlbumInfo:
    case AgentMethod::kAlbumImages: in = {{"name", q.name}, {"artist", q.artist}}; put_mbid(); break;
    case AgentMethod::kSimilarSongsByTrack:
    case AgentMethod::kSimilarSongsByAlbum:
      in = {{"id", q.id}, {"name", q.name}, {"artist", q.artist}, {"count", limit}};
      put_mbid();
      break;
  }
  return in;
}

void AgentChain::Resolve(AgentAnswer& a) {
  if (!a.value.is_object() || !a.value.contains("songs") || !a.value["songs"].is_array() || !catalog_) return;
  std::vector<wire::SongRef> songs;
  for (const auto& s : a.value["songs"]) {
    wire::SongRef ref;
    if (!wire::DecodeSongRef(s, &ref, "song").ok()) ref = {};
    songs.push_back(ref);
  }
  a.resolved = json::array();
  for (const auto& id : ResolveSongs(catalog_, std::move(songs))) a.resolved.push_back(id ? json(*id) : json());
}

Result<AgentAnswer> AgentChain::Ask(const AgentQuestion& q) {
  const MethodInfo& info = Info(q.method);
  const json input = Input(q);
  const std::string key = std::string(info.name) + "\n" + input.dump();
  if (options_.cache_ttl.count() > 0) {
    MutexLock lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end() && it->second.expires > Clock::now()) {
      AgentAnswer hit = it->second.answer;
      hit.cached = true;
      return hit;
    }
  }
  AgentAnswer answer;
  for (const std::string& id : options_.order) {
    AgentAttempt attempt{id, "", ""};
    auto p = plugins_(id);
    if (!p) {
      attempt.result = "not loaded";
    } else if (!HasCapability(*p)) {
      attempt.result = "not an agent";
    } else if (!p->plugin->HasExport(info.export_name)) {
      attempt.result = "not implemented";
      attempt.detail = "function not found: " + std::string(info.export_name);
    } else {
      {
        MutexLock lock(mu_);
        if (auto b = backoff_until_.find(id); b != backoff_until_.end() && b->second > Clock::now()) {
          attempt.result = "backing off";
          attempt.detail = "it failed recently";
        }
      }
      if (attempt.result.empty()) {
        CallOptions call;
        call.timeout = options_.call_timeout;
        auto r = p->plugin->Call(info.export_name, input.dump(), call);
        bool failed = false;
        if (!r.ok()) {
          attempt.result = "failed";
          attempt.detail = r.status().message();
          failed = true;
        } else if (r->is_plugin_error() && r->plugin_error().code == -2) {
          attempt.result = "not implemented";
          attempt.detail = "function not implemented: " + std::string(info.export_name);
        } else if (!r->is_output()) {
          attempt.result = "failed";
          attempt.detail = r->Describe();
          failed = true;
        } else {
          const std::string& out = r->output();
          const json v = ParseJsonOrNull(out.empty() ? "null" : out);
          const bool parsed = !out.empty() && (v.is_object() || out == "null" || v.is_null());
          if (out.empty() || v.is_null()) {
            attempt.result = "not found";
            attempt.detail = out.empty() ? "no output" : "null";
          } else if (!parsed || !v.is_object()) {
            attempt.result = "failed";
            attempt.detail = "the answer is not a JSON object";
            failed = true;
          } else if (!info.field.empty() &&
                     (!v.contains(info.field) || (info.list ? !v[info.field].is_array() : !v[info.field].is_string()))) {
            if (v.contains(info.field) && !v[info.field].is_null()) {
              attempt.result = "failed";
              attempt.detail = "\"" + std::string(info.field) + "\" is not a " + (info.list ? "list" : "string");
              failed = true;
            } else {
              attempt.result = "not found";
              attempt.detail = "no " + std::string(info.field);
            }
          } else if (!info.field.empty() && v[info.field].empty()) {
            attempt.result = "not found";
            attempt.detail = "empty " + std::string(info.field);
          } else {
            attempt.result = "answered";
            answer.plugin = id;
            answer.value = v;
          }
        }
        if (failed) {
          spdlog::warn("agent {}: {} failed: {}", id, info.export_name, attempt.detail);
          MutexLock lock(mu_);
          backoff_until_[id] = Clock::now() + options_.failure_backoff;
        }
      }
    }
    answer.attempts.push_back(std::move(attempt));
    if (!answer.plugin.empty()) break;
  }
  Resolve(answer);
  if (!answer.plugin.empty() && options_.cache_ttl.count() > 0) {
    MutexLock lock(mu_);
    if (cache_.find(key) == cache_.end()) cache_order_.push_back(key);
    cache_[key] = {answer, Clock::now() + options_.cache_ttl};
    while (cache_.size() > std::max<size_t>(options_.cache_max_entries, 1)) {
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
  }
  return answer;
}

}  // namespace pier::music
