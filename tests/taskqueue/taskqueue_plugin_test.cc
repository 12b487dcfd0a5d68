// Task queues through real plugins, loaded by the real manager, over real
// SQLite files:
//  - the original's integration behaviours (spec §7.4 I1-I8) with a plugin
//    built on Navidrome's own Go kit speaking the test-taskqueue protocol;
//  - Pier's extensions and robustness with a C++-kit worker.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <filesystem>
#include <thread>

#include "manager/plugin_manager.h"
#include "services/taskqueue/sqlite_task_store.h"
#include "services/taskqueue/task_service.h"
#include "support/test_plugins.h"
#include "support/wait.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kGoManifest[] =
    R"({"name":"test-taskqueue","author":"pier","version":"1","permissions":{"taskqueue":{"maxConcurrency":10}}})";
constexpr char kCppManifest[] =
    R"({"name":"worker","author":"pier","version":"1","permissions":{"taskqueue":{"maxConcurrency":4},)"
    R"("http":{"requiredHosts":["127.0.0.1"]}}})";

class TaskQueuePluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-tq-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "plugins");
    runtime_ = Runtime::Create().value();
    Restart();
  }
  void TearDown() override {
    manager_.reset();
    fs::remove_all(dir_);
  }
  void Restart(std::chrono::milliseconds call_timeout = 5000ms) {
    manager_.reset();
    ManagerOptions options;
    options.data_dir = dir_ / "data";
    options.call_timeout = call_timeout;
    options.task_shutdown_grace = 2000ms;
    manager_ = std::make_unique<PluginManager>(*runtime_, options);
  }
  fs::path Package(const std::string& id, const std::string& manifest, const std::string& wasm) {
    testing::ZipWriter zip;
    zip.Add("manifest.json", manifest);
    zip.Add("plugin.wasm", testing::PluginWasm(wasm));
    const fs::path path = dir_ / "plugins" / (id + ".ndp");
    zip.WriteTo(path);
    return path;
  }
  std::shared_ptr<LoadedPlugin> Load(const std::string& id, const std::string& manifest, const std::string& wasm,
                                     const std::string& config = "") {
    auto loaded = manager_->Load(Package(id, manifest, wasm), {.config_json = config});
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    return loaded.ok() ? *loaded : nullptr;
  }
  // Calls nd_test_taskqueue (the original's test export) with `input`.
  json Op(LoadedPlugin& p, const json& input) {
    auto r = p.plugin->Call("nd_test_taskqueue", input.dump());
    EXPECT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().message());
    return r.ok() && r->is_output() ? json::parse(r->output()) : json::object();
  }
  std::string Call(LoadedPlugin& p, const std::string& fn, const std::string& input) {
    auto r = p.plugin->Call(fn, input);
    EXPECT_TRUE(r.ok() && r->is_output()) << fn << ": " << (r.ok() ? r->Describe() : r.status().message());
    return r.ok() && r->is_output() ? r->output() : "";
  }
  // Waits until `pred` holds (true) or `limit` passes (false).
  template <typename F>
  bool WaitFor(F pred, std::chrono::milliseconds limit = 5000ms) {
    return testing::WaitFor(pred, limit, 5ms);
  }
  std::string Status(LoadedPlugin& p, const std::string& id) {
    auto t = p.tasks->TaskDetailOf(id);
    return t.ok() ? t->status : t.status().message();
  }

  fs::path dir_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginManager> manager_;
};

// --- spec §7.4, integration level, with the upstream Go kit ---

TEST_F(TaskQueuePluginTest, I1_LoadsWithItsBudgetAndTheTaskWorkerCapability) {
  auto p = Load("test-taskqueue", kGoManifest, "go_taskqueue");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->manifest.permissions.taskqueue->max_concurrency, 10);
  EXPECT_NE(std::find(p->capabilities.begin(), p->capabilities.end(), "TaskWorker"), p->capabilities.end());
  EXPECT_TRUE(fs::exists(dir_ / "data" / "plugins" / "test-taskqueue" / "taskqueue.db"));
}

TEST_F(TaskQueuePluginTest, I2_CreateTwiceFailsWithAlreadyExists) {
  auto p = Load("test-taskqueue", kGoManifest, "go_taskqueue");
  EXPECT_FALSE(Op(*p, {{"operation", "create_queue"}, {"queueName", "q"}}).contains("error"));
  EXPECT_EQ(Op(*p, {{"operation", "create_queue"}, {"queueName", "q"}})["error"], "queue \"q\" already exists");
  EXPECT_EQ(Op(*p, {{"operation", "bogus"}})["error"], "unknown operation: bogus");
}

TEST_F(TaskQueuePluginTest, I3_I4_I5_TasksCompleteFailAndRetry) {
  auto p = Load("test-taskqueue", kGoManifest, "go_taskqueue");
  Op(*p, {{"operation", "create_queue"}, {"queueName", "ok"}});
  Op(*p, {{"operation", "create_queue"}, {"queueName", "bad"}, {"config", {{"maxRetries", 0}}}});
  Op(*p, {{"operation", "create_queue"},
          {"queueName", "flaky"},
          {"config", {{"maxRetries", 2}, {"backoffMs", 100}}}});
  const std::string hello = Op(*p, {{"operation", "enqueue"}, {"queueName", "ok"}, {"payload", "aGVsbG8="}})["taskId"];
  const std::string fail = Op(*p, {{"operation", "enqueue"}, {"queueName", "bad"}, {"payload", "ZmFpbA=="}})["taskId"];
  const std::string flaky =
      Op(*p, {{"operation", "enqueue"}, {"queueName", "flaky"}, {"payload", "ZmFpbC10aGVuLXN1Y2NlZWQ="}})["taskId"];
  auto status = [&](const std::string& id) { return Op(*p, {{"operation", "get_task_status"}, {"taskId", id}}); };
  ASSERT_TRUE(WaitFor([&] { return status(hello)["status"] == "completed"; })) << status(hello);
  EXPECT_EQ(status(hello)["message"], "completed successfully");
  EXPECT_EQ(status(hello)["attempt"], 1);
  ASSERT_TRUE(WaitFor([&] { return status(fail)["status"] == "failed"; })) << status(fail);
  EXPECT_EQ(status(fail)["message"], "plugin call failed: task failed as instructed");
  ASSERT_TRUE(WaitFor([&] { return status(flaky)["status"] == "completed"; })) << status(flaky);
  EXPECT_EQ(status(flaky)["attempt"], 2);
  EXPECT_EQ(p->tasks->TaskDetailOf(flaky)->last_error, "plugin call failed: transient failure")
      << "the intermediate error is recorded";
  EXPECT_EQ(status("nope")["error"], "task \"nope\" not found");
}

TEST_F(TaskQueuePluginTest, I6_ThrottledTasksStayPendingAndCancellable) {
  auto p = Load("test-taskqueue", kGoManifest, "go_taskqueue");
  Op(*p, {{"operation", "create_queue"}, {"queueName", "slow"}, {"config", {{"concurrency", 1}, {"delayMs", 60000}}}});
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Op(*p, {{"operation", "enqueue"}, {"queueName", "slow"}, {"payload", "eA=="}})["taskId"]);
  }
  ASSERT_TRUE(WaitFor([&] { return Status(*p, ids[0]) == "completed"; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(Status(*p, ids[1]), "pending") << "the token is taken before the claim, so it never sits in running";
  EXPECT_FALSE(Op(*p, {{"operation", "cancel_task"}, {"taskId", ids[4]}}).contains("error"));
  EXPECT_EQ(Op(*p, {{"operation", "get_task_status"}, {"taskId", ids[4]}})["status"], "cancelled");
  EXPECT_FALSE(Op(*p, {{"operation", "cancel_task"}, {"taskId", ids[1]}}).contains("error"))
      << "even the next one in line is cancellable";
}

TEST_F(TaskQueuePluginTest, I7_I8_UnknownQueuesAndClearing) {
  auto p = Load("test-taskqueue", kGoManifest, "go_taskqueue");
  EXPECT_EQ(Op(*p, {{"operation", "enqueue"}, {"queueName", "never"}, {"payload", "eA=="}})["error"],
            "queue \"never\" does not exist");
  Op(*p, {{"operation", "create_queue"}, {"queueName", "slow"}, {"config", {{"concurrency", 1}, {"delayMs", 60000}}}});
  for (int i = 0; i < 4; ++i) Op(*p, {{"operation", "enqueue"}, {"queueName", "slow"}, {"payload", "eA=="}});
  std::this_thread::sleep_for(200ms);
  EXPECT_GE(Op(*p, {{"operation", "clear_queue"}, {"queueName", "slow"}})["cleared"].get<int>(), 3);
  EXPECT_EQ(Op(*p, {{"operation", "clear_queue"}, {"queueName", "nope"}})["error"], "queue \"nope\" does not exist");
}

// --- Pier: restart, isolation, unload, extensions ---

TEST_F(TaskQueuePluginTest, QueuesAndTasksSurviveARestartAndTheQueueReopens) {
  auto p = Load("worker", kCppManifest, "cpp_task_worker", R"({"queue":"jobs","concurrency":2})");
  ASSERT_TRUE(p->tasks->SetPaused("jobs", true).ok());
  const std::string id = Call(*p, "enqueue_noops", "1");
  EXPECT_EQ(Status(*p, id), "pending") << "paused";
  p.reset();
  Restart();
  p = Load("worker", kCppManifest, "cpp_task_worker", R"({"queue":"jobs","concurrency":2})");
  ASSERT_TRUE(p) << "nd_on_init re-created its queue without 'already exists'";
  auto stats = p->tasks->QueueStatsOf("jobs").value();
  EXPECT_TRUE(stats.paused) << "an administrator's pause survives the restart";
  EXPECT_EQ(stats.concurrency, 2);
  ASSERT_TRUE(p->tasks->SetPaused("jobs", false).ok());
  EXPECT_TRUE(WaitFor([&] { return Status(*p, id) == "completed"; }));
}

TEST_F(TaskQueuePluginTest, PluginsHaveSeparateDatabases) {
  auto a = Load("worker-a", kCppManifest, "cpp_task_worker");
  auto b = Load("worker-b", kCppManifest, "cpp_task_worker");
  const std::string id = Call(*a, "enqueue_noops", "1");
  EXPECT_FALSE(b->tasks->TaskDetailOf(id).ok());
  EXPECT_TRUE(fs::exists(dir_ / "data" / "plugins" / "worker-a" / "taskqueue.db"));
  EXPECT_TRUE(fs::exists(dir_ / "data" / "plugins" / "worker-b" / "taskqueue.db"));
}

TEST_F(TaskQueuePluginTest, UnloadStopsWorkersBeforeThePluginGoesAndLosesNothing) {
  auto p = Load("worker", kCppManifest, "cpp_task_worker", R"({"concurrency":2})");
  json specs = json::array();
  for (int i = 0; i < 20; ++i) specs.push_back({{"payload", "c2xlZXA6MjA="}});  // sleep:20
  Call(*p, "enqueue_many", specs.dump());
  std::this_thread::sleep_for(50ms);
  p.reset();
  ASSERT_TRUE(manager_->Unload("worker").ok());
  auto store_view = manager_->Load(Package("worker", kCppManifest, "cpp_task_worker"), {});
  ASSERT_TRUE(store_view.ok());
  // Nothing was left running, nothing failed with "plugin not loaded".
  EXPECT_TRUE(WaitFor([&] { return (*store_view)->tasks->QueueStatsOf("work")->completed == 20; }, 10000ms))
      << (*store_view)->tasks->QueueStatsOf("work")->completed;
  EXPECT_EQ((*store_view)->tasks->QueueStatsOf("work")->failed, 0);
}

TEST_F(TaskQueuePluginTest, BatchPriorityDelayAndUniqueKeys) {
  auto p = Load("worker", kCppManifest, "cpp_task_worker");
  Call(*p, "extension", "pause");
  const json specs = json::array({{{"payload", "bG93"}},                                     // low
                                  {{"payload", "aGlnaA=="}, {"priority", 9}},                // high
                                  {{"payload", "bGF0ZXI="}, {"delayMs", 400}},               // later
                                  {{"payload", "dQ=="}, {"uniqueKey", "k"}},                 // unique
                                  {{"payload", "dTI="}, {"uniqueKey", "k"}}});               // duplicate
  std::vector<std::string> ids;
  std::stringstream lines(Call(*p, "enqueue_many", specs.dump()));
  for (std::string line; std::getline(lines, line);) ids.push_back(line);
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[3], ids[4]) << "a pending unique key returns the existing task";
  Call(*p, "extension", "resume");
  ASSERT_TRUE(WaitFor([&] { return Status(*p, ids[0]) == "completed" && Status(*p, ids[1]) == "completed"; }));
  auto hi = p->tasks->TaskDetailOf(ids[1]).value();
  auto lo = p->tasks->TaskDetailOf(ids[0]).value();
  EXPECT_LE(hi.updated_at, lo.updated_at) << "priority 9 ran first";
  EXPECT_EQ(Status(*p, ids[2]), "pending") << "delayed";
  EXPECT_TRUE(WaitFor([&] { return Status(*p, ids[2]) == "completed"; }));
  auto later = p->tasks->TaskDetailOf(ids[2]).value();
  EXPECT_GE(later.updated_at - later.created_at, 400);
  auto stats = json::parse(Call(*p, "extension", "stats"));
  EXPECT_EQ(stats["completed"], 4);
  EXPECT_EQ(stats["name"], "work");
  EXPECT_EQ(json::parse(Call(*p, "extension", "list completed")).size(), 4u);
}

TEST_F(TaskQueuePluginTest, RunningTaskIsInterruptedTimedOutAndRetriable) {
  Restart(1500ms);
  auto p = Load("worker", kCppManifest, "cpp_task_worker");
  const std::string spin = Call(*p, "enqueue_many", R"([{"payload":"c3Bpbg=="}])");  // spin
  const std::string id = spin.substr(0, spin.find('\n'));
  ASSERT_TRUE(WaitFor([&] { return Status(*p, id) == "running"; }));
  const auto start = std::chrono::steady_clock::now();
  Call(*p, "extension", "interrupt " + id);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms) << "the call was interrupted, not waited out";
  auto t = p->tasks->TaskDetailOf(id).value();
  EXPECT_EQ(t.status, "cancelled");
  EXPECT_NE(t.message.find("cancelled while running"), std::string::npos) << t.message;
  ASSERT_EQ(json::parse(Call(*p, "extension", "get " + id))["status"], "cancelled");

  // A per-task timeout shorter than the host's stops a spinning call.
  const std::string timed = Call(*p, "enqueue_many", R"([{"payload":"c3Bpbg==","timeoutMs":200}])");
  const std::string tid = timed.substr(0, timed.find('\n'));
  ASSERT_TRUE(WaitFor([&] { return Status(*p, tid) == "failed"; }, 3000ms));
  EXPECT_NE(p->tasks->TaskDetailOf(tid)->message.find("plugin call failed"), std::string::npos);
  EXPECT_LT(p->tasks->TaskDetailOf(tid)->updated_at - p->tasks->TaskDetailOf(tid)->created_at, 1200);

  // Failed tasks stay inspectable and can be retried: the retry counts its
  // attempts afresh. (A worker may claim the task the moment the retry
  // commits, so its attempt is compared once it has failed again.)
  const int attempts_before = p->tasks->TaskDetailOf(tid)->attempt;
  Call(*p, "extension", "retry " + tid);
  EXPECT_NE(Status(*p, tid), "failed");
  EXPECT_TRUE(WaitFor([&] { return Status(*p, tid) == "failed"; }, 3000ms));
  EXPECT_EQ(p->tasks->TaskDetailOf(tid)->attempt, attempts_before);
}

TEST_F(TaskQueuePluginTest, ACrashedRunsTasksComeBackAtOnceAndPoisonStops) {
  // Simulate a crash: a store whose previous run of this node left tasks
  // running (with their leases far from expiring).
  {
    auto store = taskqueue::SqliteTaskStore::Open(dir_ / "data" / "plugins" / "worker" / "taskqueue.db").value();
    ASSERT_TRUE(store->SaveQueue({.name = "work"}).ok());
    store->Enqueue({{.queue = "work", .payload = "noop", .max_retries = 1},
                    {.queue = "work", .payload = "noop", .max_retries = 0}},
                   1000)
        .value();
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    const std::string dead = std::string(host) + "/dead-run";
    auto claimed = store->Claim({.queue = "work", .owner = dead, .lease_ms = 1LL << 40, .max = 2}, 2000).value();
    ASSERT_EQ(claimed.size(), 2u);
    // Both calls had started (their starts recorded) when the run died.
    ASSERT_TRUE(store->FinishAndClaim({.started = {{claimed[0].id, dead}, {claimed[1].id, dead}}}, 2100).ok());
  }
  auto p = Load("worker", kCppManifest, "cpp_task_worker");
  auto stats = [&] { return p->tasks->QueueStatsOf("work").value(); };
  EXPECT_TRUE(WaitFor([&] { return stats().completed == 1 && stats().failed == 1; }, 3000ms))
      << stats().completed << " completed, " << stats().failed << " failed, " << stats().running << " running";
}

}  // namespace
}  // namespace pier
