// The Task service's contract (spec §5.3-§5.5, §5.13), over a real SQLite
// store and a fake clock.
#include "services/taskqueue/task_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "services/taskqueue/sqlite_task_store.h"

namespace pier::taskqueue {
namespace {

namespace fs = std::filesystem;

class NoContext final : public HostCallContext {
 public:
  std::string_view plugin_name() const override { return "p"; }
  std::chrono::steady_clock::time_point deadline() const override { return {}; }
  bool interrupted() const override { return false; }
};

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
    options.now_ms = [this] { return now_; };
    service_ = std::make_unique<TaskQueueService>(SqliteTaskStore::Open(dir_ / "taskqueue.db").value(), options);
  }
  Status Create(const std::string& name, wire::QueueConfig config = {}) {
    return service_->CreateQueue(ctx_, {name, config});
  }

  fs::path dir_;
  int64_t now_ = 1'000'000;
  NoContext ctx_;
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
