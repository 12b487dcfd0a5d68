// Heartbeat: the host services working together. nd_on_init creates a task
// queue and a recurring `@every 2s` schedule; each firing enqueues a task;
// each task adds one to a counter in the KVStore and logs it. `status`
// answers the count and the time of the last beat.
#include <ctime>
#include <string>

#include "pier/capabilities/lifecycle.h"
#include "pier/capabilities/scheduler_callback.h"
#include "pier/capabilities/task_worker.h"
#include "pier/host/kvstore.h"
#include "pier/host/scheduler.h"
#include "pier/host/task.h"
#include "pier/pdk.h"
#include "pier/pdk/json.h"

namespace {

constexpr std::string_view kQueue = "beats";

pier::Result<int64_t> Count() {
  PIER_ASSIGN_OR_RETURN(auto got, pier::host::KVStoreGet("count"));
  return got.exists ? std::stoll(got.value) : 0;
}

class Init : public pier::capabilities::Lifecycle {
 public:
  pier::Status OnInit(const pier::wire::InitRequest&) override {
    pier::wire::QueueConfig config;
    config.max_retries = 2;
    // The queue persists across restarts; creating it again re-opens it.
    PIER_RETURN_IF_ERROR(pier::host::TaskCreateQueue(kQueue, config));
    PIER_ASSIGN_OR_RETURN(std::string id, pier::host::SchedulerScheduleRecurring("@every 2s", "beat", "heartbeat"));
    pier::pdk::LogInfo("heartbeat scheduled (" + id + ", every 2 s)");
    return pier::OkStatus();
  }
};

class Beat : public pier::capabilities::SchedulerCallback {
 public:
  pier::Status OnCallback(const pier::wire::SchedulerCallbackRequest&) override {
    PIER_ASSIGN_OR_RETURN(std::string task, pier::host::TaskEnqueue(kQueue, std::to_string(std::time(nullptr))));
    (void)task;
    return pier::OkStatus();
  }
};

class Worker : public pier::capabilities::TaskWorker {
 public:
  pier::Result<std::string> OnTaskExecute(const pier::wire::TaskExecuteRequest& task) override {
    PIER_ASSIGN_OR_RETURN(int64_t n, Count());
    ++n;
    PIER_RETURN_IF_ERROR(pier::host::KVStoreSet("count", std::to_string(n)));
    PIER_RETURN_IF_ERROR(pier::host::KVStoreSet("last", task.payload));
    pier::pdk::LogInfo("heartbeat #" + std::to_string(n) + " stored in the KVStore (task " + task.task_id + ")");
    return "beat " + std::to_string(n);
  }
};

}  // namespace

PIER_REGISTER_LIFECYCLE(Init);
PIER_REGISTER_SCHEDULER_CALLBACK(Beat);
PIER_REGISTER_TASK_WORKER(Worker);

PIER_FUNCTION(status) {
  PIER_ASSIGN_OR_RETURN(int64_t n, Count());
  PIER_ASSIGN_OR_RETURN(auto last, pier::host::KVStoreGet("last"));
  return pier::pdk::ToJson({{"beats", n}, {"last", last.exists ? std::stoll(last.value) : 0}});
}
