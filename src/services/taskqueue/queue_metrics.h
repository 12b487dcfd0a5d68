// QueueMetrics: what one task queue adds to Pier's Metrics.
//
//   pier_task_enqueued_total{plugin,queue}
//   pier_task_attempts_total{plugin,queue}              calls of nd_task_execute started
//   pier_task_finished_total{plugin,queue,status}       completed | failed | cancelled | retried
//                                                       (an attempt failed, the task will run again)
//                                                       | released (its worker stopped; runs again)
//   pier_task_wait_seconds{plugin,queue}                due -> call start, per attempt
//   pier_task_run_seconds{plugin,queue}                 the call, per attempt
//   pier_task_end_to_end_seconds{plugin,queue}          enqueued -> completed or failed for good
//
// and, collected from the store when metrics are read (CollectQueueStats):
//
//   pier_queue_tasks{plugin,queue,status}               tasks stored in each state
//   pier_queue_oldest_pending_age_seconds{plugin,queue} how long the task due longest has waited
//   pier_queue_paused{plugin,queue}
//
// Handles only: copy freely; a default QueueMetrics counts nothing.
#pragma once

#include <optional>
#include <string>

#include "pier/metrics.h"
#include "pier/wire/types.h"

namespace pier::taskqueue {

struct QueueMetrics {
  Counter enqueued, attempts;
  Counter completed, failed, cancelled, retried, released;
  Histogram wait, run, end_to_end;

  static QueueMetrics For(Metrics& metrics, const std::string& plugin, const std::string& queue);
};

// One queue's figures read from its store: `oldest_due_ms` is the earliest
// next run time among its pending tasks (none: nothing pending).
void CollectQueueStats(MetricWriter& w, const std::string& plugin, const wire::QueueStats& stats,
                       std::optional<int64_t> oldest_due_ms, int64_t now_ms);

}  // namespace pier::taskqueue
