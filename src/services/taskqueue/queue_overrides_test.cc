#include "services/taskqueue/queue_overrides.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "services/taskqueue/sqlite_task_store.h"
#include "services/taskqueue/task_service.h"
#include "support/test_call_context.h"

namespace pier::taskqueue {
namespace {

TEST(QueueOverridesTest, ParsedWithinTheLimitsAndEncodedBack) {
  auto o = ParseQueueOverrides(R"({"jobs": {"concurrency": 2, "maxRetries": 5, "delayMs": null}, "idle": {}})", 4);
  ASSERT_TRUE(o.ok()) << o.status().message();
  ASSERT_EQ(o->size(), 1u) << "an empty override is no override";
  EXPECT_EQ(o->at("jobs"), (QueueOverride{.concurrency = 2, .max_retries = 5}));
  EXPECT_EQ(EncodeQueueOverrides(*o), R"({"jobs":{"concurrency":2,"maxRetries":5}})");
  EXPECT_EQ(ParseQueueOverrides(EncodeQueueOverrides(*o), 4).value(), *o);
  EXPECT_TRUE(ParseQueueOverrides("", 1).value().empty());

  EXPECT_EQ(ParseQueueOverrides(R"({"jobs": {"concurrency": 5}})", 4).status().message(),
            "queue \"jobs\": concurrency must be a whole number from 1 to 4") << "the manifest's budget";
  for (const char* bad : {R"({"jobs": {"concurrency": 0}})", R"({"jobs": {"backoffMs": 0}})",
                          R"({"jobs": {"retentionMs": 1000}})", R"({"jobs": {"maxRetries": -1}})",
                          R"({"jobs": {"delayMs": "soon"}})", R"({"jobs": {"speed": 1}})", R"({"jobs": 3})", "[1]",
                          "{"}) {
    EXPECT_FALSE(ParseQueueOverrides(bad, 4).ok()) << bad;
  }
}

TEST(QueueOverridesTest, CreateQueueTakesTheAdministratorsSettingsWithinTheBudget) {
  const auto dir = std::filesystem::temp_directory_path() / ("pier-overrides-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    TaskServiceOptions options;
    options.max_concurrency = 3;
    options.overrides = {{"jobs", {.concurrency = 2, .max_retries = 7, .backoff_ms = 50}},
                         {"more", {.concurrency = 3}}};
    TaskQueueService service(SqliteTaskStore::Open(dir / "taskqueue.db").value(), options);
    pier::testing::TestCallContext ctx;
    ASSERT_TRUE(service.CreateQueue(ctx, {"jobs", {.concurrency = 1, .max_retries = 0, .backoff_ms = 1000}}).ok());
    auto jobs = service.QueueStatsOf("jobs").value();
    EXPECT_EQ(jobs.concurrency, 2);
    EXPECT_EQ(jobs.max_retries, 7);
    EXPECT_EQ(jobs.backoff_ms, 50);
    // Unset fields stay the plugin's; the budget still holds across queues (3 - 2 left: 1).
    ASSERT_TRUE(service.CreateQueue(ctx, {"more", {.max_retries = 4}}).ok());
    auto more = service.QueueStatsOf("more").value();
    EXPECT_EQ(more.concurrency, 1);
    EXPECT_EQ(more.max_retries, 4);
    // Tasks enqueued take the queue's (overridden) retry policy.
    const std::string id = service.Enqueue(ctx, {"jobs", "x"}).value().result;
    EXPECT_EQ(service.TaskDetailOf(id).value().max_retries, 7);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pier::taskqueue
