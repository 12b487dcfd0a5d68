// TaskStore: where the Task service keeps queues and tasks. One interface,
// two backends (SQLite per plugin now; PostgreSQL for several nodes next),
// one parameterised suite of storage-semantics tests that both must pass
// (task_store_test.cc).
//
// Tasks are claimed with a lease (owner + expiry) instead of a bare
// `running` flag: a crashed process's tasks come back when their lease
// expires, and several processes can share one store safely. A claim does
// not count an attempt; the attempt counts when the call starts: recorded
// by a start mark (for calls that run a while) or with the completion (for
// short ones, one write for both). So a task claimed ahead and never started
// comes back from a crash uncounted, and a poison task whose start was
// recorded stops at its retry limit.
//
//   auto store = SqliteTaskStore::Open(dir / "taskqueue.db").value();
//   auto ids = store->Enqueue({{.queue = "thumbs", .payload = "x"}}, now).value();
//   auto claimed = store->Claim({.queue = "thumbs", .owner = "node-1/1", .max = 8}, now).value();
//   store->Finish({{.id = claimed[0].id, .owner = "node-1/1", .outcome = Outcome::kCompleted}}, now);
//
// Implementations are thread-safe unless they say otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/go_quote.h"
#include "pier/status.h"

namespace pier::taskqueue {

// Exact spellings of the original (British "cancelled").
inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kRunning = "running";
inline constexpr std::string_view kCompleted = "completed";
inline constexpr std::string_view kFailed = "failed";
inline constexpr std::string_view kCancelled = "cancelled";


struct QueueSettings {
  std::string name;
  int32_t concurrency = 1;
  int32_t max_retries = 0;
  int64_t backoff_ms = 1000;
  int64_t delay_ms = 0;
  int64_t retention_ms = 3600000;
  bool paused = false;
  bool operator==(const QueueSettings&) const = default;
};

struct NewTask {
  std::string queue;
  std::string payload;
  int64_t run_at_ms = 0;      // 0: now
  int32_t priority = 0;       // higher first; FIFO within a priority
  std::string unique_key;     // non-empty: no second pending/running task with this key in the queue
  int64_t timeout_ms = 0;     // per-task call timeout; 0 = the host's
  int32_t max_retries = 0;    // the retry policy is stored with the task
  int64_t backoff_ms = 1000;
};

struct TaskRow {
  std::string id;
  // Where the store keeps the row (SQLite's rowid), for finding it again
  // without the ID's index; 0: unknown, look it up by `id`. Listings set it
  // in every store (PostgreSQL: its seq) for ListKey. Not public.
  int64_t row = 0;
  std::string queue;
  std::string payload;
  std::string status;
  int32_t attempt = 0;
  int32_t max_retries = 0;
  int64_t backoff_ms = 1000;
  int64_t next_run_at = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string message;     // the result, or the final error
  std::string last_error;  // the error of the latest failed attempt
  int32_t priority = 0;
  std::string unique_key;
  int64_t timeout_ms = 0;
  std::string lease_owner;
  int64_t lease_until = 0;
  int64_t started_at = 0;  // running: when its call's start was recorded (0: not recorded)
};

enum class Outcome { kCompleted, kRetry, kFailed, kReleased, kCancelled };

struct Completion {
  std::string id;
  std::string owner;            // only the lease holder may finish a task
  Outcome outcome = Outcome::kCompleted;
  std::string message;          // kCompleted: the result; kRetry/kFailed/kCancelled: the error
  int64_t retry_at_ms = 0;      // kRetry
  // Whether its call started: the attempt counts (false for a task claimed
  // but never started, given back as it was).
  bool started = true;
  // Whether a Started mark for this call was already applied (then the
  // completion does not count the attempt a second time).
  bool start_recorded = false;
  int64_t row = 0;  // TaskRow::row of the claimed task (0: unknown)
};

// The start of a claimed task's call: its attempt counts from now on.
struct Started {
  std::string id;
  std::string owner;  // only the lease holder's mark applies
  int64_t row = 0;    // TaskRow::row (0: unknown)
};

struct ClaimRequest {
  std::string queue;
  std::string owner;
  int64_t lease_ms = 60000;
  int max = 1;
};

// A task's place in a listing (newest first), for going on after it: keyset
// paging, which seeks to the place instead of stepping over every row
// before it as an offset does.
struct ListKey {
  int64_t created_at = 0;
  int64_t row = 0;  // the store's insertion order: SQLite's rowid, PostgreSQL's seq
  bool operator==(const ListKey&) const = default;
};

struct ListFilter {
  std::string queue;
  std::string status;  // empty: any
  int limit = 100;
  int offset = 0;
  std::optional<ListKey> after;  // only tasks listed after this one (TaskRow::row and created_at)
};

struct QueueStats {
  int64_t pending = 0, running = 0, completed = 0, failed = 0, cancelled = 0;
};

// What one group-committed round writes, in this order.
struct Round {
  std::vector<Started> started;
  std::vector<Completion> completions;
  const ClaimRequest* claim = nullptr;  // null: claim nothing
};

struct Exchange {
  int64_t finished = 0;          // completions applied
  std::vector<TaskRow> claimed;  // in claim order
  // Set when a shared store held the claim back (the queue's concurrency
  // is used up across nodes, another node holds its rate-limit token, or it
  // is paused): try again at this time, or sooner when woken.
  std::optional<int64_t> held_until;
};

// What other users of a shared store did, as the store hears of it.
// Callbacks run on the store's thread; they must not block for long.
struct StoreEvents {
  std::function<void(const std::string& queue)> work;  // tasks became eligible, or capacity freed
  std::function<void(const std::string& queue, bool paused)> paused;
  std::function<void(const std::string& id)> cancel;   // interrupt the task if it runs here
  std::function<void()> resync;                         // events may have been missed
};

// A new task ID: 22 random characters from [0-9A-Za-z], as the original's.
std::string NewTaskId();

// What a completion writes, whichever store writes it.
struct CompletionWrite {
  std::string_view status;
  bool set_message = false;  // message = the completion's message
  bool set_error = false;    // last_error = the completion's message
  int64_t run_at = 0;        // > 0: next_run_at
  int32_t attempt_delta = 0; // a started call's attempt counts once: here, unless its start mark did
};
CompletionWrite DescribeCompletion(const Completion& done, int64_t now_ms);

// Adds `n` tasks of `status` to `stats`.
void AddToStats(QueueStats& stats, std::string_view status, int64_t n);

// Why Cancel / Retry of task `id` did not apply, from the task's status
// ("" when there is no such task), in the original's words.
Status CancelRefused(std::string_view id, std::string_view status);
Status RetryRefused(std::string_view id, std::string_view status);
Status DeleteRefused(std::string_view id, std::string_view status);
Status RunNowRefused(std::string_view id, std::string_view status);

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  virtual Status SaveQueue(const QueueSettings& queue) = 0;
  virtual Result<std::vector<QueueSettings>> LoadQueues() = 0;
  // NotFound when the queue was never stored.
  virtual Status SetPaused(std::string_view queue, bool paused) = 0;

  // Inserts every task in one transaction and returns their IDs in order. A
  // task whose unique key is already pending or running in its queue is not
  // inserted: its entry is the existing task's ID.
  virtual Result<std::vector<std::string>> Enqueue(const std::vector<NewTask>& tasks, int64_t now_ms) = 0;
  // Enqueue, then a claim as FinishAndClaim's (of any eligible task of the
  // claim's queue, the new ones or not). One transaction where the store
  // can (SQLite); here, the two in turn.
  struct Enqueued {
    std::vector<std::string> ids;
    std::vector<TaskRow> claimed;
  };
  virtual Result<Enqueued> EnqueueAndClaim(const std::vector<NewTask>& tasks, const ClaimRequest& claim,
                                           int64_t now_ms);
  virtual Result<std::optional<TaskRow>> Get(std::string_view id) = 0;
  // Newest first.
  virtual Result<std::vector<TaskRow>> List(const ListFilter& filter) = 0;

  // pending -> cancelled. NotFound for an unknown ID; FailedPrecondition,
  // with the status, when it is not pending (a running task is interrupted
  // by its dispatcher, which then finishes it as cancelled).
  virtual Status Cancel(std::string_view id, int64_t now_ms) = 0;
  // Every pending task of the queue -> cancelled; how many.
  virtual Result<int64_t> CancelPending(std::string_view queue, int64_t now_ms) = 0;
  // failed or cancelled -> pending, attempt 0, eligible now. NotFound;
  // FailedPrecondition with the status otherwise.
  virtual Status Retry(std::string_view id, int64_t now_ms) = 0;
  // Removes a task that is not running (pending or finished), with its
  // payload. NotFound; FailedPrecondition when it is running.
  virtual Status Delete(std::string_view id) = 0;
  // A pending task waiting for its time (delayed, backing off) becomes due
  // now; one already due is left as it is. NotFound; FailedPrecondition
  // when it is not pending.
  virtual Status RunNow(std::string_view id, int64_t now_ms) = 0;

  // One transaction (group commit): applies the start marks (attempt + 1,
  // started_at = now), then the completions, then takes up to claim->max
  // eligible tasks (pending, next_run_at <= now) of its queue, highest
  // priority first, then by next_run_at and creation: running, leased to
  // the owner until now + lease_ms, attempt unchanged. A mark or completion
  // whose lease is no longer its owner's is skipped.
  virtual Result<Exchange> FinishAndClaim(const Round& round, int64_t now_ms) = 0;
  Result<std::vector<TaskRow>> Claim(const ClaimRequest& claim, int64_t now_ms);
  Result<int64_t> Finish(const std::vector<Completion>& completions, int64_t now_ms);

  // Running tasks whose lease expired, or whose owner starts with
  // `dead_owner_prefix` (a previous run of this node) and is not
  // `live_owner`: back to pending. One whose start was recorded keeps its
  // attempt counted, or fails once it has used its retries; one whose start
  // was not (claimed ahead, never started) comes back as it was. How many
  // were recovered.
  virtual Result<int64_t> RecoverLeases(int64_t now_ms, std::string_view dead_owner_prefix = {},
                                        std::string_view live_owner = {}) = 0;
  // The earliest next_run_at of the queue's pending tasks.
  virtual Result<std::optional<int64_t>> NextRunAt(std::string_view queue) = 0;
  // Deletes up to `limit` finished tasks of the queue (of `status`, or of
  // any final status when empty) last updated before `cutoff_ms`.
  virtual Result<int64_t> DeleteFinished(std::string_view queue, int64_t cutoff_ms, std::string_view status,
                                         int limit) = 0;
  virtual Result<QueueStats> Stats(std::string_view queue) = 0;

  // Shared stores (several nodes): whether other nodes use this store too.
  // Such a store enforces a queue's stored concurrency, rate limit and
  // pause across all of them in its claims.
  virtual bool shared() const { return false; }
  // Delivers other nodes' events until replaced (an empty StoreEvents
  // stops them; it returns once no callback runs). No-op when not shared.
  virtual void Watch(StoreEvents /*events*/) {}
  // Asks whichever node runs task `id` to interrupt it.
  virtual Status RequestCancel(std::string_view id) {
    return FailedPreconditionError("task " + GoQuote(id) + " is not running here");
  }
};

}  // namespace pier::taskqueue
