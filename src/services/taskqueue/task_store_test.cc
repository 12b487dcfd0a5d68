// Storage semantics every TaskStore backend must have. Parameterised over
// backends: add one to Backends() and it runs the whole suite.
#include "services/taskqueue/task_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <functional>
#include <set>
#include <thread>

#include "services/taskqueue/postgres_task_store.h"
#include "services/taskqueue/sqlite_task_store.h"
#include "storage/sqlite/database.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace pier::taskqueue {
namespace {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  // A fresh, empty store for this test (called once, in SetUp).
  std::function<void(const fs::path& dir)> reset;
  // The store of this test (again after a reset: a reopen).
  std::function<std::unique_ptr<TaskStore>(const fs::path& dir)> open;
};

constexpr const char* kPostgresDatabase = "pier_task_store_test";

std::vector<Backend> Backends() {
  return {{"sqlite", [](const fs::path&) {},
           [](const fs::path& dir) -> std::unique_ptr<TaskStore> {
             return SqliteTaskStore::Open(dir / "taskqueue.db").value();
           }},
          {"postgres", [](const fs::path&) { pier::testing::FreshPostgresDatabase(kPostgresDatabase); },
           [](const fs::path&) -> std::unique_ptr<TaskStore> {
             auto db = pg::Database::Open({.url = pier::testing::PostgresDatabaseUrl(kPostgresDatabase)}).value();
             return std::make_unique<PostgresTaskStore>(std::move(db), "plugin-under-test");
           }}};
}

class TaskStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().name == "postgres" && !pier::testing::PostgresAvailable()) GTEST_SKIP() << pier::testing::kNoPostgres;
    dir_ = fs::temp_directory_path() / ("pier-store-" + std::to_string(getpid()) + "-" + GetParam().name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    GetParam().reset(dir_);
    store_ = GetParam().open(dir_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string Enqueue(NewTask t, int64_t now = 1000) { return store_->Enqueue({t}, now).value().at(0); }
  TaskRow Row(const std::string& id) { return store_->Get(id).value().value(); }

  fs::path dir_;
  std::unique_ptr<TaskStore> store_;
};

TEST_P(TaskStoreTest, EnqueueAndGetKeepBytesExactly) {
  const std::string binary("\0\1\2\xff payload", 12);
  const std::string id = Enqueue({.queue = "q", .payload = binary, .max_retries = 2});
  EXPECT_EQ(id.size(), 22u);
  TaskRow t = Row(id);
  EXPECT_EQ(t.payload, binary);
  EXPECT_EQ(t.status, kPending);
  EXPECT_EQ(t.attempt, 0);
  EXPECT_EQ(t.max_retries, 2);
  EXPECT_EQ(t.next_run_at, 1000);
  EXPECT_EQ(Row(Enqueue({.queue = "q", .payload = ""})).payload, "") << "empty payloads are fine";
  EXPECT_FALSE(store_->Get("missing").value().has_value());
}

// Large payloads may be stored apart from their task; every read gives the
// same bytes, and a task deleted takes its payload with it.
TEST_P(TaskStoreTest, LargePayloadsReadTheSameEverywhere) {
  std::string big(300 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 251);
  const std::string id = Enqueue({.queue = "q", .payload = big});
  const std::string small = Enqueue({.queue = "q", .payload = "small"});
  EXPECT_EQ(Row(id).payload, big);
  auto listed = store_->List({.queue = "q"}).value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, small) << "newest first";
  EXPECT_EQ(listed[1].payload, big);
  auto claimed = store_->Claim({.queue = "q", .owner = "n/1", .max = 2}, 2000).value();
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].payload, big);
  EXPECT_EQ(claimed[1].payload, "small");
  for (const TaskRow& t : claimed) {
    ASSERT_EQ(store_->Finish({{.id = t.id, .owner = "n/1", .outcome = Outcome::kCompleted, .row = t.row}}, 2001)
                  .value(), 1);
  }
  EXPECT_EQ(Row(id).payload, big) << "unchanged by its state changes";
  EXPECT_EQ(store_->DeleteFinished("q", 3000, "", 100).value(), 2);
  EXPECT_FALSE(store_->Get(id).value().has_value());
  // A new task may take the deleted one's row: it must not see its payload.
  const std::string next = Enqueue({.queue = "q", .payload = "next"});
  EXPECT_EQ(Row(next).payload, "next");
}

TEST_P(TaskStoreTest, ClaimsByPriorityThenFifoAndOnlyWhenDue) {
  const std::string a = Enqueue({.queue = "q", .payload = "a"}, 1000);
  const std::string b = Enqueue({.queue = "q", .payload = "b"}, 1001);
  const std::string urgent = Enqueue({.queue = "q", .payload = "u", .priority = 5}, 1002);
  const std::string later = Enqueue({.queue = "q", .payload = "l", .run_at_ms = 9000}, 1003);
  Enqueue({.queue = "other", .payload = "x"});
  auto claimed = store_->Claim({.queue = "q", .owner = "w1", .lease_ms = 60000, .max = 10}, 2000).value();
  ASSERT_EQ(claimed.size(), 3u);
  EXPECT_EQ(claimed[0].id, urgent);
  EXPECT_EQ(claimed[1].id, a);
  EXPECT_EQ(claimed[2].id, b);
  EXPECT_EQ(claimed[0].status, kRunning);
  EXPECT_EQ(claimed[0].attempt, 0) << "a claim counts no attempt; the call's start does";
  EXPECT_EQ(claimed[0].started_at, 0);
  EXPECT_EQ(claimed[0].lease_owner, "w1");
  EXPECT_EQ(claimed[0].lease_until, 62000);
  EXPECT_TRUE(store_->Claim({.queue = "q", .owner = "w2", .lease_ms = 60000, .max = 10}, 2000).value().empty()) << "never claimed twice";
  auto due = store_->Claim({.queue = "q", .owner = "w2", .lease_ms = 60000, .max = 10}, 9000).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, later);
}

TEST_P(TaskStoreTest, FinishRecordsOutcomesOnlyForTheLeaseHolder) {
  const std::string ok = Enqueue({.queue = "q", .payload = "1"});
  const std::string retry = Enqueue({.queue = "q", .payload = "2", .max_retries = 3});
  const std::string fail = Enqueue({.queue = "q", .payload = "3"});
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "w1", .lease_ms = 60000, .max = 10}, 2000).value().size(), 3u);
  EXPECT_EQ(store_->Finish({{.id = ok, .owner = "intruder", .outcome = Outcome::kCompleted}}, 2500).value(), 0);
  EXPECT_EQ(store_->Finish({{.id = ok, .owner = "w1", .outcome = Outcome::kCompleted, .message = "\"done\""},
                            {.id = retry, .owner = "w1", .outcome = Outcome::kRetry, .message = "flaky",
                             .retry_at_ms = 5000},
                            {.id = fail, .owner = "w1", .outcome = Outcome::kFailed, .message = "broken"}},
                           3000)
                .value(),
            3);
  EXPECT_EQ(Row(ok).status, kCompleted);
  EXPECT_EQ(Row(ok).message, "\"done\"");
  TaskRow r = Row(retry);
  EXPECT_EQ(r.status, kPending);
  EXPECT_EQ(r.next_run_at, 5000);
  EXPECT_EQ(r.last_error, "flaky") << "every failed attempt is recorded";
  EXPECT_EQ(r.attempt, 1);
  EXPECT_EQ(Row(fail).status, kFailed);
  EXPECT_EQ(Row(fail).message, "broken");
  EXPECT_EQ(store_->Finish({{.id = ok, .owner = "w1", .outcome = Outcome::kFailed}}, 4000).value(), 0)
      << "nothing leaves a terminal state";
  EXPECT_EQ(Row(ok).status, kCompleted);
}

TEST_P(TaskStoreTest, CancelUsesTheOriginalsMessages) {
  const std::string id = Enqueue({.queue = "q", .payload = "x"});
  const std::string running = Enqueue({.queue = "q", .payload = "y"}, 1001);
  ASSERT_TRUE(store_->Cancel(id, 1500).ok());
  EXPECT_EQ(Row(id).status, kCancelled);
  EXPECT_EQ(store_->Cancel(id, 1600).message(), "task \"" + id + "\" cannot be cancelled (status: cancelled)");
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "w", .lease_ms = 1000, .max = 1}, 2000).value().at(0).id, running);
  EXPECT_EQ(store_->Cancel(running, 2100).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Cancel("nope", 1).message(), "task \"nope\" not found");
  Enqueue({.queue = "q", .payload = "1"});
  Enqueue({.queue = "q", .payload = "2"});
  EXPECT_EQ(store_->CancelPending("q", 3000).value(), 2);
  EXPECT_EQ(store_->CancelPending("q", 3000).value(), 0);
}

TEST_P(TaskStoreTest, UniqueKeyHoldsWhilePendingOrRunning) {
  const std::string first = Enqueue({.queue = "q", .payload = "a", .unique_key = "k"});
  EXPECT_EQ(Enqueue({.queue = "q", .payload = "b", .unique_key = "k"}), first);
  EXPECT_NE(Enqueue({.queue = "other", .payload = "c", .unique_key = "k"}), first) << "keys are per queue";
  auto claimed = store_->Claim({.queue = "q", .owner = "w", .lease_ms = 1000, .max = 1}, 2000).value();
  EXPECT_EQ(Enqueue({.queue = "q", .payload = "d", .unique_key = "k"}), first) << "still running";
  ASSERT_EQ(store_->Finish({{.id = first, .owner = "w", .outcome = Outcome::kCompleted}}, 2100).value(), 1);
  EXPECT_NE(Enqueue({.queue = "q", .payload = "e", .unique_key = "k"}), first);
  auto batch = store_->Enqueue({{.queue = "q", .payload = "1"}, {.queue = "q", .payload = "2"}}, 5000).value();
  EXPECT_EQ(batch.size(), 2u);
}

TEST_P(TaskStoreTest, ExpiredLeasesComeBackAndPoisonStopsAtTheRetryLimit) {
  const std::string normal = Enqueue({.queue = "q", .payload = "n", .max_retries = 1});
  const std::string poison = Enqueue({.queue = "q", .payload = "p", .max_retries = 0}, 1001);
  const std::string ahead = Enqueue({.queue = "q", .payload = "a", .max_retries = 0}, 1002);
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "crashed-node", .lease_ms = 1000, .max = 10}, 2000).value().size(), 3u);
  // Two calls started (their starts recorded), the third was only claimed ahead.
  ASSERT_TRUE(store_->FinishAndClaim(Round{.started = {{normal, "crashed-node"}, {poison, "crashed-node"},
                                                       {ahead, "intruder"}}},
                                     2100)
                  .ok());
  EXPECT_EQ(Row(normal).attempt, 1);
  EXPECT_EQ(Row(normal).started_at, 2100);
  EXPECT_EQ(Row(ahead).attempt, 0) << "only the lease holder's mark applies";
  EXPECT_EQ(store_->RecoverLeases(2500).value(), 0) << "leases still valid";
  EXPECT_EQ(store_->RecoverLeases(3001).value(), 3);
  TaskRow n = Row(normal);
  EXPECT_EQ(n.status, kPending);
  EXPECT_EQ(n.attempt, 1) << "the crashed attempt stays counted";
  EXPECT_EQ(n.started_at, 0);
  EXPECT_NE(n.last_error.find("did not finish"), std::string::npos);
  TaskRow p = Row(poison);
  EXPECT_EQ(p.status, kFailed) << "a task that keeps killing its worker stops";
  EXPECT_EQ(p.message, "attempt 1 did not finish: its worker stopped or crashed");
  TaskRow a = Row(ahead);
  EXPECT_EQ(a.status, kPending) << "claimed but never started: back as it was, even with no retries";
  EXPECT_EQ(a.attempt, 0);
  EXPECT_EQ(a.last_error, "");
  EXPECT_EQ(store_->Finish({{.id = normal, .owner = "crashed-node", .outcome = Outcome::kCompleted}}, 3100).value(), 0)
      << "the old owner lost its lease";
}

TEST_P(TaskStoreTest, AnAttemptCountsOnceWhetherItsStartWasMarkedOrNot) {
  const std::string quick = Enqueue({.queue = "q", .payload = "1", .max_retries = 5});
  const std::string slow = Enqueue({.queue = "q", .payload = "2", .max_retries = 5}, 1001);
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "w", .lease_ms = 60000, .max = 2}, 2000).value().size(), 2u);
  ASSERT_TRUE(store_->FinishAndClaim(Round{.started = {{slow, "w"}}}, 2100).ok());
  ASSERT_TRUE(store_->FinishAndClaim(Round{.started = {{slow, "w"}}}, 2150).ok());
  EXPECT_EQ(Row(slow).attempt, 1) << "a second mark of the same call changes nothing";
  ASSERT_EQ(store_->Finish({{.id = quick, .owner = "w", .outcome = Outcome::kRetry, .retry_at_ms = 2300},
                            {.id = slow, .owner = "w", .outcome = Outcome::kRetry, .retry_at_ms = 2300,
                             .start_recorded = true}},
                           2200)
                .value(),
            2);
  EXPECT_EQ(Row(quick).attempt, 1) << "counted with its completion";
  EXPECT_EQ(Row(slow).attempt, 1) << "counted by its mark, not again";
  // A mark and the completion in one round: the mark first, then the completion.
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "w", .lease_ms = 60000, .max = 2}, 2400).value().size(), 2u);
  ASSERT_TRUE(store_->FinishAndClaim(Round{.started = {{slow, "w"}},
                                           .completions = {{.id = slow, .owner = "w", .outcome = Outcome::kCompleted,
                                                            .start_recorded = true}}},
                                     2500)
                  .ok());
  EXPECT_EQ(Row(slow).attempt, 2);
  EXPECT_EQ(Row(slow).status, kCompleted);
}

TEST_P(TaskStoreTest, ReleaseCanUncountAnInterruptedAttempt) {
  const std::string id = Enqueue({.queue = "q", .payload = "x"});
  store_->Claim({.queue = "q", .owner = "w", .lease_ms = 1000, .max = 1}, 2000).value();
  ASSERT_EQ(store_->Finish({{.id = id, .owner = "w", .outcome = Outcome::kReleased, .started = false}}, 2100)
                .value(),
            1);
  EXPECT_EQ(Row(id).status, kPending);
  EXPECT_EQ(Row(id).attempt, 0);
  // A recorded start given back uncounted (an interrupted call the host does not hold against the task).
  store_->Claim({.queue = "q", .owner = "w", .lease_ms = 1000, .max = 1}, 2200).value();
  ASSERT_TRUE(store_->FinishAndClaim(Round{.started = {{id, "w"}}}, 2300).ok());
  ASSERT_EQ(store_->Finish({{.id = id, .owner = "w", .outcome = Outcome::kReleased, .started = false,
                             .start_recorded = true}},
                           2400)
                .value(),
            1);
  EXPECT_EQ(Row(id).attempt, 0);
}

TEST_P(TaskStoreTest, RetentionStatsQueuesAndReopening) {
  const std::string done = Enqueue({.queue = "q", .payload = "x"});
  store_->Claim({.queue = "q", .owner = "w", .lease_ms = 1000, .max = 1}, 2000).value();
  store_->Finish({{.id = done, .owner = "w", .outcome = Outcome::kCompleted}}, 3000).value();
  Enqueue({.queue = "q", .payload = "y"}, 3500);
  QueueStats s = store_->Stats("q").value();
  EXPECT_EQ(s.completed, 1);
  EXPECT_EQ(s.pending, 1);
  EXPECT_EQ(store_->DeleteFinished("q", 2999, "", 1000).value(), 0);
  EXPECT_EQ(store_->DeleteFinished("q", 3001, "", 1000).value(), 1);
  ASSERT_TRUE(store_->SaveQueue({.name = "q", .concurrency = 3, .max_retries = 2, .paused = true}).ok());
  ASSERT_TRUE(store_->SaveQueue({.name = "q", .concurrency = 4}).ok());
  store_ = GetParam().open(dir_);  // everything survives a reopen
  auto queues = store_->LoadQueues().value();
  ASSERT_EQ(queues.size(), 1u);
  EXPECT_EQ(queues[0].concurrency, 4);
  EXPECT_EQ(store_->Stats("q").value().pending, 1);
}

TEST_P(TaskStoreTest, PreviousRunsOfThisNodeAreRecoveredAtOnceOthersOnlyWhenExpired) {
  const std::string mine = Enqueue({.queue = "q", .payload = "m", .max_retries = 5});
  const std::string theirs = Enqueue({.queue = "q", .payload = "t", .max_retries = 5}, 1001);
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "node-a/1", .lease_ms = 60000, .max = 1}, 2000).value().size(), 1u);
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "node-b/1", .lease_ms = 60000, .max = 1}, 2000).value().size(), 1u);
  EXPECT_EQ(store_->RecoverLeases(2100, "node-a/", "node-a/2").value(), 1);
  EXPECT_EQ(Row(mine).status, kPending) << "node-a restarted: its old run is dead";
  EXPECT_EQ(Row(theirs).status, kRunning) << "node-b's lease is live";
  EXPECT_EQ(store_->RecoverLeases(2100, "node-b/", "node-b/1").value(), 0) << "a node never recovers itself";
}

TEST_P(TaskStoreTest, RetryListPauseAndBatchedRetention) {
  const std::string a = Enqueue({.queue = "q", .payload = "a"}, 1000);
  const std::string b = Enqueue({.queue = "q", .payload = "b"}, 1001);
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "w", .max = 1}, 2000).value().size(), 1u);
  EXPECT_EQ(store_->Retry(b, 2000).code(), StatusCode::kFailedPrecondition) << "pending cannot be retried";
  ASSERT_EQ(store_->Finish({{.id = a, .owner = "w", .outcome = Outcome::kFailed, .message = "boom"}}, 2100).value(), 1);
  ASSERT_TRUE(store_->Retry(a, 2200).ok());
  TaskRow r = Row(a);
  EXPECT_EQ(r.status, kPending);
  EXPECT_EQ(r.attempt, 0);
  EXPECT_EQ(r.last_error, "boom") << "the history stays readable";
  EXPECT_EQ(store_->Retry("nope", 1).code(), StatusCode::kNotFound);

  auto all = store_->List({.queue = "q"}).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, b) << "newest first";
  EXPECT_EQ(store_->List({.queue = "q", .status = "pending", .limit = 1}).value().size(), 1u);
  EXPECT_EQ(store_->List({.queue = "q", .status = "failed"}).value().size(), 0u);

  EXPECT_EQ(store_->SetPaused("q", true).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->SaveQueue({.name = "q"}).ok());
  ASSERT_TRUE(store_->SetPaused("q", true).ok());
  EXPECT_TRUE(store_->LoadQueues().value().at(0).paused);

  for (int i = 0; i < 25; ++i) {
    const std::string id = Enqueue({.queue = "r", .payload = "x"}, 3000);
    ASSERT_EQ(store_->Claim({.queue = "r", .owner = "w", .max = 1}, 3000).value().at(0).id, id);
    ASSERT_EQ(store_->Finish({{.id = id, .owner = "w"}}, 3000).value(), 1);
  }
  EXPECT_EQ(store_->DeleteFinished("r", 4000, "", 10).value(), 10) << "bounded batches";
  EXPECT_EQ(store_->DeleteFinished("r", 4000, "failed", 10).value(), 0);
  EXPECT_EQ(store_->DeleteFinished("r", 4000, "completed", 100).value(), 15);
  EXPECT_EQ(store_->NextRunAt("q").value(), std::optional<int64_t>(1001));
  EXPECT_EQ(store_->NextRunAt("r").value(), std::nullopt);
}

// Keyset paging: each page goes on after the last row of the one before,
// newest first, ties in creation time broken by insertion order, with no
// row lost or repeated, whatever the status filter.
TEST_P(TaskStoreTest, ListPagesGoOnAfterTheLastRowOfThePageBefore) {
  std::vector<NewTask> batch;
  for (int i = 0; i < 7; ++i) batch.push_back({.queue = "q", .payload = "same-ms-" + std::to_string(i)});
  std::vector<std::string> ids = store_->Enqueue(batch, 1000).value();  // one created_at for all
  for (int i = 0; i < 6; ++i) ids.push_back(Enqueue({.queue = "q", .payload = "later"}, 2000 + i));
  Enqueue({.queue = "other", .payload = "not listed"}, 1500);
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());

  std::vector<std::string> seen;
  std::optional<ListKey> after;
  for (int page = 0; page < 10; ++page) {
    auto rows = store_->List({.queue = "q", .limit = 3, .after = after}).value();
    for (const TaskRow& r : rows) seen.push_back(r.id);
    if (rows.size() < 3) break;
    after = ListKey{rows.back().created_at, rows.back().row};
    EXPECT_NE(after->row, 0) << "every store gives listed rows their key";
  }
  EXPECT_EQ(seen, newest_first);

  // With a status: only its rows, still in order.
  ASSERT_TRUE(store_->Cancel(ids[1], 3000).ok());
  ASSERT_TRUE(store_->Cancel(ids[9], 3000).ok());
  auto first = store_->List({.queue = "q", .status = "cancelled", .limit = 1}).value();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, ids[9]);
  auto rest = store_->List({.queue = "q", .status = "cancelled", .after = ListKey{first[0].created_at, first[0].row}})
                  .value();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, ids[1]);
}

TEST_P(TaskStoreTest, DeleteRemovesAnyTaskThatIsNotRunning) {
  const std::string pending = Enqueue({.queue = "q", .payload = std::string(100000, 'p')});  // a large payload too
  const std::string running = Enqueue({.queue = "q", .payload = "r"}, 1001);
  const std::string failed = Enqueue({.queue = "q", .payload = "f"}, 1002);
  ASSERT_TRUE(store_->Delete(pending).ok());
  EXPECT_FALSE(store_->Get(pending).value().has_value());
  EXPECT_EQ(store_->Delete(pending).code(), StatusCode::kNotFound);
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "w", .max = 2}, 2000).value().size(), 2u);
  ASSERT_EQ(store_->Finish({{.id = failed, .owner = "w", .outcome = Outcome::kFailed, .message = "x"}}, 2100).value(), 1);
  const Status refused = store_->Delete(running);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(),
            "task \"" + running + "\" cannot be deleted while it runs (status: running); cancel it first");
  EXPECT_TRUE(store_->Get(running).value().has_value()) << "refused: nothing changed";
  ASSERT_TRUE(store_->Delete(failed).ok());
  QueueStats stats = store_->Stats("q").value();
  EXPECT_EQ(stats.running, 1);
  EXPECT_EQ(stats.pending + stats.failed + stats.completed + stats.cancelled, 0);
}

TEST_P(TaskStoreTest, RunNowMakesAWaitingTaskDueAndLeavesOthersAlone) {
  const std::string later = Enqueue({.queue = "q", .payload = "later", .run_at_ms = 50'000}, 1000);
  const std::string due = Enqueue({.queue = "q", .payload = "due"}, 1000);
  EXPECT_TRUE(store_->Claim({.queue = "q", .owner = "w", .max = 5}, 2000).value().size() == 1) << "only the due one";
  ASSERT_TRUE(store_->RunNow(later, 3000).ok());
  EXPECT_EQ(Row(later).next_run_at, 3000);
  EXPECT_EQ(store_->RunNow(due, 3000).code(), StatusCode::kFailedPrecondition) << "running";
  EXPECT_EQ(store_->RunNow("nope", 3000).code(), StatusCode::kNotFound);
  auto claimed = store_->Claim({.queue = "q", .owner = "w", .max = 5}, 3000).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, later);
  const std::string early = Enqueue({.queue = "q", .payload = "early"}, 4000);
  ASSERT_TRUE(store_->RunNow(early, 9000).ok());
  EXPECT_EQ(Row(early).next_run_at, 4000) << "already due: its place in line is kept";
}

// The next run time is the earliest of every ready task, whatever its
// priority (SQLite reads it off the priority-ordered ready index).
TEST_P(TaskStoreTest, NextRunAtIsTheEarliestAcrossPriorities) {
  Enqueue({.queue = "q", .payload = "a", .run_at_ms = 9000, .priority = 9});
  Enqueue({.queue = "q", .payload = "b", .run_at_ms = 7000, .priority = 0});
  Enqueue({.queue = "q", .payload = "c", .run_at_ms = 8000, .priority = -4});
  Enqueue({.queue = "q", .payload = "d", .run_at_ms = 6500, .priority = 3});
  const std::string running = Enqueue({.queue = "q", .payload = "e", .run_at_ms = 1000, .priority = 0});
  ASSERT_EQ(store_->Claim({.queue = "q", .owner = "w", .max = 1}, 2000).value().at(0).id, running);
  Enqueue({.queue = "other", .payload = "f", .run_at_ms = 10, .priority = 0});
  EXPECT_EQ(store_->NextRunAt("q").value(), std::optional<int64_t>(6500)) << "not the running task's, not other queues'";
  QueueStats stats = store_->Stats("q").value();
  EXPECT_EQ(stats.pending, 4);
  EXPECT_EQ(stats.running, 1);
}

TEST_P(TaskStoreTest, ConcurrentWritersShareCommitsAndLoseNothing) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> ids;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const std::string id = store_->Enqueue({{.queue = "q", .payload = "x"}}, 1000).value().at(0);
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 400u);
  EXPECT_EQ(store_->Stats("q").value().pending, 400);
}

void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

INSTANTIATE_TEST_SUITE_P(Backends, TaskStoreTest, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param.name; });

// An existing Navidrome taskqueue.db (schema user_version 3) is upgraded in place.
TEST(SqliteTaskStore, UpgradesTheOriginalsDatabase) {
  const fs::path dir = fs::temp_directory_path() / ("pier-store-upgrade-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    auto db = sqlite::Database::Open(dir / "taskqueue.db").value();
    ASSERT_TRUE(db->Exec("PRAGMA foreign_keys=OFF").ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE queues (name TEXT PRIMARY KEY, concurrency INTEGER NOT NULL DEFAULT 1,"
                         " max_retries INTEGER NOT NULL DEFAULT 0, backoff_ms INTEGER NOT NULL DEFAULT 1000,"
                         " delay_ms INTEGER NOT NULL DEFAULT 0, retention_ms INTEGER NOT NULL DEFAULT 3600000);"
                         "CREATE TABLE tasks (id TEXT PRIMARY KEY, queue_name TEXT NOT NULL REFERENCES queues(name),"
                         " payload BLOB NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempt INTEGER NOT NULL"
                         " DEFAULT 0, max_retries INTEGER NOT NULL, next_run_at INTEGER NOT NULL, created_at INTEGER"
                         " NOT NULL, updated_at INTEGER NOT NULL, message TEXT NOT NULL DEFAULT '');"
                         "CREATE INDEX idx_tasks_dequeue ON tasks(queue_name, status, next_run_at);"
                         "INSERT INTO tasks VALUES ('old', 'q', x'6869', 'pending', 0, 1, 5, 5, 5, '');"
                         "PRAGMA user_version = 3;")
                    .ok());
  }
  auto store = SqliteTaskStore::Open(dir / "taskqueue.db").value();
  auto old = store->Get("old").value();
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->payload, "hi");
  EXPECT_EQ(old->priority, 0);
  EXPECT_EQ(store->Claim({.queue = "q", .owner = "w", .lease_ms = 1000, .max = 1}, 10).value().at(0).id, "old");
  store.reset();
  fs::remove_all(dir);
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh store's file in its own temporary folder, opened and closed once
// (migrated), for tests that look at the schema itself.
struct MigratedFile {
  MigratedFile() { SqliteTaskStore::Open(path()).value(); }
  fs::path path() const { return dir.path() / "taskqueue.db"; }
  pier::testing::TempDir dir;
};

// Column `column` of every row `sql` yields, each followed by `separator`.
std::string ColumnOf(sqlite::Database& db, const std::string& sql, int column, const char* separator) {
  auto s = db.Prepare(sql).value();
  std::string text;
  while (s.Step().value()) text += s.ColumnText(column) + separator;
  return text;
}

// Every index of the tasks table, by name.
std::set<std::string> TaskIndexes(sqlite::Database& db) {
  auto s = db.Prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'"
                      " AND name NOT LIKE 'sqlite_autoindex%'").value();
  std::set<std::string> out;
  while (s.Step().value()) out.insert(s.ColumnText(0));
  return out;
}

// A Pier store of schema version 6 (tests/fixtures/taskqueue_v6.sql: random
// IDs, the original's dequeue index, a task in every state) is upgraded in
// place to the claim-path schema, and every task keeps its state and data.
TEST(SqliteTaskStore, UpgradesAVersion6Store) {
  pier::testing::TempDir temp;
  const fs::path& dir = temp.path();
  {
    auto db = sqlite::Database::Open(dir / "taskqueue.db").value();
    const std::string fixture = ReadText(fs::path(PIER_SOURCE_DIR) / "tests/fixtures/taskqueue_v6.sql");
    ASSERT_FALSE(fixture.empty());
    ASSERT_TRUE(db->Exec(fixture).ok());
  }
  auto store = SqliteTaskStore::Open(dir / "taskqueue.db").value();
  {
    auto db = sqlite::Database::Open(dir / "taskqueue.db", /*check=*/false).value();
    auto v = db->Prepare("PRAGMA user_version").value();
    ASSERT_TRUE(v.Step().value());
    EXPECT_EQ(v.ColumnInt(0), 9);
    const std::set<std::string> indexes = TaskIndexes(*db);
    EXPECT_FALSE(indexes.contains("idx_tasks_dequeue")) << "changed on every state change; dropped";
    EXPECT_FALSE(indexes.contains("idx_tasks_created")) << "listing reads the table; dropped";
    for (const char* name : {"idx_tasks_ready", "idx_tasks_leased", "idx_tasks_finished", "idx_tasks_unique"}) {
      EXPECT_TRUE(indexes.contains(name)) << name;
    }
  }
  QueueStats stats = store->Stats("q").value();
  EXPECT_EQ(stats.pending, 2);
  EXPECT_EQ(stats.running, 1);
  EXPECT_EQ(stats.completed, 1);
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.cancelled, 1);
  auto failed = store->Get("B2failedAfterRetries05").value();
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->message, "boom");
  EXPECT_EQ(failed->attempt, 4);
  EXPECT_EQ(store->NextRunAt("q").value(), std::optional<int64_t>(5));
  // The unique key of the pending task still holds.
  auto dup = store->Enqueue({NewTask{.queue = "q", .payload = "again", .unique_key = "only-one"}}, 10).value();
  EXPECT_EQ(dup.at(0), "A7xpendingHighPrio0002");
  // Priority first, then FIFO, as before the upgrade.
  auto claimed = store->Claim({.queue = "q", .owner = "w/1", .lease_ms = 1000, .max = 2}, 10).value();
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].id, "A7xpendingHighPrio0002");
  EXPECT_EQ(claimed[0].payload, "high");
  EXPECT_EQ(claimed[1].id, "Zq81pendingLowPrio0001");
  EXPECT_GT(claimed[0].row, 0) << "claims carry the row, so completions skip the ID index";
  EXPECT_EQ(store->Finish({{.id = claimed[0].id, .owner = "w/1", .row = claimed[0].row}}, 11).value(), 1);
  // A row that does not match its ID is never touched.
  EXPECT_EQ(store->Finish({{.id = claimed[1].id, .owner = "w/1", .row = claimed[0].row}}, 11).value(), 0);
  EXPECT_EQ(store->Finish({{.id = claimed[1].id, .owner = "w/1"}}, 11).value(), 1) << "by ID when the row is unknown";
  // The dead worker's task comes back; retention removes old finished tasks.
  EXPECT_EQ(store->RecoverLeases(100, "", "").value(), 1);
  EXPECT_EQ(store->DeleteFinished("q", 1000, "", 100).value(), 4) << "completed@2, failed@3, and the two finished at 11";
  EXPECT_TRUE(store->Get("c9cancelledByUser00006").value().has_value()) << "finished after the cutoff: kept";
}

// A large payload is written once: the claim and the completion rewrite its
// task's row, not the payload (SQLite writes a whole row on UPDATE). Seen in
// the write-ahead log: after both, it has grown by a few pages, not by the
// payload twice over.
TEST(SqliteTaskStore, LargePayloadsAreNotRewrittenByStateChanges) {
  pier::testing::TempDir temp;
  const fs::path file = temp.path() / "taskqueue.db";
  auto store = SqliteTaskStore::Open(file).value();
  const std::string big(1 << 20, 'p');
  const std::string id = store->Enqueue({NewTask{.queue = "q", .payload = big}}, 1).value().at(0);
  const std::string small_id = store->Enqueue({NewTask{.queue = "q", .payload = "tiny"}}, 1).value().at(0);
  {
    auto db = sqlite::Database::Open(file, /*check=*/false).value();
    EXPECT_EQ(ColumnOf(*db, "SELECT length(payload), payload_apart FROM tasks ORDER BY rowid", 0, ","), "0,4,");
    EXPECT_EQ(ColumnOf(*db, "SELECT payload_apart FROM tasks ORDER BY rowid", 0, ","), "1,0,");
    EXPECT_EQ(ColumnOf(*db, "SELECT length(payload) FROM task_payloads", 0, ","), std::to_string(big.size()) + ",");
    ASSERT_TRUE(db->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    ASSERT_EQ(fs::file_size(file.string() + "-wal"), 0u);
  }
  auto claimed = store->Claim({.queue = "q", .owner = "n/1", .max = 2}, 2).value();
  ASSERT_EQ(claimed.size(), 2u);
  for (const TaskRow& t : claimed) {
    ASSERT_EQ(store->Finish({{.id = t.id, .owner = "n/1", .outcome = Outcome::kCompleted, .row = t.row}}, 3).value(), 1);
  }
  const auto wal = fs::file_size(file.string() + "-wal");
  EXPECT_LT(wal, 128u * 1024) << "the 1 MiB payload was written again";
  EXPECT_EQ(store->Get(id).value()->payload, big);
  EXPECT_EQ(store->Get(small_id).value()->payload, "tiny");
  EXPECT_EQ(store->DeleteFinished("q", 10, "", 10).value(), 2);
  auto db = sqlite::Database::Open(file, /*check=*/false).value();
  EXPECT_EQ(ColumnOf(*db, "SELECT count(*) FROM task_payloads", 0, ","), "0,") << "deleted with its task";
}

// No statement on the write path builds a temporary table: SQLite codes an
// IN list of three or more values as one, so an index whose condition had
// one cost a temporary B-tree on every insert and state change.
TEST(SqliteTaskStore, WritesBuildNoTemporaryTables) {
  MigratedFile file;
  auto db = sqlite::Database::Open(file.path()).value();
  for (const char* sql : {"INSERT INTO tasks (id, queue_name, payload, max_retries, next_run_at, created_at, updated_at)"
                          " VALUES ('a', 'q', x'00', 0, 1, 1, 1)",
                          "UPDATE tasks SET status = 'running' WHERE rowid = 1",
                          "UPDATE tasks SET status = 'completed' WHERE rowid = 1",
                          "UPDATE tasks SET status = 'pending', next_run_at = 5 WHERE rowid = 1"}) {
    const std::string ops = ColumnOf(*db, std::string("EXPLAIN ") + sql, 1, " ");
    EXPECT_EQ(ops.find("OpenEphemeral"), std::string::npos) << sql;
  }
}

// The claim walks its index in order: no temporary B-tree (a sort of every
// ready row per claim, 19-46x slower in the anchors' measurements).
TEST(SqliteTaskStore, ClaimQueryPlanNeedsNoSort) {
  MigratedFile file;
  auto db = sqlite::Database::Open(file.path()).value();
  const std::string text = ColumnOf(*db, "EXPLAIN QUERY PLAN SELECT id FROM tasks INDEXED BY idx_tasks_ready"
                                         " WHERE queue_name = 'q' AND status = 'pending' AND next_run_at <= 5"
                                         " ORDER BY priority DESC, next_run_at, created_at LIMIT 8", 3, "\n");
  EXPECT_NE(text.find("idx_tasks_ready"), std::string::npos) << text;
  EXPECT_EQ(text.find("TEMP B-TREE"), std::string::npos) << text;
}

}  // namespace
}  // namespace pier::taskqueue
