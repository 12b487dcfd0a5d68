// PostgresTaskStore: TaskStore for one plugin in a PostgreSQL database that
// several Pier nodes share (tables of the `pier` schema, rows of this
// plugin: see storage/postgres/database.h).
//
// How the contract holds across nodes:
//  - claims take the queue's row lock (SELECT ... FOR UPDATE) and then, in
//    a fresh snapshot of the same transaction, count the queue's running
//    tasks: a queue's `concurrency` is global — the running (claimed) tasks
//    of all nodes together never exceed it — and its `delayMs` spacing too
//    (a token time stored in the queue row). A paused queue claims nothing
//    anywhere. Ready rows are taken with FOR UPDATE SKIP LOCKED, so claims
//    of queues without such limits never wait for each other;
//  - each dispatcher round (start marks, completions, the claim) is one
//    pipeline: one network round trip and one transaction;
//  - enqueues, retries, recoveries and completions that free held-back
//    capacity publish `pier_wake`, pauses `pier_pause` and cancels of a
//    running task `pier_cancel` (pg_notify, delivered at commit);
//  - leases expire the same way as in SQLite; any live node's maintenance
//    recovers them (the UPDATE re-checks each row, so only one node does);
//  - retention deletes take a per-queue transaction advisory lock: one node
//    at a time.
// Clocks: times come from the nodes (as with SQLite), so nodes need clocks
// kept in step (NTP); leases are tens of seconds, skew of milliseconds is
// harmless.
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/mutex.h"
#include "services/taskqueue/task_store.h"
#include "storage/postgres/database.h"

namespace pier::taskqueue {

class PostgresTaskStore final : public TaskStore {
 public:
  PostgresTaskStore(std::shared_ptr<pg::Database> db, std::string plugin);
  ~PostgresTaskStore() override;

  Status SaveQueue(const QueueSettings& queue) override;
  Result<std::vector<QueueSettings>> LoadQueues() override;
  Status SetPaused(std::string_view queue, bool paused) override;
  Result<std::vector<std::string>> Enqueue(const std::vector<NewTask>& tasks, int64_t now_ms) override;
  Result<std::optional<TaskRow>> Get(std::string_view id) override;
  Result<std::vector<TaskRow>> List(const ListFilter& filter) override;
  Status Cancel(std::string_view id, int64_t now_ms) override;
  Result<int64_t> CancelPending(std::string_view queue, int64_t now_ms) override;
  Status Retry(std::string_view id, int64_t now_ms) override;
  Status Delete(std::string_view id) override;
  Status RunNow(std::string_view id, int64_t now_ms) override;
  Result<Exchange> FinishAndClaim(const Round& round, int64_t now_ms) override;
  Result<int64_t> RecoverLeases(int64_t now_ms, std::string_view dead_owner_prefix,
                                std::string_view live_owner) override;
  Result<std::optional<int64_t>> NextRunAt(std::string_view queue) override;
  Result<int64_t> DeleteFinished(std::string_view queue, int64_t cutoff_ms, std::string_view status,
                                 int limit) override;
  Result<QueueStats> Stats(std::string_view queue) override;

  bool shared() const override { return true; }
  void Watch(StoreEvents events) override;
  Status RequestCancel(std::string_view id) override;

 private:
  // plugin \x1f field
  std::string Channel(std::string_view field) const;
  Result<std::optional<std::string>> Transition(std::string_view sql, std::string_view id, int64_t now);

  const std::shared_ptr<pg::Database> db_;
  const std::string plugin_;
  Mutex watch_mu_;
  uint64_t subscription_ PIER_GUARDED_BY(watch_mu_) = 0;  // 0: none
};

}  // namespace pier::taskqueue
