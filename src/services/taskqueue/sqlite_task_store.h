// SqliteTaskStore: TaskStore in one SQLite file per plugin
// (`<plugin data>/taskqueue.db`). Its first three migrations are the
// original host's, so an existing Navidrome taskqueue.db (user_version 3) is
// upgraded in place; later ones add leases, last error, priority, unique
// keys, per-task retry policy and paused queues.
//
// Thread-safe: one connection, used under a lock.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "services/taskqueue/task_store.h"
#include "storage/sqlite/database.h"

namespace pier::taskqueue {

class SqliteTaskStore final : public TaskStore {
 public:
  static Result<std::unique_ptr<SqliteTaskStore>> Open(const std::filesystem::path& file);

  Status SaveQueue(const QueueSettings& queue) override;
  Result<std::vector<QueueSettings>> LoadQueues() override;
  Result<std::vector<std::string>> Enqueue(const std::vector<NewTask>& tasks, int64_t now_ms) override;
  Result<std::optional<TaskRow>> Get(std::string_view id) override;
  Status Cancel(std::string_view id, int64_t now_ms) override;
  Result<int64_t> CancelPending(std::string_view queue, int64_t now_ms) override;
  Result<std::vector<TaskRow>> Claim(std::string_view queue, std::string_view owner, int64_t now_ms, int64_t lease_ms,
                                     int max) override;
  Result<int64_t> Finish(const std::vector<Completion>& completions, int64_t now_ms) override;
  Result<int64_t> RecoverExpiredLeases(int64_t now_ms) override;
  Result<int64_t> DeleteFinishedBefore(std::string_view queue, int64_t cutoff_ms) override;
  Result<QueueStats> Stats(std::string_view queue) override;

 private:
  explicit SqliteTaskStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}

  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;  // guarded by mu_
};

// A new task ID: 22 random characters from [0-9A-Za-z], as the original's.
std::string NewTaskId();

}  // namespace pier::taskqueue
