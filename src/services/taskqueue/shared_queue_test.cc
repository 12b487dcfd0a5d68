// Task queues of one plugin served by several nodes on one PostgreSQL
// database: real dispatchers, real store, real server. The "nodes" are
// TaskQueueServices in this process with their own pools, listeners and
// node names; tests/cli/pier_cluster_test.cc runs separate processes.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "services/taskqueue/postgres_task_store.h"
#include "services/taskqueue/task_service.h"
#include "support/postgres.h"
#include "support/test_call_context.h"
#include "support/wait.h"

namespace pier::taskqueue {
namespace {

using namespace std::chrono_literals;

class SharedQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pier::testing::PostgresAvailable()) GTEST_SKIP() << pier::testing::kNoPostgres;
    url_ = pier::testing::FreshPostgresDatabase("pier_shared_queue_test");
  }
  void TearDown() override {
    for (auto& n : nodes_) n->Stop();
    nodes_.clear();
  }
  // Starts `count` nodes, each with queue `queue` created as `config`.
  using NodeExecutor = std::function<TaskCallResult(int node, const TaskCall& call)>;
  void StartNodes(int count, const std::string& queue, wire::QueueConfig config, const NodeExecutor& execute) {
    for (int i = 0; i < count; ++i) {
      TaskServiceOptions o;
      o.max_concurrency = 8;
      o.node = "node" + std::to_string(i);
      o.dispatch.shutdown_grace = 2s;
      // Short leases: a claim whose commit was lost with its connection comes back soon.
      o.dispatch.call_timeout = 2s;
      o.dispatch.lease_slack = 1s;
      o.maintenance_interval = 200ms;
      auto db = pg::Database::Open({.url = url_}).value();
      auto node = std::make_unique<TaskQueueService>(std::make_unique<PostgresTaskStore>(db, "plugin"), o);
      ASSERT_TRUE(node->CreateQueue(ctx_, {queue, config}).ok());
      node->Start([execute, i](const TaskCall& call) { return execute(i, call); });
      nodes_.push_back(std::move(node));
    }
  }
  std::vector<std::string> Enqueue(TaskQueueService& node, const std::string& queue, int n) {
    std::vector<wire::TaskSpec> specs(static_cast<size_t>(n), wire::TaskSpec{.payload = "x"});
    return node.AdminEnqueue(queue, specs).value();
  }
  int64_t Count(const std::string& queue, std::string_view status) {
    auto s = nodes_[0]->QueueStatsOf(queue).value();
    if (status == kCompleted) return s.completed;
    if (status == kPending) return s.pending;
    if (status == kRunning) return s.running;
    return s.cancelled;
  }

  std::string url_;
  pier::testing::TestCallContext ctx_;
  std::vector<std::unique_ptr<TaskQueueService>> nodes_;
};

TEST_F(SharedQueueTest, ThreeNodesRunEveryTaskExactlyOnce) {
  std::mutex mu;
  std::map<std::string, int> runs;
  std::set<std::thread::id> threads;
  StartNodes(3, "q", {.concurrency = 6}, [&](int, const TaskCall& call) {
    std::lock_guard<std::mutex> lock(mu);
    ++runs[call.request.task_id];
    threads.insert(std::this_thread::get_id());
    return TaskCallResult{.ok = true};
  });
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto part = Enqueue(*nodes_[static_cast<size_t>(i)], "q", 1000);
    ids.insert(ids.end(), part.begin(), part.end());
  }
  ASSERT_TRUE(pier::testing::WaitFor([&] { return Count("q", kCompleted) == 3000; }, 60s))
      << Count("q", kCompleted) << " completed";
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(runs.size(), 3000u);
  for (const std::string& id : ids) EXPECT_EQ(runs[id], 1) << id;
  EXPECT_GT(threads.size(), 6u) << "more than one node's workers took part";
}

TEST_F(SharedQueueTest, ConcurrencyTwoHoldsAcrossAllNodes) {
  std::atomic<int> in_flight = 0, most = 0, done = 0;
  StartNodes(3, "two", {.concurrency = 2}, [&](int, const TaskCall&) {
    const int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(3ms);
    --in_flight;
    ++done;
    return TaskCallResult{.ok = true};
  });
  Enqueue(*nodes_[0], "two", 150);
  ASSERT_TRUE(pier::testing::WaitFor([&] { return Count("two", kCompleted) == 150; }, 60s));
  EXPECT_EQ(done.load(), 150);
  EXPECT_LE(most.load(), 2) << "never more than the queue's concurrency at once, whichever node";
  EXPECT_EQ(most.load(), 2) << "and the budget was used";
}

TEST_F(SharedQueueTest, APauseOnOneNodeHoldsOnEveryNode) {
  std::atomic<int> ran = 0;
  StartNodes(3, "p", {.concurrency = 2}, [&](int, const TaskCall&) {
    ++ran;
    return TaskCallResult{.ok = true};
  });
  ASSERT_TRUE(nodes_[0]->SetPaused("p", true).ok());
  Enqueue(*nodes_[1], "p", 20);
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(ran.load(), 0) << "no node runs a paused queue";
  EXPECT_TRUE(nodes_[2]->QueueStatsOf("p").value().paused) << "every node reports it paused";
  ASSERT_TRUE(nodes_[2]->SetPaused("p", false).ok());
  ASSERT_TRUE(pier::testing::WaitFor([&] { return Count("p", kCompleted) == 20; }, 20s));
}

TEST_F(SharedQueueTest, CancellingARunningTaskReachesTheNodeThatRunsIt) {
  std::atomic<int> runner = -1;
  StartNodes(2, "c", {.concurrency = 1}, [&](int node, const TaskCall& call) {
    runner = node;
    while (!call.cancel.cancelled()) std::this_thread::sleep_for(1ms);
    return TaskCallResult{.ok = false, .message = "interrupted"};
  });
  const std::string id = Enqueue(*nodes_[0], "c", 1).at(0);
  ASSERT_TRUE(pier::testing::WaitFor([&] { return runner.load() >= 0; }, 10s));
  // Cancel through the node that does not run it.
  TaskQueueService& other = *nodes_[static_cast<size_t>(1 - runner.load())];
  ASSERT_TRUE(other.CancelTask(id).ok());
  auto detail = nodes_[static_cast<size_t>(runner.load())]->TaskDetailOf(id).value();
  EXPECT_EQ(detail.status, "cancelled");
  EXPECT_NE(detail.message.find("cancelled while running"), std::string::npos) << detail.message;
}

// Every session is cut a few times while tasks flow: rounds fail and are
// retried, claims in doubt come back through their leases, and still every
// task runs, and none runs twice.
TEST_F(SharedQueueTest, LostConnectionsLoseNoTaskAndRunNoneTwice) {
  std::mutex mu;
  std::map<std::string, int> runs;
  StartNodes(2, "q", {.concurrency = 4}, [&](int, const TaskCall& call) {
    std::this_thread::sleep_for(200us);
    std::lock_guard<std::mutex> lock(mu);
    ++runs[call.request.task_id];
    return TaskCallResult{.ok = true};
  });
  auto admin = pg::Connection::Connect({.url = url_}).value();
  std::vector<std::string> ids;
  for (int round = 0; round < 4; ++round) {
    // A client retries an enqueue that was not acknowledged.
    std::vector<wire::TaskSpec> specs(500, wire::TaskSpec{.payload = "x"});
    Result<std::vector<std::string>> part = UnavailableError("not tried");
    for (int attempt = 0; attempt < 20 && !part.ok(); ++attempt) {
      part = nodes_[static_cast<size_t>(round % 2)]->AdminEnqueue("q", specs);
      if (!part.ok()) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(part.ok()) << part.status().message();
    ids.insert(ids.end(), part->begin(), part->end());
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(admin->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND pid <> pg_backend_pid()").ok());
  }
  ASSERT_EQ(ids.size(), 2000u) << "every enqueue was acknowledged (after the pool replaced its connections)";
  ASSERT_TRUE(pier::testing::WaitFor([&] { auto c = nodes_[0]->QueueStatsOf("q"); return c.ok() && c->completed == 2000; },
                                     60s));
  std::lock_guard<std::mutex> lock(mu);
  for (const std::string& id : ids) EXPECT_EQ(runs[id], 1) << id;
}

}  // namespace
}  // namespace pier::taskqueue
