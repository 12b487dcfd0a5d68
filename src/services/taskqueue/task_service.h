// TaskQueueService: the Task host service (spec §5) over a TaskStore.
//
// The original's contract holds for every valid call: validation, defaults,
// clamps, the manifest's concurrency budget and its messages. On top:
//  - queue definitions are persisted: `task_createqueue` after a restart
//    (plugins call it from nd_on_init) re-opens the stored queue; a second
//    create in the same service is still `queue "x" already exists`, and the
//    duplicate check runs before the budget check;
//  - one QueueDispatcher per created queue runs its tasks once Start() gave
//    the service a way to call the plugin;
//  - Start() recovers the tasks a previous run of this node left running
//    (immediately: that run is dead) and the maintenance pass recovers
//    expired leases of any node and applies retention to every stored queue
//    by its stored settings, orphans included, in bounded batches;
//  - the Pier extensions of idl/services/task.yaml (batch enqueue with delay,
//    priority, unique key and timeout; interrupting a running task; retry;
//    pause/resume; statistics; listing).
//
//   TaskQueueService tasks(SqliteTaskStore::Open(dir / "taskqueue.db").value(), {.max_concurrency = 4});
//   host.task = &tasks;                       // bind, load the plugin, then:
//   tasks.Start(executor_calling_nd_task_execute);
//   ...
//   tasks.Stop();                             // before the plugin goes away
//
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "common/mutex.h"
#include "pier/services/task.h"
#include "services/taskqueue/dispatcher.h"
#include "services/taskqueue/queue_overrides.h"
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
inline constexpr size_t kMaxBatchTasks = 10'000;
inline constexpr int kRetentionBatch = 1000;

// Delay before retrying after failed attempt `attempt` (1-based):
// backoff_ms * 2^(attempt-1), 3,600,000 when that overflows or exceeds it.
int64_t RetryDelayMs(int64_t backoff_ms, int32_t attempt);

struct TaskServiceOptions {
  int32_t max_concurrency = 1;      // manifest permissions.taskqueue.maxConcurrency
  std::function<int64_t()> now_ms;  // unset: the system clock
  std::string node;                 // lease owners are "<node>/<run>"; empty: the host name
  std::chrono::milliseconds maintenance_interval{60000};
  // Settings passed to every dispatcher (owner, execute, now_ms and metrics are set by the service).
  DispatcherOptions dispatch;
  // Where the queues are counted (services/taskqueue/queue_metrics.h), under
  // this plugin's ID; unset: not counted.
  std::shared_ptr<Metrics> metrics;
  std::string plugin;
  QueueOverrides overrides;  // applied by CreateQueue
};

class TaskQueueService final : public services::TaskService {
 public:
  TaskQueueService(std::unique_ptr<TaskStore> store, TaskServiceOptions options);
  ~TaskQueueService() override;

  // Starts running tasks through `execute`: recovers this node's previous
  // run, starts the dispatchers of queues created so far and the
  // maintenance thread. Queues created later start at once.
  void Start(TaskExecutor execute);
  // Stops every dispatcher (see QueueDispatcher::Stop) and the maintenance
  // thread. Afterwards every operation fails.
  void Stop();

  Status CreateQueue(HostCallContext& context, const wire::TaskCreateQueueRequest& request) override;
  Result<wire::TaskEnqueueResponse> Enqueue(HostCallContext& context, const wire::TaskEnqueueRequest& request) override;
  Result<wire::TaskGetResponse> Get(HostCallContext& context, const wire::TaskGetRequest& request) override;
  Status Cancel(HostCallContext& context, const wire::TaskCancelRequest& request) override;
  Result<wire::TaskClearQueueResponse> ClearQueue(HostCallContext& context,
                                                  const wire::TaskClearQueueRequest& request) override;
  Result<wire::TaskEnqueueManyResponse> EnqueueMany(HostCallContext& context,
                                                    const wire::TaskEnqueueManyRequest& request) override;
  Status Interrupt(HostCallContext& context, const wire::TaskInterruptRequest& request) override;
  Status Retry(HostCallContext& context, const wire::TaskRetryRequest& request) override;
  Status PauseQueue(HostCallContext& context, const wire::TaskPauseQueueRequest& request) override;
  Status ResumeQueue(HostCallContext& context, const wire::TaskResumeQueueRequest& request) override;
  Result<wire::TaskGetQueueStatsResponse> GetQueueStats(HostCallContext& context,
                                                        const wire::TaskGetQueueStatsRequest& request) override;
  Result<wire::TaskListTasksResponse> ListTasks(HostCallContext& context,
                                                const wire::TaskListTasksRequest& request) override;

  // For administrators (no plugin call involved).
  Result<std::vector<wire::QueueStats>> AllQueueStats();
  Result<wire::QueueStats> QueueStatsOf(std::string_view queue);
  Result<wire::TaskDetail> TaskDetailOf(std::string_view id);
  Result<std::vector<wire::TaskDetail>> Tasks(const ListFilter& filter);
  // The same, each with its place for ListFilter::after (keyset paging).
  struct Listed {
    ListKey key;
    wire::TaskDetail task;
  };
  Result<std::vector<Listed>> ListedTasks(const ListFilter& filter);
  // Cancels a pending task; with interrupt_running (task_interrupt, the
  // administrators' cancel) also a running one, whose call is interrupted.
  Status CancelTask(std::string_view id, bool interrupt_running = true);
  // Enqueues into a created or stored queue (with its settings).
  Result<std::vector<std::string>> AdminEnqueue(std::string_view queue, const std::vector<wire::TaskSpec>& specs);
  Status RetryTask(std::string_view id);
  // Removes a task that is not running: pending (one claimed ahead here but
  // not started is given back first) or finished. NotFound; FailedPrecondition
  // when it runs.
  Status DeleteTask(std::string_view id);
  // Makes a pending task due now (TaskStore::RunNow) and wakes its queue.
  Status RunTaskNow(std::string_view id);
  // Retries every failed task of the queue; how many.
  Result<int64_t> RetryFailed(std::string_view queue, const std::function<void(int64_t done)>& progress = {});
  Status SetPaused(std::string_view queue, bool paused);
  // Deletes the queue's finished tasks (of `status`, or all final ones), in
  // batches, reporting progress after each; how many.
  Result<int64_t> Purge(std::string_view queue, std::string_view status,
                        const std::function<void(int64_t done)>& progress = {});

  // Retention and lease recovery, as the maintenance thread runs them.
  Status RunMaintenance();

  // The queues created in this service, with their effective settings.
  std::vector<QueueSettings> queues() const;
  TaskStore& store() { return *store_; }
  std::string owner() const { return owner_; }

 private:
  int64_t Now() const;
  Status CheckOpen() const PIER_REQUIRES(mu_);
  Status EnsureOpen() const;  // locks mu_
  // A queue created in this service (its settings), else the original's "does not exist".
  Result<QueueSettings> CreatedQueue(std::string_view name) const;  // locks mu_
  std::shared_ptr<QueueDispatcher> DispatcherFor(std::string_view queue) const;  // locks mu_
  std::vector<std::shared_ptr<QueueDispatcher>> Dispatchers() const;            // locks mu_
  void StartDispatcher(const QueueSettings& q) PIER_REQUIRES(mu_);
  Result<std::vector<std::string>> EnqueueTasks(std::vector<NewTask> tasks);
  Result<std::vector<std::string>> EnqueueSpecs(const QueueSettings& q, const std::vector<wire::TaskSpec>& specs);
  Result<QueueSettings> StoredQueue(std::string_view queue);
  std::optional<QueueSettings> Created(std::string_view queue) const;  // locks mu_
  // The settings in force: as created in this service, else as stored.
  Result<QueueSettings> CreatedOrStored(std::string_view queue);
  Result<wire::QueueStats> StatsFor(const QueueSettings& q, bool active);
  wire::TaskDetail Detail(TaskRow row);
  void MaintenanceLoop();
  // pier_queue_* from the store, when metrics are read.
  void CollectQueues(MetricWriter& w);
  // The queue's handles: its dispatcher's when it runs here.
  QueueMetrics MetricsFor(std::string_view queue) const;
  // A shared store: other nodes' enqueues, pauses and cancels reach this one.
  void WatchOtherNodes();
  void ApplyPaused(std::string_view queue, bool paused);  // locks mu_
  // Interrupts a task another node runs (shared stores), waiting for its outcome.
  Status CancelElsewhere(std::string_view id, const std::string& owner);

  const std::unique_ptr<TaskStore> store_;
  const TaskServiceOptions options_;
  const std::string node_prefix_;  // "<node>/"
  const std::string owner_;        // "<node>/<run>"

  mutable Mutex mu_;
  std::map<std::string, QueueSettings, std::less<>> created_ PIER_GUARDED_BY(mu_);
  int32_t allocated_ PIER_GUARDED_BY(mu_) = 0;
  TaskExecutor execute_ PIER_GUARDED_BY(mu_);  // set by Start
  bool stopped_ PIER_GUARDED_BY(mu_) = false;
  std::map<std::string, std::shared_ptr<QueueDispatcher>, std::less<>> dispatchers_ PIER_GUARDED_BY(mu_);
  CondVar maintenance_cv_;
  std::thread maintenance_;
  // Last: reset first in the destructor, before anything it reads goes.
  Metrics::Collector queue_metrics_;
};

}  // namespace pier::taskqueue
