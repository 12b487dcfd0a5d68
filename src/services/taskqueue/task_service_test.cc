// The Task service's contract (spec §5.3-§5.5, §5.13), over a real SQLite
// store and a fake clock.
#include "services/taskqueue/task_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <thread>

#include "common/duration.h"
#include "services/taskqueue/sqlite_task_store.h"
#include "support/wait.h"
#include "support/test_call_context.h"

namespace pier::taskqueue {
namespace {

namespace fs = std::filesystem;

using NoContext = pier::testing::TestCallContext;

class TaskServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-tasksvc-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    Reopen(5);
  }
  void TearDown() override {
    service_.reset();
    fs::remove_all(dir_);
  }
  void Reopen(int32_t max_concurrency) {
    service_.reset();
    TaskServiceOptions options;
    options.max_concurrency = max_concurrency;
    options.node = "test-node";
    options.now_ms = [this] { return now_.load(); };
    options.dispatch.max_sleep = std::chrono::milliseconds(1);  // notice the fake clock moving
    options.dispatch.shutdown_grace = std::chrono::milliseconds(500);
    auto store = SqliteTaskStore::Open(dir_ / "taskqueue.db").value();
    sqlite_ = store.get();
    service_ = std::make_unique<TaskQueueService>(std::move(store), options);
  }
  Status Create(const std::string& name, wire::QueueConfig config = {}) {
    return service_->CreateQueue(ctx_, {name, config});
  }

  // Starts the workers with `execute` (called on worker threads).
  void Run(TaskExecutor execute) { service_->Start(std::move(execute)); }
  template <typename F>
  bool WaitFor(F pred) {
    return testing::WaitFor(pred, std::chrono::milliseconds(3000));
  }
  wire::TaskDetail Task(const std::string& id) { return service_->TaskDetailOf(id).value(); }
  std::string Add(const std::string& queue, const std::string& payload = "x") {
    return service_->Enqueue(ctx_, {queue, payload}).value().result;
  }

  fs::path dir_;
  std::atomic<int64_t> now_ = 1'000'000;
  NoContext ctx_;
  SqliteTaskStore* sqlite_ = nullptr;  // owned by service_
  std::unique_ptr<TaskQueueService> service_;
};

TEST_F(TaskServiceTest, QueueNamesAreValidated) {
  EXPECT_EQ(Create("").message(), "queue name cannot be empty");
  EXPECT_EQ(Create(std::string(129, 'q')).message(), "queue name exceeds maximum length of 128 bytes");
  std::string utf8;
  for (int i = 0; i < 43; ++i) utf8 += "\xe2\x9c\x93";  // 43 characters, 129 bytes
  EXPECT_EQ(Create(utf8).message(), "queue name exceeds maximum length of 128 bytes") << "bytes, not characters";
  EXPECT_TRUE(Create(std::string(128, 'q')).ok());
}

// An enqueue to a queue with a free worker claims for it in the same
// transaction: the call starts one commit after the enqueue began, with no
// round of the dispatcher's in between.
TEST_F(TaskServiceTest, AnEnqueueToAnIdleQueueIsClaimedInItsOwnCommit) {
  ASSERT_TRUE(Create("idle", {.concurrency = 1}).ok());
  std::atomic<int64_t> commits_at_start = -1;
  Run([&](const TaskCall&) {
    commits_at_start = sqlite_->commit_stats().transactions;
    return TaskCallResult{.ok = true};
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the dispatcher's first round is done
  const int64_t before = sqlite_->commit_stats().transactions;
  const std::string id = Add("idle");
  ASSERT_TRUE(WaitFor([&] { return commits_at_start.load() >= 0; }));
  EXPECT_EQ(commits_at_start.load() - before, 1) << "enqueue and claim in one commit";
  ASSERT_TRUE(WaitFor([&] { return Task(id).status == kCompleted; }));
  // Enqueues while the worker is busy claim what the queue has room for,
  // the dispatcher the rest: every task runs, once.
  std::atomic<bool> release = false;
  Reopen(5);
  ASSERT_TRUE(Create("busy", {.concurrency = 1}).ok());
  std::atomic<int> calls = 0;
  Run([&](const TaskCall&) {
    ++calls;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return TaskCallResult{.ok = true};
  });
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(Add("busy"));
  release = true;
  for (const std::string& each : ids) ASSERT_TRUE(WaitFor([&] { return Task(each).status == kCompleted; })) << each;
  EXPECT_EQ(calls.load(), 40);
}

TEST_F(TaskServiceTest, DefaultsAndClamps) {
  ASSERT_TRUE(Create("d", {0, 0, 0, 0, 0}).ok());
  ASSERT_TRUE(Create("small", {1, 2, 10, 5, 1}).ok());
  ASSERT_TRUE(Create("big", {1, -1, -5, 0, 999'999'999'999}).ok());
  std::map<std::string, QueueSettings> q;
  for (auto& s : service_->queues()) q[s.name] = s;
  EXPECT_EQ(q["d"].concurrency, 1);
  EXPECT_EQ(q["d"].backoff_ms, 1000);
  EXPECT_EQ(q["d"].retention_ms, 3'600'000);
  EXPECT_EQ(q["small"].retention_ms, 60'000) << "clamped up";
  EXPECT_EQ(q["small"].max_retries, 2);
  EXPECT_EQ(q["big"].retention_ms, 604'800'000) << "clamped down";
  EXPECT_EQ(q["big"].max_retries, -1) << "taken as given";
  EXPECT_EQ(q["big"].backoff_ms, 1000);
}

TEST_F(TaskServiceTest, ConcurrencyBudgetAndDuplicatesFirst) {
  ASSERT_TRUE(Create("A", {10, 0, 0, 0, 0}).ok());
  EXPECT_EQ(service_->queues()[0].concurrency, 5) << "reduced to what is left of the budget";
  EXPECT_EQ(Create("B", {1, 0, 0, 0, 0}).message(), "concurrency budget exhausted (5/5 allocated)");
  EXPECT_EQ(Create("A").message(), "queue \"A\" already exists") << "the duplicate is named even with no budget left";
}

TEST_F(TaskServiceTest, QueuesSurviveARestartAndCanBeCreatedAgain) {
  ASSERT_TRUE(Create("jobs", {2, 3, 0, 0, 0}).ok());
  auto id = service_->Enqueue(ctx_, {"jobs", "payload"}).value().result;
  Reopen(5);
  EXPECT_EQ(service_->store().LoadQueues().value().at(0).max_retries, 3) << "definitions are persisted";
  ASSERT_TRUE(Create("jobs", {2, 3, 0, 0, 0}).ok()) << "nd_on_init re-creates its queue after a restart";
  EXPECT_EQ(service_->Get(ctx_, {id}).value().result->status, "pending");
}

TEST_F(TaskServiceTest, EnqueueGetCancelClear) {
  EXPECT_EQ(service_->Enqueue(ctx_, {"nope", "x"}).status().message(), "queue \"nope\" does not exist");
  ASSERT_TRUE(Create("q").ok());
  EXPECT_EQ(service_->Enqueue(ctx_, {"q", std::string(kMaxPayloadBytes + 1, 'x')}).status().message(),
            "payload size 1048577 exceeds maximum of 1048576 bytes");
  EXPECT_TRUE(service_->Enqueue(ctx_, {"q", std::string(kMaxPayloadBytes, 'x')}).ok()) << "the limit is inclusive";
  const std::string id = service_->Enqueue(ctx_, {"q", ""}).value().result;
  EXPECT_EQ(id.size(), 22u);
  auto info = service_->Get(ctx_, {id}).value().result.value();
  EXPECT_EQ(info.status, "pending");
  EXPECT_EQ(info.attempt, 0);
  EXPECT_EQ(service_->Get(ctx_, {"missing"}).status().message(), "task \"missing\" not found");
  ASSERT_TRUE(service_->Cancel(ctx_, {id}).ok());
  EXPECT_EQ(service_->Cancel(ctx_, {id}).message(), "task \"" + id + "\" cannot be cancelled (status: cancelled)");
  EXPECT_EQ(service_->ClearQueue(ctx_, {"q"}).value().result, 1) << "the other pending task";
  EXPECT_EQ(service_->ClearQueue(ctx_, {"nope"}).status().message(), "queue \"nope\" does not exist");
}

using wire::TaskDetail;

// A worker that blocks until released, to hold a queue's only slot.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> entered = 0;
  TaskCallResult Pass() {
    ++entered;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open; });
    return {true, "released"};
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

// §7.4 #13/#14: the worker gets queue, ID, exact bytes and attempt 1; results and errors are stored.
TEST_F(TaskServiceTest, WorkerGetsTheTaskAndItsOutcomeIsStored) {
  std::mutex mu;
  std::vector<wire::TaskExecuteRequest> seen;
  Run([&](const TaskCall& call) -> TaskCallResult {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(call.request);
    if (call.request.payload == "bad") return {false, "plugin call failed: boom"};
    return {true, "task completed successfully"};
  });
  ASSERT_TRUE(Create("q").ok());
  const std::string binary("\0\x01\xff", 3);
  const std::string ok = Add("q", binary);
  const std::string bad = Add("q", "bad");
  ASSERT_TRUE(WaitFor([&] { return Task(ok).status == "completed" && Task(bad).status == "failed"; }));
  EXPECT_EQ(Task(ok).message, "task completed successfully");
  EXPECT_EQ(Task(ok).attempt, 1);
  EXPECT_EQ(Task(bad).message, "plugin call failed: boom");
  EXPECT_EQ(Task(bad).last_error, "plugin call failed: boom");
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 2u) << "each task ran exactly once";
  EXPECT_EQ(seen[0].queue_name, "q");
  EXPECT_EQ(seen[0].task_id, ok);
  EXPECT_EQ(seen[0].payload, binary);
  EXPECT_EQ(seen[0].attempt, 1);
}

// §7.4 #15/#16/#17 under a fake clock: retries wait their backoff exactly.
TEST_F(TaskServiceTest, RetriesWaitTheirBackoffUnderAFakeClock) {
  std::atomic<int> calls = 0;
  Run([&](const TaskCall& call) -> TaskCallResult {
    ++calls;
    if (call.request.payload == "flaky" && call.request.attempt >= 2) return {true, "ok"};
    return {false, "nope"};
  });
  ASSERT_TRUE(Create("q", {1, 2, 10, 0, 0}).ok());
  const std::string id = Add("q", "always");
  ASSERT_TRUE(WaitFor([&] { return calls == 1 && Task(id).status == "pending"; }));
  EXPECT_EQ(Task(id).next_run_at, now_ + 10) << "backoff 10 * 2^0";
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(calls, 1) << "the fake clock has not moved: no retry yet";
  now_ += 10;
  ASSERT_TRUE(WaitFor([&] { return calls == 2 && Task(id).status == "pending"; }));
  EXPECT_EQ(Task(id).next_run_at, now_ + 20) << "backoff 10 * 2^1";
  now_ += 20;
  ASSERT_TRUE(WaitFor([&] { return Task(id).status == "failed"; }));
  EXPECT_EQ(calls, 3) << "maxRetries 2 = 3 executions";

  calls = 0;
  Reopen(5);
  Run([&](const TaskCall& call) -> TaskCallResult {
    ++calls;
    return call.request.attempt >= 2 ? TaskCallResult{true, "ok"} : TaskCallResult{false, "transient"};
  });
  ASSERT_TRUE(Create("q", {1, 1, 1'000'000'000, 0, 0}).ok());
  const std::string flaky = Add("q");
  ASSERT_TRUE(WaitFor([&] { return calls == 1 && Task(flaky).status == "pending"; }));
  EXPECT_LE(Task(flaky).next_run_at, now_ + 3'600'000) << "a huge backoff is capped at one hour";
  EXPECT_GT(Task(flaky).next_run_at, now_);
  now_ += 3'600'000;
  ASSERT_TRUE(WaitFor([&] { return Task(flaky).status == "completed"; }));
  EXPECT_EQ(calls, 2);
}

// §7.4 #18 under a fake clock: dispatch starts are delayMs apart, across workers.
TEST_F(TaskServiceTest, RateLimitSpacesDispatchStarts) {
  std::mutex mu;
  std::vector<int64_t> starts;
  Run([&](const TaskCall&) -> TaskCallResult {
    std::lock_guard<std::mutex> lock(mu);
    starts.push_back(now_);
    return {true, ""};
  });
  ASSERT_TRUE(Create("q", {3, 0, 0, 200, 0}).ok());
  for (int i = 0; i < 5; ++i) Add("q");
  // Move the fake clock until all five started (the spacing needs 800 ms of
  // it; a loaded machine may notice each token a few steps late).
  for (int step = 0; step < 2000; ++step) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (starts.size() == 5) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    now_ += 10;
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(starts.size(), 5u);
  for (size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 200) << i;
}

// §7.4 #11/#12: behind a blocked worker, pending tasks are cancellable and clearable; the running one is not.
TEST_F(TaskServiceTest, CancelAndClearBehindABlockedWorker) {
  Gate gate;
  Run([&](const TaskCall&) { return gate.Pass(); });
  ASSERT_TRUE(Create("q").ok());
  const std::string blocked = Add("q");
  ASSERT_TRUE(WaitFor([&] { return gate.entered == 1; }));
  const std::string second = Add("q");
  ASSERT_TRUE(service_->Cancel(ctx_, {second}).ok());
  EXPECT_EQ(Task(second).status, "cancelled");
  for (int i = 0; i < 3; ++i) Add("q");
  EXPECT_EQ(service_->ClearQueue(ctx_, {"q"}).value().result, 3);
  EXPECT_EQ(service_->ClearQueue(ctx_, {"q"}).value().result, 0);
  EXPECT_EQ(Task(blocked).status, "running");
  EXPECT_EQ(service_->Cancel(ctx_, {blocked}).message(),
            "task \"" + blocked + "\" cannot be cancelled (status: running)")
      << "the original's task_cancel never interrupts";
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return Task(blocked).status == "completed"; }));
  EXPECT_EQ(service_->Cancel(ctx_, {blocked}).message(),
            "task \"" + blocked + "\" cannot be cancelled (status: completed)");
}

// A queue runs exactly `concurrency` calls at once; the budget caps it.
TEST_F(TaskServiceTest, ConcurrencyIsExactlyTheQueuesWorkers) {
  Gate gate;
  std::atomic<int> inside = 0, most = 0;
  Run([&](const TaskCall&) {
    const int now = ++inside;
    for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    TaskCallResult r = gate.Pass();
    --inside;
    return r;
  });
  ASSERT_TRUE(Create("q", {3, 0, 0, 0, 0}).ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Add("q"));
  ASSERT_TRUE(WaitFor([&] { return gate.entered == 3; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(gate.entered, 3) << "three workers, three calls";
  EXPECT_EQ(service_->QueueStatsOf("q").value().running, 3);
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return service_->QueueStatsOf("q").value().completed == 6; }));
  EXPECT_EQ(most, 3);
  EXPECT_EQ(Create("r", {5, 0, 0, 0, 0}).ok(), true);
  EXPECT_EQ(service_->QueueStatsOf("r").value().concurrency, 2) << "what was left of the budget of 5";
}

// §7.4 #19/#20: a stopped service leaves nothing running; after it, every call fails.
TEST_F(TaskServiceTest, StopInterruptsAfterTheGraceAndNothingIsLeftRunning) {
  Run([&](const TaskCall& call) -> TaskCallResult {
    while (!call.cancel.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {false, "interrupted"};
  });
  ASSERT_TRUE(Create("q", {1, 3, 0, 0, 0}).ok());
  const std::string id = Add("q");
  ASSERT_TRUE(WaitFor([&] { return Task(id).status == "running"; }));
  service_->Stop();
  auto t = service_->store().Get(id).value().value();
  EXPECT_EQ(t.status, "pending") << "back in line, with the interrupted attempt counted";
  EXPECT_EQ(t.attempt, 1);
  EXPECT_NE(t.last_error.find("did not finish"), std::string::npos);
  EXPECT_FALSE(service_->Enqueue(ctx_, {"q", "x"}).ok()) << "enqueue after close fails";
  Reopen(5);
  Run([](const TaskCall&) { return TaskCallResult{true, "ok"}; });
  ASSERT_TRUE(Create("q", {1, 3, 0, 0, 0}).ok());
  EXPECT_TRUE(WaitFor([&] { return Task(id).status == "completed"; }));
  EXPECT_EQ(Task(id).attempt, 2);
}

// Retention by stored settings: finished tasks go once older than their
// queue's retention, orphan queues (not re-created) included; pending stay.
TEST_F(TaskServiceTest, RetentionUnderAFakeClockIncludingOrphans) {
  ASSERT_TRUE(Create("kept", {1, 0, 0, 0, 120'000}).ok());
  ASSERT_TRUE(Create("orphan", {1, 0, 0, 0, 60'000}).ok());
  const std::string a = Add("kept");
  const std::string b = Add("orphan");
  const std::string waiting = Add("orphan");
  for (const auto& id : {a, b}) {
    auto claimed = service_->store().Claim({.queue = Task(id).queue_name, .owner = "w", .max = 1}, now_).value();
    ASSERT_EQ(service_->store().Finish({{.id = claimed.at(0).id, .owner = "w"}}, now_).value(), 1);
  }
  Reopen(5);  // "orphan" is never created again
  ASSERT_TRUE(Create("kept", {1, 0, 0, 0, 120'000}).ok());
  now_ += 90'000;
  ASSERT_TRUE(service_->RunMaintenance().ok());
  EXPECT_FALSE(service_->TaskDetailOf(b).ok()) << "the orphan queue's stored retention (60 s) applied";
  EXPECT_TRUE(service_->TaskDetailOf(a).ok()) << "120 s not yet over";
  EXPECT_TRUE(service_->TaskDetailOf(waiting).ok()) << "pending tasks are never pruned";
  now_ += 60'000;
  ASSERT_TRUE(service_->RunMaintenance().ok());
  EXPECT_FALSE(service_->TaskDetailOf(a).ok());
  auto stats = service_->AllQueueStats().value();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_FALSE(stats[1].active) << "orphan";
  EXPECT_EQ(stats[1].pending, 1);
}

TEST(RetryDelay, MatchesTheOriginalsTable) {
  EXPECT_EQ(RetryDelayMs(1000, 1), 1000);
  EXPECT_EQ(RetryDelayMs(1000, 2), 2000);
  EXPECT_EQ(RetryDelayMs(1000, 3), 4000);
  EXPECT_EQ(RetryDelayMs(1000, 12), 2'048'000);
  EXPECT_EQ(RetryDelayMs(1000, 13), 3'600'000);
  EXPECT_EQ(RetryDelayMs(100, 13), 409'600);
  EXPECT_EQ(RetryDelayMs(100, 70), 3'600'000) << "overflow is capped, not wrapped";
  EXPECT_EQ(RetryDelayMs(INT64_MAX / 2, 3), 3'600'000);
}

}  // namespace
}  // namespace pier::taskqueue

namespace pier::taskqueue {
namespace {

// The probe's overflow: delayMs 9223372036854775807 wrapped around and the
// task ran at once. Per-task delays above the bound are refused; a queue's
// rate limit is held at the bound (the original accepts any value there).
TEST_F(TaskServiceTest, HugeDelaysAreRefusedOrHeldNeverWrapped) {
  ASSERT_TRUE(Create("q", {1, 0, 0, INT64_MAX, 0}).ok());
  EXPECT_EQ(service_->queues()[0].delay_ms, kMaxDurationMs);
  wire::TaskSpec spec{.payload = "x", .delay_ms = INT64_MAX};
  auto r = service_->EnqueueMany(ctx_, {"q", {spec}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("task 0: delayMs of 9223372036854775807 ms exceeds the maximum", 0), 0u)
      << r.status().message();
  spec = {.payload = "x", .timeout_ms = INT64_MAX};
  EXPECT_FALSE(service_->EnqueueMany(ctx_, {"q", {spec}}).ok());
  // At the bound the task waits (100 years), it does not run now.
  spec = {.payload = "x", .delay_ms = kMaxDurationMs};
  auto id = service_->EnqueueMany(ctx_, {"q", {spec}}).value().result.at(0);
  EXPECT_EQ(Task(id).next_run_at, now_.load() + kMaxDurationMs);
  EXPECT_EQ(SaturatingAdd(INT64_MAX - 1, 5), INT64_MAX);
  EXPECT_EQ(SaturatingAdd(INT64_MIN + 1, -5), INT64_MIN);
}

}  // namespace
}  // namespace pier::taskqueue
