// QueueHistory: the dashboard's charts of each queue — tasks completed and
// failed, and the mean wait and run time — over the last hour (a point
// every 10 s) and the last day (a point a minute), kept in process from
// the same counters /metrics reports (pier_task_finished_total,
// pier_task_wait_seconds, pier_task_run_seconds), so no Prometheus is
// needed and a chart's numbers are those counters' deltas.
//
//   QueueHistory history(metrics);
//   history.Start();                              // samples every 10 s
//   Json chart = history.Chart("plugin", "queue", QueueHistory::kHour);
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/mutex.h"
#include "pier/metrics.h"

namespace pier {

class QueueHistory {
 public:
  enum Window { kHour, kDay };
  static constexpr std::chrono::seconds kHourStep{10};
  static constexpr std::chrono::seconds kDayStep{60};
  static constexpr size_t kHourPoints = 360, kDayPoints = 1440;
  static constexpr size_t kMaxQueues = 2000;  // beyond: not charted

  explicit QueueHistory(std::shared_ptr<Metrics> metrics) : metrics_(std::move(metrics)) {}
  ~QueueHistory() { Stop(); }
  void Start();
  void Stop() PIER_EXCLUDES(mu_);

  // Takes one sample now (the sampler thread's work; tests call it directly).
  void Sample(int64_t now_ms) PIER_EXCLUDES(mu_);
  // {"stepMs", "t": [...], "completed": [...], "failed": [...], "waitAvgMs": [...], "runAvgMs": [...]}:
  // per step, the tasks that completed or failed in it and the mean wait and run of the attempts that started or ended in it.
  nlohmann::json Chart(const std::string& plugin, const std::string& queue, Window window) const PIER_EXCLUDES(mu_);
  // The overview's sparkline: tasks finished (completed or failed) per hour
  // step across all of the plugin's queues, the last `points` steps, oldest
  // first (fewer when fewer were sampled).
  std::vector<double> Finished(const std::string& plugin, size_t points) const PIER_EXCLUDES(mu_);

 private:
  struct Totals {
    double completed = 0, failed = 0, wait_sum = 0, wait_count = 0, run_sum = 0, run_count = 0;
  };
  struct Point {
    int64_t t = 0;
    Totals delta;
  };
  struct Series {
    Totals last;          // the counters at the previous sample
    bool seen = false;
    std::deque<Point> hour, day;
    Totals day_pending;   // hour steps not yet folded into a day point
    int64_t day_started = 0;
  };

  std::shared_ptr<Metrics> metrics_;
  mutable Mutex mu_;
  CondVar cv_;
  bool stopping_ PIER_GUARDED_BY(mu_) = false;
  std::map<std::pair<std::string, std::string>, Series> series_ PIER_GUARDED_BY(mu_);
  std::thread sampler_;
};

}  // namespace pier
