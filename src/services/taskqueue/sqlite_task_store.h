// SqliteTaskStore: TaskStore in one SQLite file per plugin
// (`<plugin data>/taskqueue.db`). Its first three migrations are the
// original host's, so an existing Navidrome taskqueue.db (user_version 3) is
// upgraded in place; later ones add leases, last error, priority, unique
// keys, per-task retry policy, paused queues and claim/retention indexes
// that match their queries.
//
// Writes go through one connection with group commit: callers that arrive
// while a transaction is being written queue up, and the next of them to
// take the connection writes all their changes in one transaction (each in
// its own savepoint, so one failing change does not undo the others), then
// wakes them all. Every write returns after the commit that holds it, so
// durability is never traded for speed; concurrency only makes commits
// bigger. Reads use a second connection (WAL lets it read while a write is
// in progress), and a sqlite::Checkpointer folds the log into the file on a
// third, so no commit stalls for a checkpoint.
//
// A payload larger than `payload_apart_from` bytes is stored once, in
// task_payloads, and never rewritten: SQLite writes a whole row again on
// every UPDATE, and a task's row changes on every claim and completion.
// Smaller payloads stay in the row, where copying them costs less than a
// second b-tree would.
//
// Thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/mutex.h"
#include "services/taskqueue/task_store.h"
#include "storage/sqlite/checkpointer.h"
#include "storage/sqlite/database.h"

namespace pier::taskqueue {

enum class Durability {
  kFull,    // synchronous=FULL: a commit survives power loss (default)
  kNormal,  // synchronous=NORMAL: a commit survives a crash of the process, not of the machine
};

class SqliteTaskStore final : public TaskStore {
 public:
  static constexpr size_t kPayloadApartFrom = 512;
  static Result<std::unique_ptr<SqliteTaskStore>> Open(const std::filesystem::path& file,
                                                       Durability durability = Durability::kFull,
                                                       size_t payload_apart_from = kPayloadApartFrom);

  Status SaveQueue(const QueueSettings& queue) override;
  Result<std::vector<QueueSettings>> LoadQueues() override;
  Status SetPaused(std::string_view queue, bool paused) override;
  Result<std::vector<std::string>> Enqueue(const std::vector<NewTask>& tasks, int64_t now_ms) override;
  // One transaction: an enqueue to an idle queue is claimed in its own commit.
  Result<Enqueued> EnqueueAndClaim(const std::vector<NewTask>& tasks, const ClaimRequest& claim,
                                   int64_t now_ms) override;
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

  // Transactions written and changes they held, since opening (for benchmarks).
  struct CommitStats {
    int64_t transactions = 0;
    int64_t changes = 0;
  };
  CommitStats commit_stats() const;

 private:
  // A cached statement, reset (and its bindings cleared) when this dies.
  class Stmt {
   public:
    explicit Stmt(sqlite::Statement* s) : s_(s) {}
    Stmt(Stmt&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
    Stmt& operator=(Stmt&&) = delete;
    ~Stmt() {
      if (s_) s_->Reset();
    }
    sqlite::Statement* operator->() const { return s_; }
    sqlite::Statement& operator*() const { return *s_; }

   private:
    sqlite::Statement* s_;
  };
  // Prepared statements of one connection, keyed by their SQL text.
  class Connection {
   public:
    explicit Connection(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
    // The statement for `sql`, prepared on first use.
    Result<Stmt> Prepare(std::string_view sql);
    sqlite::Database& db() { return *db_; }

   private:
    std::unique_ptr<sqlite::Database> db_;
    std::unordered_map<std::string, sqlite::Statement> statements_;
  };
  struct Write;

  SqliteTaskStore(std::unique_ptr<sqlite::Database> writer, std::unique_ptr<sqlite::Database> reader,
                  std::unique_ptr<sqlite::Checkpointer> checkpointer, size_t payload_apart_from)
      : payload_apart_from_(payload_apart_from),
        writer_(std::move(writer)),
        checkpointer_(std::move(checkpointer)),
        reader_(std::move(reader)) {}

  // Runs `op` on the writer connection inside a group-committed transaction;
  // returns once that transaction committed (or failed).
  Status RunWrite(const std::function<Status(Connection&)>& op);
  void CommitBatch(const std::vector<Write*>& batch);
  // One statement in a group-committed transaction; the rows it changed.
  Result<int64_t> WriteOne(std::string_view sql, std::string_view context,
                           const std::function<void(sqlite::Statement&)>& bind);
  // Moves task `id` with `sql` (?1 = now, ?2 = id). nullopt when it applied;
  // otherwise the task's status, or "" when there is no such task.
  // Parts of a write, inside RunWrite's transaction.
  Status InsertTasks(Connection& c, const std::vector<NewTask>& tasks, int64_t now, std::vector<std::string>* ids);
  Status ClaimTasks(Connection& c, const ClaimRequest& claim, int64_t now, std::vector<TaskRow>* claimed);

  // Runs `sql` (?1 now, ?2 the ID) on one task; when it changes nothing, `refused` says why from the
  // task's status ("" when there is no such task), read in the same transaction.
  using Refusal = Status (*)(std::string_view id, std::string_view status);
  Status Transition(std::string_view sql, std::string_view id, int64_t now, std::string_view context, Refusal refused);

  const size_t payload_apart_from_;
  mutable Mutex queue_mu_;
  CondVar committed_;
  std::vector<Write*> waiting_ PIER_GUARDED_BY(queue_mu_);
  bool writing_ PIER_GUARDED_BY(queue_mu_) = false;  // a thread owns writer_
  CommitStats stats_ PIER_GUARDED_BY(queue_mu_);
  Connection writer_;             // used only by the thread that set writing_
  // Checkpoints off the committing threads; declared after writer_, so it
  // is destroyed (and unhooked) first.
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;

  Mutex read_mu_;
  Connection reader_ PIER_GUARDED_BY(read_mu_);
};

}  // namespace pier::taskqueue
