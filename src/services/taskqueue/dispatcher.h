// QueueDispatcher: runs one queue's tasks. One dispatcher thread per queue
// talks to the store; `concurrency` worker threads call the plugin.
//
// The dispatcher never polls on a fixed tick for work it could know about:
// enqueues and resumes wake it, and it sleeps until the earliest of the
// queue's next due task (delayed or backing off), the next rate-limit token,
// or a long fallback poll. Each round is one store transaction that commits
// every completion reported since the last round and claims tasks for the
// free workers (group commit). When tasks are short it claims a few ahead
// (about 5 ms of work), so workers keep running while a round commits;
// those claimed-but-not-started tasks still read as `pending`, can be
// cancelled and cleared, and are given back uncounted on stop or pause.
//
// The rate-limit token (delayMs) is taken before a task is claimed, so a
// throttled task stays `pending` and cancellable. An attempt counts once
// its call starts, whatever ends it (result, error, timeout, crash or stop).
// A call's start is written with its completion when it ends within
// start_record_delay (one write for short tasks), else by a start mark in
// the next round: after a crash, a task whose start was never written comes
// back uncounted, and a poison task whose start was written stops at its
// retry limit.
//
//   QueueDispatcher d(store, settings, {.owner = "node/run", .execute = run_in_plugin});
//   d.Start();
//   d.Wake(now);          // after an enqueue
//   d.Stop();             // before the plugin goes away
//
// Thread-safe. Stop() must be called before destruction (the destructor
// calls it).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "pier/cancel.h"
#include "pier/wire/types.h"
#include "services/taskqueue/queue_metrics.h"
#include "services/taskqueue/task_store.h"

namespace pier::taskqueue {

// One call of the plugin's nd_task_execute.
struct TaskCall {
  wire::TaskExecuteRequest request;
  std::chrono::milliseconds timeout{0};  // 0: the host's call timeout
  CancelToken cancel;
};

struct TaskCallResult {
  bool ok = false;
  std::string message;  // ok: the returned string; otherwise the error
};

using TaskExecutor = std::function<TaskCallResult(const TaskCall& call)>;

struct DispatcherOptions {
  std::string owner;  // lease owner: "<node>/<run>"
  TaskExecutor execute;
  std::function<int64_t()> now_ms;  // unset: the system clock (Unix ms)
  std::chrono::milliseconds call_timeout{30000};
  std::chrono::milliseconds lease_slack{60000};  // lease = task timeout + slack
  std::chrono::milliseconds shutdown_grace{10000};
  std::chrono::milliseconds fallback_poll{5000};
  // Upper bound of one real-time sleep; tests with a fake clock make it short.
  std::chrono::milliseconds max_sleep{5000};
  int max_prefetch = 256;
  // How long a call may run before its start is written on its own.
  std::chrono::milliseconds start_record_delay{20};
  // Least time between two rounds that follow each other: work trickling in
  // (tasks enqueued one per call, completions one at a time) is gathered into
  // one commit instead of a commit each. A round after a quiet spell runs at
  // once, so an idle queue's enqueue -> start latency does not pay it. Not
  // for shared stores, whose rounds are network round trips.
  std::chrono::microseconds round_spacing{200};
  std::function<void(const std::string&)> log_error;  // unset: spdlog
  // Attempts, outcomes and latencies of this queue (default: not counted).
  QueueMetrics metrics;
};

class QueueDispatcher {
 public:
  QueueDispatcher(TaskStore& store, QueueSettings settings, DispatcherOptions options);
  ~QueueDispatcher();
  QueueDispatcher(const QueueDispatcher&) = delete;
  QueueDispatcher& operator=(const QueueDispatcher&) = delete;

  void Start();
  // Waits up to shutdown_grace for running calls, then interrupts them;
  // commits every outcome and gives back claimed tasks that never started.
  void Stop();

  // New work may be eligible at `due_ms` (an enqueue: now).
  void Wake(int64_t due_ms);
  void SetPaused(bool paused);

  // Claimed ahead but not started: reads as pending.
  bool IsBuffered(const std::string& id) const;
  // Started, its start not yet written: its attempt is one more than stored.
  bool StartUnrecorded(const std::string& id) const;
  // Cancels a buffered task (true) or, with interrupt_running, interrupts a
  // running one, waiting (with `wait`) until it is stored as cancelled
  // (true); false otherwise.
  bool Cancel(const std::string& id, bool interrupt_running, bool wait = true);
  // Cancels every buffered task; how many.
  int64_t CancelBuffered();

  // An enqueue of `due` tasks eligible now may claim for this dispatcher in
  // its own transaction (TaskStore::EnqueueAndClaim), saving a commit and a
  // thread hop on the way to the call. Returns the claim to make, which
  // holds up to `due` free slots until HandOff; nothing when this queue
  // claims only through its loop (stopping, paused, rate-limited, full, or
  // a store shared with other nodes, whose limits its own claims enforce).
  std::optional<ClaimRequest> ReserveClaim(int due);
  // What the reserved claim took (nothing if it failed): buffered for the
  // workers, as the loop's claims are, or given back if the queue stopped
  // or paused meanwhile.
  void HandOff(const ClaimRequest& reserved, std::vector<TaskRow> claimed);

  const QueueSettings& settings() const { return settings_; }
  const QueueMetrics& metrics() const { return options_.metrics; }

 private:
  enum class Interrupt { kNone, kCancel, kStop };
  struct Running {
    CancelToken token;
    Interrupt reason = Interrupt::kNone;
  };
  // A started call whose start is not written yet.
  struct StartMark {
    std::chrono::steady_clock::time_point at;
    bool in_round = false;  // taken by the round being committed
    int64_t row = 0;        // TaskRow::row of its task
  };

  int64_t Now() const;
  // Adds an attempt's outcome to options_.metrics.
  void Count(const TaskRow& t, Outcome outcome, int64_t now) const;
  void Loop();
  void Work();
  Completion Judge(const TaskRow& task, const TaskCallResult& result, Interrupt reason, int64_t now)
      PIER_REQUIRES(mu_);
  Completion GiveBack(const TaskRow& task, Outcome outcome) const;
  void DueAt(int64_t due_ms) PIER_REQUIRES(mu_);  // work may be due then
  // Every claimed-but-unstarted task, given back with `outcome`.
  std::vector<Completion> TakeReady(Outcome outcome) PIER_REQUIRES(mu_);
  int Capacity() const PIER_REQUIRES(mu_);
  // What a claim may take now: capacity less what is buffered, running or reserved.
  int FreeSlots() const PIER_REQUIRES(mu_);
  ClaimRequest ClaimFor(int max) const;  // a claim of up to `max` tasks for this dispatcher
  // Start marks older than start_record_delay, flagged in_round.
  std::vector<Started> TakeDueStarts(std::chrono::steady_clock::time_point now) PIER_REQUIRES(mu_);
  std::optional<std::chrono::steady_clock::time_point> NextStartDue() const PIER_REQUIRES(mu_);
  void Commit(std::vector<Completion> completions, std::vector<Started> started = {}) PIER_EXCLUDES(mu_);
  void Log(const std::string& message) const;

  TaskStore& store_;
  const QueueSettings settings_;
  const DispatcherOptions options_;

  mutable Mutex mu_;
  CondVar loop_cv_;     // wakes the dispatcher
  CondVar work_cv_;     // wakes workers
  CondVar settled_cv_;  // a round committed / a call ended
  bool started_ PIER_GUARDED_BY(mu_) = false;
  bool stopping_ PIER_GUARDED_BY(mu_) = false;
  bool paused_ PIER_GUARDED_BY(mu_) = false;
  bool wake_ PIER_GUARDED_BY(mu_) = true;  // eligible work may exist now
  uint64_t wake_generation_ PIER_GUARDED_BY(mu_) = 0;
  int64_t next_due_ PIER_GUARDED_BY(mu_) = 0;    // earliest known future due time (0: none known)
  int64_t next_token_ PIER_GUARDED_BY(mu_) = 0;  // rate limit: no claim before this
  int reserved_ PIER_GUARDED_BY(mu_) = 0;        // slots held by ReserveClaim until HandOff
  double exec_ewma_us_ PIER_GUARDED_BY(mu_) = 1e6;  // average call time; decides the claim-ahead depth
  std::deque<TaskRow> ready_ PIER_GUARDED_BY(mu_);  // claimed, not started
  std::map<std::string, Running> running_ PIER_GUARDED_BY(mu_);
  std::map<std::string, StartMark> starts_ PIER_GUARDED_BY(mu_);  // started, start not yet written
  std::vector<Completion> done_ PIER_GUARDED_BY(mu_);  // reported, not yet committed
  std::set<std::string> uncommitted_ PIER_GUARDED_BY(mu_);
  std::thread loop_;
  std::vector<std::thread> workers_;
};

}  // namespace pier::taskqueue
