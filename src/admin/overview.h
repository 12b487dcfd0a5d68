// Overview: the dashboard's first page as one JSON document — every plugin
// with its state, last error, instances, queues (counts by state, paused,
// how long the task due longest has waited), next schedule and, with a
// QueueHistory, a sparkline of tasks finished per 10 s over the last five
// minutes — built at most twice a second however many clients ask (they
// share the document). Its revision changes only when the plugins' part did,
// so event streams send it only then.
//
//   Overview overview(host);
//   std::string json = overview.Get();   // {"builtAt": ms, "plugins": [...]}
//   Overview::Snapshot s = overview.Current();  // the same, with its revision
//
// Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "common/mutex.h"
#include "admin/queue_history.h"
#include "manager/plugin_host.h"
#include "pier/metrics.h"

namespace pier {

namespace taskqueue {
class TaskQueueService;
}

// One plugin's queues as the overview lists them (counts by state, paused,
// the due-longest task's wait at `now_ms`): the store reads of the document.
nlohmann::json OverviewQueues(taskqueue::TaskQueueService& tasks, int64_t now_ms);

class Overview {
 public:
  static constexpr std::chrono::milliseconds kMaxAge{500};

  static constexpr size_t kSparklinePoints = 30;  // 10-s steps: five minutes

  struct Snapshot {
    std::string json;
    uint64_t revision = 0;  // changes when the plugins' part changes
  };

  // `host` (and `history`, when given) outlive this; builds are counted in `metrics` when given.
  explicit Overview(PluginHost& host, Metrics* metrics = nullptr, const QueueHistory* history = nullptr);

  // The current document: the last one built if younger than kMaxAge.
  std::string Get() PIER_EXCLUDES(mu_) { return Current().json; }
  Snapshot Current() PIER_EXCLUDES(mu_);
  // Builds it anew (what Current does when the last one is too old).
  std::string Build() { return Document(Plugins()); }

 private:
  nlohmann::json Plugins();
  std::string Document(const nlohmann::json& plugins);

  PluginHost& host_;
  const QueueHistory* history_;
  Counter builds_;
  Histogram build_seconds_;
  Mutex mu_;  // held while building: concurrent askers wait for one build
  std::string last_ PIER_GUARDED_BY(mu_);
  std::string last_plugins_ PIER_GUARDED_BY(mu_);
  uint64_t revision_ PIER_GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::time_point built_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier
