// QueueDispatcher races that need a claim to be in flight at the wrong
// moment: a store that holds every claim a while makes them happen on every
// run, with or without a sanitizer slowing the code.
#include "services/taskqueue/dispatcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "services/taskqueue/sqlite_task_store.h"
#include "support/wait.h"

namespace pier::taskqueue {
namespace {

namespace fs = std::filesystem;

// A real SQLite store whose claims take `claim_delay` after they committed.
class SlowClaimStore final : public TaskStore {
 public:
  explicit SlowClaimStore(std::unique_ptr<TaskStore> inner) : inner_(std::move(inner)) {}
  std::atomic<int> claims_in_flight{0};
  std::atomic<int64_t> claim_delay_ms{0};
  std::atomic<int64_t> start_marks{0};  // Started entries written

  Status SaveQueue(const QueueSettings& q) override { return inner_->SaveQueue(q); }
  Result<std::vector<QueueSettings>> LoadQueues() override { return inner_->LoadQueues(); }
  Status SetPaused(std::string_view q, bool p) override { return inner_->SetPaused(q, p); }
  Result<std::vector<std::string>> Enqueue(const std::vector<NewTask>& t, int64_t now) override {
    return inner_->Enqueue(t, now);
  }
  Result<std::optional<TaskRow>> Get(std::string_view id) override { return inner_->Get(id); }
  Result<std::vector<TaskRow>> List(const ListFilter& f) override { return inner_->List(f); }
  Status Cancel(std::string_view id, int64_t now) override { return inner_->Cancel(id, now); }
  Result<int64_t> CancelPending(std::string_view q, int64_t now) override { return inner_->CancelPending(q, now); }
  Status Retry(std::string_view id, int64_t now) override { return inner_->Retry(id, now); }
  Status Delete(std::string_view id) override { return inner_->Delete(id); }
  Status RunNow(std::string_view id, int64_t now) override { return inner_->RunNow(id, now); }
  Result<Exchange> FinishAndClaim(const Round& round, int64_t now) override {
    auto out = inner_->FinishAndClaim(round, now);
    if (out.ok()) start_marks += static_cast<int64_t>(round.started.size());
    const ClaimRequest* claim = round.claim;
    if (claim != nullptr && out.ok() && !out->claimed.empty() && claim_delay_ms > 0) {
      ++claims_in_flight;
      std::this_thread::sleep_for(std::chrono::milliseconds(claim_delay_ms.load()));
      --claims_in_flight;
    }
    return out;
  }
  Result<int64_t> RecoverLeases(int64_t now, std::string_view dead, std::string_view live) override {
    return inner_->RecoverLeases(now, dead, live);
  }
  Result<std::optional<int64_t>> NextRunAt(std::string_view q) override { return inner_->NextRunAt(q); }
  Result<int64_t> DeleteFinished(std::string_view q, int64_t cutoff, std::string_view s, int limit) override {
    return inner_->DeleteFinished(q, cutoff, s, limit);
  }
  Result<QueueStats> Stats(std::string_view q) override { return inner_->Stats(q); }

 private:
  std::unique_ptr<TaskStore> inner_;
};

class DispatcherRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-dispatch-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    store_ = std::make_unique<SlowClaimStore>(SqliteTaskStore::Open(dir_ / "taskqueue.db").value());
    ASSERT_TRUE(store_->SaveQueue(settings_).ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::vector<std::string> Enqueue(int n) {
    std::vector<NewTask> tasks(n, NewTask{.queue = "q", .payload = "p"});
    return store_->Enqueue(tasks, Now()).value();
  }
  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  DispatcherOptions Options(std::atomic<int>* calls) {
    DispatcherOptions o;
    o.owner = "node/run";
    o.shutdown_grace = std::chrono::milliseconds(2000);
    o.execute = [calls](const TaskCall&) {
      ++*calls;
      return TaskCallResult{true, "done"};
    };
    return o;
  }

  fs::path dir_;
  QueueSettings settings_{.name = "q", .concurrency = 2, .max_retries = 0};
  std::unique_ptr<SlowClaimStore> store_;
};

// The probe's finding: a claim in flight when Stop() ran put its rows in the
// ready list after Stop had given that list back, so they stayed `running`
// under a dead owner and the next load's recovery counted an attempt that
// never started (with maxRetries 0: `failed` without ever running).
TEST_F(DispatcherRaceTest, StopDuringAClaimGivesEveryUnstartedTaskBack) {
  std::atomic<int> calls = 0;
  std::vector<std::string> ids;
  {
    QueueDispatcher d(*store_, settings_, Options(&calls));
    d.Start();
    ids = Enqueue(20);
    store_->claim_delay_ms = 400;  // every claim now lands after Stop() began
    d.Wake(Now());
    ASSERT_TRUE(testing::WaitFor([&] { return store_->claims_in_flight > 0 || calls == 20; },
                                 std::chrono::milliseconds(3000)));
    d.Stop();
  }
  int64_t completed = 0, pending = 0;
  for (const std::string& id : ids) {
    auto row = store_->Get(id).value();
    ASSERT_TRUE(row.has_value());
    EXPECT_NE(row->status, "running") << id << " left running after Stop";
    if (row->status == "completed") {
      ++completed;
      EXPECT_EQ(row->attempt, 1);
    } else {
      EXPECT_EQ(row->status, "pending");
      EXPECT_EQ(row->attempt, 0) << "an attempt whose call never started is not counted";
      ++pending;
    }
  }
  EXPECT_EQ(completed, calls.load());
  EXPECT_EQ(completed + pending, 20);
  EXPECT_EQ(store_->RecoverLeases(Now() + 10'000'000, "node/", "").value(), 0) << "nothing for a next run to recover";
}

// Pausing while a claim is in flight gives its tasks back too: nothing runs
// while paused, and everything runs after resume.
TEST_F(DispatcherRaceTest, PauseDuringAClaimRunsNothingUntilResumed) {
  std::atomic<int> calls = 0;
  QueueDispatcher d(*store_, settings_, Options(&calls));
  d.Start();
  auto ids = Enqueue(10);
  store_->claim_delay_ms = 300;
  d.Wake(Now());
  ASSERT_TRUE(testing::WaitFor([&] { return store_->claims_in_flight > 0; }, std::chrono::milliseconds(3000)));
  const int before = calls.load();
  d.SetPaused(true);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(calls.load(), before) << "nothing starts while paused";
  EXPECT_EQ(store_->Stats("q").value().running, 0);
  store_->claim_delay_ms = 0;
  d.SetPaused(false);
  EXPECT_TRUE(testing::WaitFor([&] { return store_->Stats("q").value().completed == 10; },
                               std::chrono::milliseconds(5000)));
  d.Stop();
  EXPECT_EQ(calls.load(), 10);
}

// A call that runs longer than start_record_delay has its start written
// while it runs (so a crash now counts its attempt); short calls write their
// start with their completion, in one statement.
TEST_F(DispatcherRaceTest, LongCallsRecordTheirStartWhileShortOnesWriteOnce) {
  std::atomic<bool> release = false;
  std::atomic<int> calls = 0;
  DispatcherOptions o = Options(&calls);
  o.execute = [&](const TaskCall& call) {
    ++calls;
    if (call.request.payload == "slow") {
      while (!release && !call.cancel.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // or Stop, after an early failure
    }
    return TaskCallResult{true, "done"};
  };
  QueueDispatcher d(*store_, settings_, o);
  d.Start();
  const std::string slow = store_->Enqueue({{.queue = "q", .payload = "slow"}}, Now()).value().at(0);
  d.Wake(Now());
  ASSERT_TRUE(testing::WaitFor([&] { return store_->Get(slow).value()->started_at > 0; },
                               std::chrono::milliseconds(3000)))
      << "a running call's start is written once it ran start_record_delay";
  EXPECT_EQ(store_->Get(slow).value()->attempt, 1);
  EXPECT_EQ(store_->Get(slow).value()->status, "running");
  release = true;
  ASSERT_TRUE(testing::WaitFor([&] { return store_->Get(slow).value()->status == "completed"; },
                               std::chrono::milliseconds(3000)));
  EXPECT_EQ(store_->Get(slow).value()->attempt, 1) << "its completion did not count it again";
  EXPECT_EQ(store_->start_marks.load(), 1);

  store_->start_marks = 0;
  auto quick = Enqueue(300);
  d.Wake(Now());
  ASSERT_TRUE(testing::WaitFor([&] { return store_->Stats("q").value().completed == 301; },
                               std::chrono::milliseconds(10000)));
  for (const std::string& id : quick) EXPECT_EQ(store_->Get(id).value()->attempt, 1);
  EXPECT_LT(store_->start_marks.load(), 15) << "short calls need no start mark of their own";
  d.Stop();
}

}  // namespace
}  // namespace pier::taskqueue
