// Overview: the dashboard's first page as one JSON document — every plugin
// with its state, last error, instances, queues (counts by state, paused,
// how long the task due longest has waited) and next schedule — built at
// most twice a second however many clients ask (they share the document).
//
//   Overview overview(host);
//   std::string json = overview.Get();   // {"builtAt": ms, "plugins": [...]}
//
// Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "common/mutex.h"
#include "manager/plugin_host.h"
#include "pier/metrics.h"

namespace pier {

class Overview {
 public:
  static constexpr std::chrono::milliseconds kMaxAge{500};

  // `host` outlives this; builds are counted in `metrics` when given.
  explicit Overview(PluginHost& host, Metrics* metrics = nullptr);

  // The current document: the last one built if younger than kMaxAge.
  std::string Get() PIER_EXCLUDES(mu_);
  // Builds it anew (what Get does when the last one is too old).
  std::string Build();

 private:
  PluginHost& host_;
  Counter builds_;
  Histogram build_seconds_;
  Mutex mu_;  // held while building: concurrent askers wait for one build
  std::string last_ PIER_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point built_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier
