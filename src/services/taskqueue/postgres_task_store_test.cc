// What only a store shared by several nodes must do: limits that hold across
// nodes, events that reach the other nodes, migrations and faults. Two
// "nodes" here are two pg::Database objects (their own pools and
// listeners) on one real server.
#include "services/taskqueue/postgres_task_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/postgres.h"

namespace pier::taskqueue {
namespace {

using namespace std::chrono_literals;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pier::testing::PostgresAvailable()) GTEST_SKIP() << pier::testing::kNoPostgres;
    url_ = pier::testing::FreshPostgresDatabase("pier_shared_store_test");
    a_ = Node();
    b_ = Node();
  }
  std::unique_ptr<PostgresTaskStore> Node() {
    return std::make_unique<PostgresTaskStore>(pg::Database::Open({.url = url_}).value(), "shared");
  }
  std::string Enqueue(TaskStore& s, std::string queue, int64_t now = 1000) {
    return s.Enqueue({{.queue = std::move(queue), .payload = "x"}}, now).value().at(0);
  }

  std::string url_;
  std::unique_ptr<PostgresTaskStore> a_, b_;
};

TEST_F(PostgresStoreTest, ConcurrencyIsGlobalAcrossNodes) {
  ASSERT_TRUE(a_->SaveQueue({.name = "q", .concurrency = 2}).ok());
  for (int i = 0; i < 10; ++i) Enqueue(*a_, "q");
  ClaimRequest from_a{.queue = "q", .owner = "a/1", .max = 5};
  Exchange first = a_->FinishAndClaim({.claim = &from_a}, 2000).value();
  ASSERT_EQ(first.claimed.size(), 2u) << "the queue's concurrency, not the node's request";
  ASSERT_TRUE(first.held_until.has_value());
  ClaimRequest from_b{.queue = "q", .owner = "b/1", .max = 5};
  Exchange none = b_->FinishAndClaim({.claim = &from_b}, 2000).value();
  EXPECT_TRUE(none.claimed.empty()) << "node b sees node a's two running tasks";
  ASSERT_TRUE(none.held_until.has_value());
  EXPECT_EQ(*none.held_until, 3000) << "a safety re-poll; the completion's wake comes sooner";
  ASSERT_EQ(a_->Finish({{.id = first.claimed[0].id, .owner = "a/1"}}, 2100).value(), 1);
  EXPECT_EQ(b_->FinishAndClaim({.claim = &from_b}, 2200).value().claimed.size(), 1u);
  EXPECT_EQ(a_->Stats("q").value().running, 2);
}

TEST_F(PostgresStoreTest, TheRateTokenIsShared) {
  ASSERT_TRUE(a_->SaveQueue({.name = "slow", .concurrency = 5, .delay_ms = 1000}).ok());
  for (int i = 0; i < 3; ++i) Enqueue(*a_, "slow");
  ClaimRequest ca{.queue = "slow", .owner = "a/1", .max = 3}, cb{.queue = "slow", .owner = "b/1", .max = 3};
  EXPECT_EQ(a_->FinishAndClaim({.claim = &ca}, 1000).value().claimed.size(), 1u) << "one per token";
  Exchange early = b_->FinishAndClaim({.claim = &cb}, 1500).value();
  EXPECT_TRUE(early.claimed.empty());
  EXPECT_EQ(early.held_until, std::optional<int64_t>(2000)) << "when node a's token spacing ends";
  EXPECT_EQ(b_->FinishAndClaim({.claim = &cb}, 2000).value().claimed.size(), 1u);
}

TEST_F(PostgresStoreTest, APausedQueueClaimsNothingOnAnyNode) {
  ASSERT_TRUE(a_->SaveQueue({.name = "q", .concurrency = 4}).ok());
  Enqueue(*a_, "q");
  ASSERT_TRUE(a_->SetPaused("q", true).ok());
  ClaimRequest cb{.queue = "q", .owner = "b/1", .max = 4};
  EXPECT_TRUE(b_->FinishAndClaim({.claim = &cb}, 2000).value().claimed.empty());
  ASSERT_TRUE(b_->SetPaused("q", false).ok());
  EXPECT_EQ(a_->Claim({.queue = "q", .owner = "a/1", .max = 4}, 2000).value().size(), 1u);
}

// Collects one node's events.
struct Heard {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  void Add(std::string e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(std::move(e));
    cv.notify_all();
  }
  bool WaitFor(const std::string& e) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, 5s, [&] { return std::find(events.begin(), events.end(), e) != events.end(); });
  }
};

TEST_F(PostgresStoreTest, EnqueuesPausesCancelsAndFreedCapacityReachTheOtherNode) {
  Heard heard;
  b_->Watch({.work = [&](const std::string& q) { heard.Add("work " + q); },
             .paused = [&](const std::string& q, bool p) { heard.Add((p ? "paused " : "resumed ") + q); },
             .cancel = [&](const std::string& id) { heard.Add("cancel " + id); }});
  ASSERT_TRUE(a_->SaveQueue({.name = "q", .concurrency = 1}).ok());
  Enqueue(*a_, "q");
  EXPECT_TRUE(heard.WaitFor("work q")) << "an enqueue on node a wakes node b";
  ASSERT_TRUE(a_->SetPaused("q", true).ok());
  EXPECT_TRUE(heard.WaitFor("paused q"));
  ASSERT_TRUE(a_->SetPaused("q", false).ok());
  EXPECT_TRUE(heard.WaitFor("resumed q"));

  Enqueue(*a_, "q");
  auto running = a_->Claim({.queue = "q", .owner = "a/1", .max = 1}, 2000).value();
  ASSERT_EQ(running.size(), 1u);
  ASSERT_TRUE(a_->RequestCancel(running[0].id).ok());
  EXPECT_TRUE(heard.WaitFor("cancel " + running[0].id));

  // Node b is held back by the queue's concurrency; node a's completion wakes it.
  {
    std::lock_guard<std::mutex> lock(heard.mu);
    heard.events.clear();
  }
  ClaimRequest cb{.queue = "q", .owner = "b/1", .max = 1};
  ASSERT_TRUE(b_->FinishAndClaim({.claim = &cb}, 2100).value().held_until.has_value());
  ASSERT_EQ(a_->Finish({{.id = running[0].id, .owner = "a/1"}}, 2200).value(), 1);
  EXPECT_TRUE(heard.WaitFor("work q")) << "freed capacity wakes the node that was held back";
  b_->Watch({});
  EXPECT_EQ(a_->LoadQueues().value().size(), 1u);
}

TEST_F(PostgresStoreTest, EveryNodeRecoversExpiredLeasesButOnlyOnce) {
  for (int i = 0; i < 20; ++i) Enqueue(*a_, "q");
  ASSERT_EQ(a_->Claim({.queue = "q", .owner = "dead/1", .lease_ms = 100, .max = 20}, 1000).value().size(), 20u);
  std::atomic<int64_t> recovered = 0;
  std::thread ta([&] { recovered += a_->RecoverLeases(5000, "", "").value(); });
  std::thread tb([&] { recovered += b_->RecoverLeases(5000, "", "").value(); });
  ta.join();
  tb.join();
  EXPECT_EQ(recovered.load(), 20);
  EXPECT_EQ(a_->Stats("q").value().pending, 20);
}

TEST_F(PostgresStoreTest, LargeBatchesAreOneTransaction) {
  std::vector<NewTask> many(1000, NewTask{.queue = "q", .payload = "x"});
  EXPECT_EQ(a_->Enqueue(many, 1000).value().size(), 1000u);
  EXPECT_EQ(a_->Stats("q").value().pending, 1000);
  // One invalid row (a queue name that is not UTF-8) and none of the batch stays.
  std::vector<NewTask> bad(600, NewTask{.queue = "r", .payload = "x"});
  bad[550].queue = "\xff\xfe";
  EXPECT_FALSE(a_->Enqueue(bad, 1000).ok());
  EXPECT_EQ(a_->Stats("r").value().pending, 0);
  EXPECT_EQ(a_->Stats("q").value().pending, 1000) << "and the connection still works";
  // A round with more completions than one pipeline holds.
  auto claimed = a_->Claim({.queue = "q", .owner = "a/1", .max = 1000}, 2000).value();
  ASSERT_EQ(claimed.size(), 1000u);
  std::vector<Completion> done;
  for (const TaskRow& t : claimed) done.push_back({.id = t.id, .owner = "a/1"});
  EXPECT_EQ(a_->Finish(done, 3000).value(), 1000);
}

TEST_F(PostgresStoreTest, LostConnectionsAreReplacedAndListenersResync) {
  std::atomic<int> resyncs = 0;
  Heard heard;
  b_->Watch({.work = [&](const std::string& q) { heard.Add("work " + q); }, .resync = [&] { ++resyncs; }});
  auto admin = pg::Connection::Connect({.url = url_}).value();
  // Every other session of this database goes, the listener's included.
  ASSERT_TRUE(admin->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                          " AND pid <> pg_backend_pid()").ok());
  // The first use of a dead pooled connection may fail; the pool then replaces it.
  bool worked = false;
  for (int i = 0; i < 50 && !worked; ++i) {
    worked = a_->Enqueue({{.queue = "q", .payload = "x"}}, 1000).ok();
    if (!worked) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(worked);
  for (int i = 0; i < 100 && resyncs.load() == 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_GE(resyncs.load(), 1) << "the listener reconnected and told its subscribers to re-read";
  Enqueue(*a_, "q");
  EXPECT_TRUE(heard.WaitFor("work q")) << "notifications flow again";
  b_->Watch({});
}

TEST_F(PostgresStoreTest, AStatementTimeoutEndsAWaitWithDeadlineExceeded) {
  PostgresTaskStore impatient(pg::Database::Open({.url = url_, .statement_timeout = 200ms}).value(), "shared");
  auto admin = pg::Connection::Connect({.url = url_}).value();
  ASSERT_TRUE(admin->Exec("BEGIN; LOCK TABLE pier.tasks IN ACCESS EXCLUSIVE MODE").ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = impatient.Enqueue({{.queue = "q", .payload = "x"}}, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  ASSERT_TRUE(admin->Exec("ROLLBACK").ok());
  EXPECT_TRUE(impatient.Enqueue({{.queue = "q", .payload = "x"}}, 1000).ok()) << "and the store goes on";
  EXPECT_EQ(impatient.Stats("q").value().pending, 1) << "the timed-out enqueue left nothing";
}

TEST(PostgresDatabase, MigrationsRunOnceWhenNodesStartTogether) {
  if (!pier::testing::PostgresAvailable()) GTEST_SKIP() << pier::testing::kNoPostgres;
  const std::string url = pier::testing::FreshPostgresDatabase("pier_migration_test");
  std::vector<std::thread> nodes;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 4; ++i) nodes.emplace_back([&] { ok += pg::Database::Open({.url = url, .listen = false}).ok(); });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(ok.load(), 4);
  auto c = pg::Connection::Connect({.url = url}).value();
  EXPECT_EQ(c->Run("SELECT count(*)::bigint FROM pier.schema_version").value().Int(0, 0), pg::kSchemaVersion);
  EXPECT_EQ(pg::SchemaVersion(*c).value(), pg::kSchemaVersion);
}

TEST(PostgresDatabase, ANewerSchemaIsRefusedAndLeftAlone) {
  if (!pier::testing::PostgresAvailable()) GTEST_SKIP() << pier::testing::kNoPostgres;
  const std::string url = pier::testing::FreshPostgresDatabase("pier_newer_schema_test");
  ASSERT_TRUE(pg::Database::Open({.url = url, .listen = false}).ok());
  auto c = pg::Connection::Connect({.url = url}).value();
  ASSERT_TRUE(c->Exec("INSERT INTO pier.schema_version (version) VALUES (99);"
                      " INSERT INTO pier.kv VALUES ('p', 'k', 'v', 1, 0, 1, 1)").ok());
  auto refused = pg::Database::Open({.url = url, .listen = false});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("version 99, newer than this Pier's"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(c->Run("SELECT count(*)::bigint FROM pier.kv").value().Int(0, 0), 1) << "nothing was changed";
}

TEST(PostgresDatabase, AnUnreachableServerIsNamedWithoutItsPassword) {
  // Port 1 on loopback: nothing listens there.
  auto r = pg::Database::Open({.url = "postgresql://pier:s3cret-pw@127.0.0.1:1/pier", .connect_timeout = 2s});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("postgresql://pier:***@127.0.0.1:1/pier"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos) << r.status().message();
}

TEST(PostgresDatabase, PasswordsAreRedactedInEveryUrlForm) {
  EXPECT_EQ(pg::RedactUrl("postgresql://u:pw@h:5/db"), "postgresql://u:***@h:5/db");
  EXPECT_EQ(pg::RedactUrl("postgres://u@h/db?sslmode=require&password=pw&x=1"),
            "postgres://u@h/db?sslmode=require&password=***&x=1");
  EXPECT_EQ(pg::RedactUrl("host=h user=u password='p w' dbname=d"), "host=h user=u password=*** dbname=d");
  EXPECT_EQ(pg::RedactUrl("postgresql:///db?host=/tmp/s"), "postgresql:///db?host=/tmp/s");
}

}  // namespace
}  // namespace pier::taskqueue
