#include "services/taskqueue/queue_metrics.h"

#include <algorithm>

namespace pier::taskqueue {

QueueMetrics QueueMetrics::For(Metrics& m, const std::string& plugin, const std::string& queue) {
  const MetricLabels labels = {{"plugin", plugin}, {"queue", queue}};
  auto finished = [&](const char* status) {
    return m.GetCounter("pier_task_finished_total",
                        "Task attempts ended, by what became of the task: completed, failed (for good), cancelled, "
                        "retried (runs again after its backoff) or released (its worker stopped; runs again).",
                        {{"plugin", plugin}, {"queue", queue}, {"status", status}});
  };
  QueueMetrics q;
  q.enqueued = m.GetCounter("pier_task_enqueued_total", "Tasks enqueued.", labels);
  q.attempts = m.GetCounter("pier_task_attempts_total", "Task attempts started (calls of nd_task_execute).", labels);
  q.completed = finished("completed");
  q.failed = finished("failed");
  q.cancelled = finished("cancelled");
  q.retried = finished("retried");
  q.released = finished("released");
  q.wait = m.GetHistogram("pier_task_wait_seconds", "Time from a task being due to its attempt starting, in seconds.",
                          LatencyBuckets(), labels);
  q.run = m.GetHistogram("pier_task_run_seconds", "Time an attempt's call took, in seconds.", LatencyBuckets(), labels);
  q.end_to_end = m.GetHistogram("pier_task_end_to_end_seconds",
                                "Time from enqueue to a task's final completion or failure, in seconds.",
                                LatencyBuckets(), labels);
  return q;
}

void CollectQueueStats(MetricWriter& w, const std::string& plugin, const wire::QueueStats& s,
                       std::optional<int64_t> oldest_due_ms, int64_t now_ms) {
  static constexpr std::string_view kTasksHelp = "Tasks stored in a queue, by state.";
  const std::pair<const char*, int64_t> states[] = {{"pending", s.pending},
                                                    {"running", s.running},
                                                    {"completed", s.completed},
                                                    {"failed", s.failed},
                                                    {"cancelled", s.cancelled}};
  for (const auto& [status, n] : states) {
    w.Gauge("pier_queue_tasks", kTasksHelp, {{"plugin", plugin}, {"queue", s.name}, {"status", status}},
            static_cast<double>(n));
  }
  const MetricLabels labels = {{"plugin", plugin}, {"queue", s.name}};
  const int64_t waited = oldest_due_ms ? std::max<int64_t>(0, now_ms - *oldest_due_ms) : 0;
  w.Gauge("pier_queue_oldest_pending_age_seconds",
          "How long the pending task that has been due longest has waited since it became due, in seconds (0: none "
          "is due).",
          labels, static_cast<double>(waited) / 1000.0);
  w.Gauge("pier_queue_paused", "1 when the queue is paused, else 0.", labels, s.paused ? 1 : 0);
}

}  // namespace pier::taskqueue
