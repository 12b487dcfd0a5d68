#include "admin/queue_admin.h"
#include "pier/json.h"

#include "common/plugin_id.h"
#include "services/taskqueue/postgres_task_store.h"
#include "services/taskqueue/sqlite_task_store.h"

namespace pier {

namespace {

using Json = wire::Json;

Status Need(const std::string& value, const char* what) {
  if (value.empty()) return InvalidArgumentError(std::string("missing ") + what);
  return OkStatus();
}

}  // namespace

bool IsLongQueueOp(const QueueRequest& r) { return r.op == "purge" || (r.op == "retry" && r.task.empty()); }

Status CheckQueueOp(taskqueue::TaskQueueService& tasks, const QueueRequest& r) {
  if (r.op == "purge" && !r.status.empty() && r.status != "completed" && r.status != "failed" &&
      r.status != "cancelled") {
    return InvalidArgumentError("only finished tasks (completed, failed, cancelled) can be purged, not " + r.status);
  }
  if (!r.queue.empty() || IsLongQueueOp(r)) {
    PIER_RETURN_IF_ERROR(Need(r.queue, "queue name"));
    PIER_RETURN_IF_ERROR(tasks.QueueStatsOf(r.queue).status());
  }
  return OkStatus();
}

Result<Json> RunQueueOp(taskqueue::TaskQueueService& tasks, const QueueRequest& r,
                        const std::function<void(int64_t)>& progress) {
  const Json ok = {{"ok", true}};
  if (r.op == "list") {
    PIER_ASSIGN_OR_RETURN(auto all, tasks.AllQueueStats());
    return wire::EncodeList(all, wire::EncodeQueueStats);
  }
  if (r.op == "show" || r.op == "cancel" || r.op == "delete" || r.op == "run" || (r.op == "retry" && !r.task.empty())) {
    PIER_RETURN_IF_ERROR(Need(r.task, "task ID"));
    if (r.op == "show") {
      PIER_ASSIGN_OR_RETURN(auto t, tasks.TaskDetailOf(r.task));
      return wire::EncodeTaskDetail(t);
    }
    PIER_RETURN_IF_ERROR(r.op == "cancel"   ? tasks.CancelTask(r.task)
                         : r.op == "delete" ? tasks.DeleteTask(r.task)
                         : r.op == "run"    ? tasks.RunTaskNow(r.task)
                                            : tasks.RetryTask(r.task));
    return ok;
  }
  PIER_RETURN_IF_ERROR(Need(r.queue, "queue name"));
  if (r.op == "stats") {
    PIER_ASSIGN_OR_RETURN(auto s, tasks.QueueStatsOf(r.queue));
    return wire::EncodeQueueStats(s);
  }
  if (r.op == "tasks") {
    PIER_ASSIGN_OR_RETURN(auto list, tasks.Tasks({.queue = r.queue, .status = r.status, .limit = r.limit,
                                                  .offset = r.offset}));
    return wire::EncodeList(list, wire::EncodeTaskDetail);
  }
  if (r.op == "pause" || r.op == "resume") {
    PIER_RETURN_IF_ERROR(tasks.SetPaused(r.queue, r.op == "pause"));
    return ok;
  }
  if (r.op == "retry") {
    PIER_ASSIGN_OR_RETURN(int64_t n, tasks.RetryFailed(r.queue, progress));
    return Json{{"retried", n}};
  }
  if (r.op == "purge") {
    PIER_ASSIGN_OR_RETURN(int64_t n, tasks.Purge(r.queue, r.status, progress));
    return Json{{"purged", n}};
  }
  if (r.op == "enqueue") {
    auto parsed = ParseJson<Json>(r.body);
    if (!parsed.ok()) return InvalidArgumentError("the body is not usable JSON: " + parsed.status().message());
    const Json& body = *parsed;
    std::vector<wire::TaskSpec> specs;
    PIER_RETURN_IF_ERROR(wire::DecodeList(body, &specs, "tasks", wire::DecodeTaskSpec));
    PIER_ASSIGN_OR_RETURN(auto ids, tasks.AdminEnqueue(r.queue, specs));
    return Json{{"ids", ids}};
  }
  return InvalidArgumentError("unknown queue operation '" + r.op + "'");
}

Result<std::unique_ptr<taskqueue::TaskQueueService>> OpenQueuesOffline(const std::filesystem::path& data_dir,
                                                                      const std::string& plugin_id,
                                                                      std::shared_ptr<pg::Database> storage) {
  if (storage) {
    auto store = std::make_unique<taskqueue::PostgresTaskStore>(std::move(storage), plugin_id);
    PIER_ASSIGN_OR_RETURN(auto queues, store->LoadQueues());
    if (queues.empty()) return NotFoundError("plugin " + plugin_id + " has no task queues");
    return std::make_unique<taskqueue::TaskQueueService>(std::move(store), taskqueue::TaskServiceOptions{});
  }
  PIER_ASSIGN_OR_RETURN(const auto dir, PluginDataDir(data_dir, plugin_id));
  const auto file = dir / "taskqueue.db";
  if (!std::filesystem::exists(file)) return NotFoundError("plugin " + plugin_id + " has no task queues");
  PIER_ASSIGN_OR_RETURN(auto store, taskqueue::SqliteTaskStore::Open(file));
  return std::make_unique<taskqueue::TaskQueueService>(std::move(store), taskqueue::TaskServiceOptions{});
}

}  // namespace pier
