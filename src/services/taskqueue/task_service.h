// TaskQueueService: the Task host service's contract (spec §5.3-§5.5, §5.13):
// validation, defaults, clamps, the manifest's concurrency budget and the
// original's messages, over a TaskStore.
//
// Queue definitions are persisted, so `task_createqueue` after a restart
// (plugins call it from nd_on_init) re-opens the stored queue instead of
// starting from nothing; a second create in the same service is still
// `queue "x" already exists`. The duplicate check runs before the budget
// check (the original's order gave a misleading "budget exhausted").
//
// Workers and the dispatcher are not part of this class yet (issue #5).
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "pier/services/task.h"
#include "services/taskqueue/task_store.h"

namespace pier::taskqueue {

inline constexpr int32_t kDefaultConcurrency = 1;
inline constexpr int64_t kDefaultBackoffMs = 1000;
inline constexpr int64_t kDefaultRetentionMs = 3'600'000;
inline constexpr int64_t kMinRetentionMs = 60'000;
inline constexpr int64_t kMaxRetentionMs = 604'800'000;
inline constexpr size_t kMaxQueueNameBytes = 128;
inline constexpr size_t kMaxPayloadBytes = 1 << 20;
inline constexpr int64_t kMaxBackoffMs = 3'600'000;

// Delay before retrying after failed attempt `attempt` (1-based):
// backoff_ms * 2^(attempt-1), 3,600,000 when that overflows or exceeds it.
int64_t RetryDelayMs(int64_t backoff_ms, int32_t attempt);

struct TaskServiceOptions {
  int32_t max_concurrency = 1;              // manifest permissions.taskqueue.maxConcurrency
  std::function<int64_t()> now_ms;          // unset: the system clock
};

class TaskQueueService final : public services::TaskService {
 public:
  TaskQueueService(std::unique_ptr<TaskStore> store, TaskServiceOptions options);

  Status CreateQueue(HostCallContext& context, const wire::TaskCreateQueueRequest& request) override;
  Result<wire::TaskEnqueueResponse> Enqueue(HostCallContext& context, const wire::TaskEnqueueRequest& request) override;
  Result<wire::TaskGetResponse> Get(HostCallContext& context, const wire::TaskGetRequest& request) override;
  Status Cancel(HostCallContext& context, const wire::TaskCancelRequest& request) override;
  Result<wire::TaskClearQueueResponse> ClearQueue(HostCallContext& context,
                                                  const wire::TaskClearQueueRequest& request) override;

  // The queues created in this service, with their effective settings.
  std::vector<QueueSettings> queues() const;
  TaskStore& store() { return *store_; }

 private:
  int64_t Now() const;

  const std::unique_ptr<TaskStore> store_;
  const TaskServiceOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, QueueSettings, std::less<>> created_;  // guarded by mu_
  int32_t allocated_ = 0;                                      // guarded by mu_
};

}  // namespace pier::taskqueue
