// Scrobbling: plays reach the Scrobbler plugins. Now-playing, scrobble and
// playback-report events go to every loaded plugin with the Scrobbler
// capability that may act for the user (its `users`/`all_users` scope,
// checked before nd_scrobbler_is_authorized); failures are classified as the
// original does, by substring: `scrobbler(not_authorized)`,
// `scrobbler(retry_later)`, anything else unrecoverable. A retry-later
// scrobble goes to a durable buffer (PlayStore) retried with capped
// exponential back-off until delivered, refused for good, or its plugin is
// removed. Every scrobble is recorded in the play history first.
//
//   Scrobbling scrobbling(catalog, plays, [&] { return LoadedScrobblers(); }, {});
//   scrobbling.Start();                                   // the retry loop
//   auto outcome = scrobbling.Play("alice", track_id, /*position=*/0, now).value();
//
// Delivery from the buffer is at least once: a kill between the plugin's
// answer and the buffer's update delivers that scrobble again after restart.
//
// Thread-safe; Start/Stop from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "catalog/catalog.h"
#include "manager/plugin_manager.h"
#include "music/play_store.h"

namespace pier::music {

// What one plugin did with one event.
struct PluginOutcome {
  enum Kind { kDelivered, kNotAllowed, kNotAuthorized, kRetryLater, kFailed };
  std::string plugin;
  Kind kind = kDelivered;
  std::string detail;  // the plugin's error, or why it was skipped
};
std::string_view OutcomeName(PluginOutcome::Kind kind);  // "delivered", "not allowed", …

struct PlayOutcome {
  catalog::Track track;
  std::string user_name;
  int64_t play_id = 0;  // in the play history
  std::vector<PluginOutcome> now_playing, scrobble;
};

struct ScrobblingOptions {
  std::chrono::milliseconds call_timeout{30000};
  std::chrono::milliseconds retry_backoff{30000};      // after the first retry-later; doubles each time
  std::chrono::milliseconds retry_backoff_max{3600000};
  std::chrono::milliseconds retry_poll{1000};          // how often the loop looks for due entries
  int64_t buffer_max_per_plugin = 5000;
  std::function<int64_t()> now_ms;                     // Unix milliseconds; unset: the clock
};

class Scrobbling {
 public:
  using Source = std::function<std::vector<std::shared_ptr<LoadedPlugin>>()>;
  // `known`: whether a plugin ID is still installed (buffered scrobbles of
  // removed plugins are dropped); unset: every ID is.
  Scrobbling(std::shared_ptr<catalog::Catalog> catalog, std::shared_ptr<PlayStore> plays, Source loaded,
             ScrobblingOptions options = {}, std::function<bool(std::string_view)> known = {});
  ~Scrobbling();

  // Now playing (`position` seconds in), then a scrobble of the play that
  // started at `started_at` (Unix seconds). NotFound for an unknown user or
  // a track the user cannot see.
  Result<PlayOutcome> Play(std::string_view user_name, std::string_view track_id, int32_t position, int64_t started_at);
  Result<std::vector<PluginOutcome>> NowPlaying(std::string_view user_name, std::string_view track_id, int32_t position);
  Result<std::vector<PluginOutcome>> PlaybackReport(const wire::PlaybackReportRequest& report,
                                                    std::string_view track_id);

  // One pass over the due buffered scrobbles; how many were delivered.
  Result<int> RetryDue();
  void Start();
  void Stop();

 private:
  struct Resolved {
    catalog::UserInfo user;
    catalog::Track track;
  };
  Result<Resolved> Resolve(std::string_view user_name, std::string_view track_id);
  // Scope and is_authorized; nullopt when the plugin may receive the event.
  std::optional<PluginOutcome> Gate(LoadedPlugin& p, const catalog::UserInfo& user);
  PluginOutcome Deliver(LoadedPlugin& p, const wire::ScrobbleRequest& request);
  int64_t NowMs() const;
  std::chrono::milliseconds Backoff(int32_t attempts) const;

  const std::shared_ptr<catalog::Catalog> catalog_;
  const std::shared_ptr<PlayStore> plays_;
  const Source loaded_;
  const ScrobblingOptions options_;
  const std::function<bool(std::string_view)> known_;
  Mutex retry_mu_;  // one retry pass at a time
  Mutex mu_;
  CondVar wake_;
  bool stop_ PIER_GUARDED_BY(mu_) = false;
  std::thread loop_;
};

}  // namespace pier::music
