// A TaskWorker written with Pier's C++ kit, for the task-queue tests, the
// crash harness and the benchmark.
//
// nd_task_execute, by payload:
//   "fail"             -> error "task failed as instructed"
//   "sleep:<ms>"       -> waits <ms> (WASI clock), then succeeds
//   "spin"             -> loops until the host stops the call
//   "report:<url>"     -> POSTs "<taskId> <attempt>" to <url> (the crash
//                         harness's witness of every execution), then succeeds
//   "span:<ms>:<url>"  -> POSTs "<taskId> begin", waits <ms>, POSTs "<taskId> end"
//                         (how many run at once, across nodes), then succeeds
//   anything else      -> "ok" at once (the benchmark's no-op task)
// Config key "queue" (default "work") names the queue nd_on_init creates with
// the config keys "concurrency", "max_retries" and "backoff_ms".
#include <string>
#include <ctime>

#include "pier/capabilities/lifecycle.h"
#include "pier/capabilities/task_worker.h"
#include "pier/host/config.h"
#include "pier/host/task.h"
#include "pier/pdk.h"

namespace {

int64_t ConfigInt(const char* key, int64_t fallback) {
  auto v = pier::host::ConfigGetInt(key);
  return v.ok() && v->exists ? v->value : fallback;
}

std::string QueueName() {
  auto q = pier::host::ConfigGet("queue");
  return q.ok() && q->exists ? q->value : "work";
}

}  // namespace

class Worker : public pier::capabilities::TaskWorker {
 public:
  pier::Result<std::string> OnTaskExecute(const pier::wire::TaskExecuteRequest& r) override {
    const std::string& p = r.payload;
    if (p == "fail") return pier::InternalError("task failed as instructed");
    if (p.rfind("sleep:", 0) == 0) {
      const long long ms = std::stoll(p.substr(6));
      timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L};
      nanosleep(&ts, nullptr);
    } else if (p == "spin") {
      volatile uint64_t n = 0;
      while (true) n = n + 1;
    } else if (p.rfind("span:", 0) == 0) {
      const size_t colon = p.find(':', 5);
      const long long ms = std::stoll(p.substr(5, colon - 5));
      const std::string url = p.substr(colon + 1);
      for (const char* mark : {"begin", "end"}) {
        if (std::string(mark) == "end") {
          timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L};
          nanosleep(&ts, nullptr);
        }
        pier::pdk::HttpRequest req{.method = "POST", .url = url};
        req.body = r.task_id + " " + mark;
        PIER_ASSIGN_OR_RETURN(auto resp, pier::pdk::Send(req));
        if (resp.status != 200) return pier::InternalError("witness answered " + std::to_string(resp.status));
      }
    } else if (p.rfind("report:", 0) == 0) {
      pier::pdk::HttpRequest req{.method = "POST", .url = p.substr(7)};
      req.body = r.task_id + " " + std::to_string(r.attempt);
      PIER_ASSIGN_OR_RETURN(auto resp, pier::pdk::Send(req));
      if (resp.status != 200) return pier::InternalError("witness answered " + std::to_string(resp.status));
    }
    return std::string("ok");
  }
};
PIER_REGISTER_TASK_WORKER(Worker);

class Init : public pier::capabilities::Lifecycle {
 public:
  pier::Status OnInit(const pier::wire::InitRequest&) override {
    pier::wire::QueueConfig config;
    config.concurrency = static_cast<int32_t>(ConfigInt("concurrency", 1));
    config.max_retries = static_cast<int32_t>(ConfigInt("max_retries", 0));
    config.backoff_ms = ConfigInt("backoff_ms", 0);
    return pier::host::TaskCreateQueue(QueueName(), config);
  }
};
PIER_REGISTER_LIFECYCLE(Init);

// Input: "<count>": enqueues that many no-op tasks one by one (the plugin-side
// enqueue path of the benchmark); output: the last task ID.
PIER_FUNCTION(enqueue_noops) {
  const int n = std::stoi(std::string(input));
  std::string last;
  for (int i = 0; i < n; ++i) {
    PIER_ASSIGN_OR_RETURN(last, pier::host::TaskEnqueue(QueueName(), "noop"));
  }
  return last;
}

// Input: a JSON array of TaskSpec; enqueues them in one batch. Output: the IDs.
PIER_FUNCTION(enqueue_many) {
  auto json = pier::wire::Json::parse(std::string(input));
  std::vector<pier::wire::TaskSpec> specs;
  PIER_RETURN_IF_ERROR(pier::wire::DecodeList(json, &specs, "tasks", pier::wire::DecodeTaskSpec));
  PIER_ASSIGN_OR_RETURN(auto ids, pier::host::TaskEnqueueMany(QueueName(), specs));
  std::string out;
  for (const auto& id : ids) out += id + "\n";
  return out;
}

// Input: "<op> <arg>" for the other extensions; output: JSON of the answer.
PIER_FUNCTION(extension) {
  const std::string in = std::string(input);
  const std::string op = in.substr(0, in.find(' '));
  const std::string arg = in.find(' ') == std::string::npos ? "" : in.substr(in.find(' ') + 1);
  if (op == "stats") {
    PIER_ASSIGN_OR_RETURN(auto s, pier::host::TaskGetQueueStats(QueueName()));
    return pier::wire::EncodeQueueStats(*s).dump();
  }
  if (op == "list") {
    PIER_ASSIGN_OR_RETURN(auto tasks, pier::host::TaskListTasks(QueueName(), arg, 0, 0));
    return pier::wire::EncodeList(tasks, pier::wire::EncodeTaskDetail).dump();
  }
  if (op == "pause") PIER_RETURN_IF_ERROR(pier::host::TaskPauseQueue(QueueName()));
  if (op == "resume") PIER_RETURN_IF_ERROR(pier::host::TaskResumeQueue(QueueName()));
  if (op == "interrupt") PIER_RETURN_IF_ERROR(pier::host::TaskInterrupt(arg));
  if (op == "retry") PIER_RETURN_IF_ERROR(pier::host::TaskRetry(arg));
  if (op == "get") {
    PIER_ASSIGN_OR_RETURN(auto info, pier::host::TaskGet(arg));
    return pier::wire::EncodeTaskInfo(*info).dump();
  }
  return std::string("done");
}
