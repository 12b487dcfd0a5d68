#include "music/scrobbling.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/thread.h"
#include "music/track_queries.h"
#include "pier/capabilities/callers.h"
#include "pier/json.h"

namespace pier::music {

namespace {

constexpr char kScrobbler[] = "Scrobbler";

bool Has(const LoadedPlugin& p, std::string_view capability) {
  return std::find(p.capabilities.begin(), p.capabilities.end(), capability) != p.capabilities.end();
}

PluginOutcome Classify(const std::string& plugin, const std::string& error) {
  if (error.find("scrobbler(not_authorized)") != std::string::npos) return {plugin, PluginOutcome::kNotAuthorized, error};
  if (error.find("scrobbler(retry_later)") != std::string::npos) return {plugin, PluginOutcome::kRetryLater, error};
  return {plugin, PluginOutcome::kFailed, error};
}

template <typename T>
PluginOutcome Outcome(const std::string& plugin, const Result<capabilities::CapabilityResult<T>>& r) {
  if (!r.ok()) return {plugin, PluginOutcome::kFailed, r.status().message()};
  if (r->kind == capabilities::CallKind::kOk) return {plugin, PluginOutcome::kDelivered, ""};
  return Classify(plugin, r->error);
}

}  // namespace

std::string_view OutcomeName(PluginOutcome::Kind kind) {
  switch (kind) {
    case PluginOutcome::kDelivered: return "delivered";
    case PluginOutcome::kNotAllowed: return "not allowed";
    case PluginOutcome::kNotAuthorized: return "not authorized";
    case PluginOutcome::kRetryLater: return "retry later";
    case PluginOutcome::kFailed: return "failed";
  }
  return "?";
}

Scrobbling::Scrobbling(std::shared_ptr<catalog::Catalog> catalog, std::shared_ptr<PlayStore> plays, Source loaded,
                       ScrobblingOptions options, std::function<bool(std::string_view)> known)
    : catalog_(std::move(catalog)),
      plays_(std::move(plays)),
      loaded_(std::move(loaded)),
      options_(std::move(options)),
      known_(std::move(known)) {}

Scrobbling::~Scrobbling() { Stop(); }

int64_t Scrobbling::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds Scrobbling::Backoff(int32_t attempts) const {
  auto d = options_.retry_backoff;
  for (int32_t i = 0; i < attempts && d < options_.retry_backoff_max; ++i) d *= 2;
  return std::min(d, options_.retry_backoff_max);
}

Result<Scrobbling::Resolved> Scrobbling::Resolve(std::string_view user_name, std::string_view track_id) {
  PIER_ASSIGN_OR_RETURN(auto user, catalog_->UserByName(user_name));
  if (!user) return NotFoundError("no user " + std::string(user_name) + " (add a [[user]] to pier.toml)");
  const catalog::LibraryScope scope{.all = user->libraries.empty(), .ids = user->libraries};
  PIER_ASSIGN_OR_RETURN(auto track, catalog_->GetTrack(track_id, scope));
  if (!track) return NotFoundError("no track " + std::string(track_id) + " in the libraries of " + user->user_name);
  return Resolved{std::move(*user), std::move(*track)};
}

std::optional<PluginOutcome> Scrobbling::Gate(LoadedPlugin& p, const catalog::UserInfo& user) {
  const auto& users = p.settings.users;
  if (!p.settings.all_users && std::find(users.begin(), users.end(), user.id) == users.end()) {
    return PluginOutcome{p.id, PluginOutcome::kNotAllowed, "user " + user.user_name + " is not selected for this plugin"};
  }
  CallOptions call;
  call.timeout = options_.call_timeout;
  auto r = capabilities::CallScrobblerIsAuthorized(*p.plugin, {.username = user.user_name}, call);
  if (!r.ok() || !r->ok() || !r->value) {  // any failure counts as not authorized
    return PluginOutcome{p.id, PluginOutcome::kNotAuthorized,
                         !r.ok() ? r.status().message() : (r->ok() ? "nd_scrobbler_is_authorized answered false" : r->error)};
  }
  return std::nullopt;
}

PluginOutcome Scrobbling::Deliver(LoadedPlugin& p, const wire::ScrobbleRequest& request) {
  CallOptions call;
  call.timeout = options_.call_timeout;
  return Outcome(p.id, capabilities::CallScrobblerScrobble(*p.plugin, request, call));
}

Result<std::vector<PluginOutcome>> Scrobbling::NowPlaying(std::string_view user_name, std::string_view track_id,
                                                          int32_t position) {
  PIER_ASSIGN_OR_RETURN(Resolved r, Resolve(user_name, track_id));
  std::vector<PluginOutcome> out;
  for (const auto& p : loaded_()) {
    if (!Has(*p, kScrobbler)) continue;
    if (auto gate = Gate(*p, r.user)) {
      out.push_back(*gate);
      continue;
    }
    CallOptions call;
    call.timeout = options_.call_timeout;
    out.push_back(Outcome(p->id, capabilities::CallScrobblerNowPlaying(
                                     *p->plugin, {.username = r.user.user_name, .track = TrackInfoFor(r.track, *p),
                                                  .position = position},
                                     call)));
  }
  return out;
}

Result<PlayOutcome> Scrobbling::Play(std::string_view user_name, std::string_view track_id, int32_t position,
                                     int64_t started_at) {
  PIER_ASSIGN_OR_RETURN(auto now_playing, NowPlaying(user_name, track_id, position));
  PIER_ASSIGN_OR_RETURN(Resolved r, Resolve(user_name, track_id));
  PlayOutcome out;
  out.track = r.track;
  out.user_name = r.user.user_name;
  out.now_playing = std::move(now_playing);
  PIER_ASSIGN_OR_RETURN(out.play_id, plays_->RecordPlay({.user_id = r.user.id, .media_file_id = r.track.id,
                                                         .submission_time = started_at}));
  for (const auto& p : loaded_()) {
    if (!Has(*p, kScrobbler)) continue;
    if (auto gate = Gate(*p, r.user)) {
      out.scrobble.push_back(*gate);
      continue;
    }
    const wire::ScrobbleRequest request{.username = r.user.user_name, .track = TrackInfoFor(r.track, *p),
                                        .timestamp = started_at};
    PluginOutcome o = Deliver(*p, request);
    if (o.kind == PluginOutcome::kRetryLater) {
      const int64_t now = NowMs();
      auto buffered = plays_->Buffer({.plugin_id = p->id, .user_name = r.user.user_name,
                                      .request = wire::EncodeScrobbleRequest(request).dump(), .attempts = 0,
                                      .next_at_ms = now + Backoff(0).count(), .created_at = now / 1000},
                                     options_.buffer_max_per_plugin);
      if (!buffered.ok()) {
        o.kind = PluginOutcome::kFailed;
        o.detail += " (not buffered: " + buffered.status().message() + ")";
      } else {
        wake_.NotifyAll();
      }
    }
    out.scrobble.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<PluginOutcome>> Scrobbling::PlaybackReport(const wire::PlaybackReportRequest& report,
                                                              std::string_view track_id) {
  PIER_ASSIGN_OR_RETURN(Resolved r, Resolve(report.username, track_id));
  std::vector<PluginOutcome> out;
  for (const auto& p : loaded_()) {
    if (!Has(*p, kScrobbler) || !p->plugin->HasExport("nd_scrobbler_playback_report")) continue;  // optional export
    if (auto gate = Gate(*p, r.user)) {
      out.push_back(*gate);
      continue;
    }
    wire::PlaybackReportRequest request = report;
    request.username = r.user.user_name;
    request.track = TrackInfoFor(r.track, *p);
    CallOptions call;
    call.timeout = options_.call_timeout;
    out.push_back(Outcome(p->id, capabilities::CallScrobblerPlaybackReport(*p->plugin, request, call)));
  }
  return out;
}

Result<int> Scrobbling::RetryDue() {
  MutexLock pass(retry_mu_);
  PIER_ASSIGN_OR_RETURN(auto due, plays_->Due(NowMs(), 100));
  std::map<std::string, std::shared_ptr<LoadedPlugin>> by_id;
  for (auto& p : loaded_()) by_id[p->id] = p;
  int delivered = 0;
  for (const BufferedScrobble& e : due) {
    auto it = by_id.find(e.plugin_id);
    if (it == by_id.end()) {
      if (known_ && !known_(e.plugin_id)) {
        PIER_RETURN_IF_ERROR(plays_->DropPlugin(e.plugin_id).status());
        spdlog::info("scrobbles buffered for removed plugin {} dropped", e.plugin_id);
      } else {  // not loaded now (disabled, reloading): look again later
        PIER_RETURN_IF_ERROR(plays_->Postpone(e.id, NowMs() + Backoff(e.attempts).count()));
      }
      continue;
    }
    wire::ScrobbleRequest request;
    const nlohmann::json j = ParseJsonOrNull(e.request);
    if (!wire::DecodeScrobbleRequest(j, &request, "").ok()) {
      spdlog::warn("plugin {}: a buffered scrobble does not decode; dropped", e.plugin_id);
      PIER_RETURN_IF_ERROR(plays_->Delivered(e.id));
      continue;
    }
    PluginOutcome o = Deliver(*it->second, request);
    if (o.kind == PluginOutcome::kRetryLater) {
      PIER_RETURN_IF_ERROR(plays_->Postpone(e.id, NowMs() + Backoff(e.attempts + 1).count()));
    } else {
      PIER_RETURN_IF_ERROR(plays_->Delivered(e.id));
      if (o.kind == PluginOutcome::kDelivered) {
        ++delivered;
        spdlog::info("plugin {}: buffered scrobble of {} delivered (attempt {})", e.plugin_id, e.user_name, e.attempts + 2);
      } else {
        spdlog::warn("plugin {}: buffered scrobble dropped: {}", e.plugin_id, o.detail);
      }
    }
  }
  return delivered;
}

void Scrobbling::Start() {
  MutexLock lock(mu_);
  if (loop_.joinable()) return;
  stop_ = false;
  loop_ = StartThread("pier-scrobble", [this] {
    MutexLock lock(mu_);
    while (!stop_) {
      lock.Unlock();
      if (auto r = RetryDue(); !r.ok()) spdlog::error("scrobble retries: {}", r.status().message());
      lock.Lock();
      wake_.WaitFor(mu_, options_.retry_poll, [this]() PIER_REQUIRES(mu_) { return stop_; });
    }
  });
}

void Scrobbling::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
  if (loop_.joinable()) loop_.join();
}

}  // namespace pier::music
