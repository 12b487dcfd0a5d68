// Queue administration, shared by the admin API of `pier serve` and by
// `pier queue` working on a data folder with no server running: one set of
// operations, one JSON shape.
//
//   auto tasks = OpenQueuesOffline(data_dir, "worker").value();
//   auto out = RunQueueOp(*tasks, {.op = "stats", .queue = "jobs"}).value();
//
// Operations (`queue`/`task` as needed):
//   list                       [QueueStats...]
//   stats    queue             QueueStats
//   tasks    queue [status, limit, offset]   [TaskDetail...] (newest first)
//   show     task              TaskDetail
//   cancel   task              {"ok":true}  (pending, or running here: interrupted)
//   delete   task              {"ok":true}  (not running: pending or finished)
//   run      task              {"ok":true}  (pending: due now, if it was waiting for its time)
//   retry    task | queue      {"ok":true} | {"retried":N}  (one task, or every failed one)
//   pause / resume   queue     {"ok":true}
//   purge    queue [status]    {"purged":N}  (finished tasks only)
//   enqueue  queue, body = JSON array of TaskSpec   {"ids":[...]}
// Long operations (retry of a queue, purge) report progress after each batch.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include "pier/wire/gojson.h"
#include <string>

#include "services/taskqueue/task_service.h"

namespace pier {

namespace pg {
class Database;
}

struct QueueRequest {
  std::string op;
  std::string queue;
  std::string task;
  std::string status;
  int limit = 100;
  int offset = 0;
  std::string body;
};

// The operations that can report progress.
bool IsLongQueueOp(const QueueRequest& request);

// The checks a long operation would fail on at once (unknown queue, bad
// status), so a server can refuse it before streaming progress.
Status CheckQueueOp(taskqueue::TaskQueueService& tasks, const QueueRequest& request);

Result<wire::Json> RunQueueOp(taskqueue::TaskQueueService& tasks, const QueueRequest& request,
                                  const std::function<void(int64_t done)>& progress = {});

// A plugin's queues opened for administration: nothing runs. With shared
// `storage` (PostgreSQL) its rows there, else its SQLite file.
Result<std::unique_ptr<taskqueue::TaskQueueService>> OpenQueuesOffline(
    const std::filesystem::path& data_dir, const std::string& plugin_id,
    std::shared_ptr<pg::Database> storage = nullptr);

}  // namespace pier
