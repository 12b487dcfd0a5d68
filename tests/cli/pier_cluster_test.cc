// Several `pier serve` processes on one PostgreSQL database, the same
// plugin installed on each: every task runs exactly once when nothing
// crashes; a queue's concurrency holds across nodes; and the cluster crash
// harness SIGKILLs one node at random while the others go on — every
// acknowledged task ends final, no completed task runs again, and the tasks
// of a node that stays dead are taken over once their lease expires.
//
// PIER_CLUSTER_TASKS (default 3000) sets the size of the exactly-once run;
// PIER_CLUSTER_BACKLOG (default 2000) the tasks queued before the kills
// start, PIER_CRASH_ROUNDS (default 4) the number of kills.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/run_pier.h"
#include "cli/admin_client.h"
#include "cli/serve_process.h"
#include "pier/wire/gojson.h"
#include "services/taskqueue/postgres_task_store.h"
#include "support/postgres.h"
#include "support/test_plugins.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kManifest[] =
    R"({"name":"worker","author":"pier","version":"1","permissions":{"taskqueue":{"maxConcurrency":4},)"
    R"("http":{"requiredHosts":["127.0.0.1"]}},)"
    R"("config":{"schema":{"type":"object","properties":{"concurrency":{"type":"integer"},)"
    R"("max_retries":{"type":"integer"},"queue":{"type":"string"}}}}})";

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// Counts executions (and, for "span:" tasks, how many run at once).
class Witness {
 public:
  Witness() {
    server_.Post("/run", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      const size_t space = req.body.find(' ');
      const std::string id = req.body.substr(0, space), what = req.body.substr(space + 1);
      if (what == "begin") {
        most_ = std::max(most_, ++in_flight_);
      } else if (what == "end") {
        --in_flight_;
      } else {
        runs_.emplace(id, std::atoi(what.c_str()));
      }
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Witness() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/run"; }
  std::multimap<std::string, int> runs() {
    std::lock_guard<std::mutex> lock(mu_);
    return runs_;
  }
  int most() {
    std::lock_guard<std::mutex> lock(mu_);
    return most_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::multimap<std::string, int> runs_;
  int in_flight_ = 0, most_ = 0;
};

class PierCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::PostgresAvailable()) GTEST_SKIP() << testing::kNoPostgres;
    url_ = testing::FreshPostgresDatabase("pier_cluster_test");
    fs::remove_all(root_);
  }
  void TearDown() override {
    nodes_.clear();
    fs::remove_all(root_);
  }
  // Installs and enables the worker on `count` nodes, each with its own
  // folders and admin port, all on the test database.
  // `named`: nodes called "node<i>" ([storage] node), else the default
  // name (host name and a digest of the data folder).
  void MakeNodes(int count, const std::string& plugin_config, bool named = false) {
    for (int i = 0; i < count; ++i) {
      const fs::path dir = root_ / ("node" + std::to_string(i));
      fs::create_directories(dir / "plugins");
      std::ofstream(dir / "pier.toml") << "plugins_folder = \"plugins\"\ndata_folder = \"data\"\n"
                                          "log_level = \"info\"\nadmin_listen = \"127.0.0.1:0\"\n"
                                          "call_timeout = \"5s\"\n"
                                          "[storage]\nurl = \"" << url_ << "\"\n"
                                       << (named ? "node = \"node" + std::to_string(i) + "\"\n" : std::string())
                                       << 
                                          "[taskqueue]\nlease_slack = \"2s\"\nrecovery_interval = \"500ms\"\n";
      testing::ZipWriter zip;
      zip.Add("manifest.json", kManifest);
      zip.Add("plugin.wasm", testing::PluginWasm("cpp_task_worker"));
      zip.WriteTo(dir / "plugins" / "worker.ndp");
      CliRun set = Pier({"plugins", "config", "worker", "--set", plugin_config, "--config", (dir / "pier.toml").string()});
      ASSERT_EQ(set.exit_code, 0) << set.out;
      CliRun enable = Pier({"plugins", "enable", "worker", "--config", (dir / "pier.toml").string()});
      ASSERT_EQ(enable.exit_code, 0) << enable.out;
      nodes_.push_back(std::make_unique<ServeProcess>(dir / "pier.toml", dir / "serve.log"));
      starts_.push_back(0);
    }
  }
  void StartNode(size_t i) {
    nodes_[i]->Start(/*append=*/true);
    ASSERT_TRUE(nodes_[i]->LogShows("pier serve: ready", ++starts_[i], 30));
  }
  std::string AdminUrl(size_t i) {
    std::string url = testing::ReadFile(root_ / ("node" + std::to_string(i)) / "data" / "pier.admin");
    return url.substr(0, url.find('\n'));
  }
  std::vector<std::string> Enqueue(size_t node, const std::string& payload, int n) {
    json specs = json::array();
    for (int i = 0; i < n; ++i) specs.push_back({{"payload", wire::Base64Encode(payload)}});
    httplib::Client client(AdminUrl(node));
    testing::Authorize(client, root_ / ("node" + std::to_string(node)) / "data");
    auto res = client.Post("/api/plugins/worker/queues/work/tasks", specs.dump(), "application/json");
    if (!res || res->status != 200) return {};
    return json::parse(res->body)["ids"].get<std::vector<std::string>>();
  }
  taskqueue::PostgresTaskStore& Store() {
    if (!store_) {
      store_ = std::make_unique<taskqueue::PostgresTaskStore>(pg::Database::Open({.url = url_, .listen = false}).value(),
                                                              "worker");
    }
    return *store_;
  }
  bool Drained(std::chrono::seconds limit) {
    return testing::WaitFor(
        [&] {
          auto s = Store().Stats("work");
          return s.ok() && s->pending == 0 && s->running == 0;
        },
        limit, 100ms);
  }

  std::string url_;
  fs::path root_ = fs::temp_directory_path() / ("pier-cluster-" + std::to_string(getpid()));
  std::vector<std::unique_ptr<ServeProcess>> nodes_;
  std::vector<size_t> starts_;
  std::unique_ptr<taskqueue::PostgresTaskStore> store_;
};

TEST_F(PierCluster, ThreeNodesRunEveryTaskExactlyOnce) {
  Witness witness;
  ASSERT_NO_FATAL_FAILURE(MakeNodes(3, R"({"concurrency":4})"));
  for (size_t i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(StartNode(i));
  const int total = EnvInt("PIER_CLUSTER_TASKS", 3000);
  std::set<std::string> ids;
  for (int sent = 0, round = 0; sent < total; ++round) {
    const int n = std::min(500, total - sent);
    auto part = Enqueue(static_cast<size_t>(round % 3), "report:" + witness.url(), n);
    ASSERT_EQ(part.size(), static_cast<size_t>(n));
    ids.insert(part.begin(), part.end());
    sent += n;
  }
  ASSERT_TRUE(Drained(300s));
  auto runs = witness.runs();
  EXPECT_EQ(runs.size(), static_cast<size_t>(total)) << "one execution per task";
  for (const std::string& id : ids) {
    ASSERT_EQ(runs.count(id), 1u) << id;
    EXPECT_EQ(Store().Get(id).value()->status, "completed");
  }
  std::cout << total << " tasks, each run once, on 3 nodes\n";
}

TEST_F(PierCluster, AQueuesConcurrencyHoldsAcrossNodes) {
  Witness witness;
  ASSERT_NO_FATAL_FAILURE(MakeNodes(3, R"({"concurrency":2})"));
  for (size_t i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(StartNode(i));
  for (size_t i = 0; i < 3; ++i) ASSERT_EQ(Enqueue(i, "span:15:" + witness.url(), 30).size(), 30u);
  ASSERT_TRUE(Drained(120s));
  EXPECT_LE(witness.most(), 2) << "concurrency 2 is the queue's, not each node's";
  EXPECT_EQ(witness.most(), 2);
}

TEST_F(PierCluster, APauseAndACancelReachEveryNode) {
  Witness witness;
  ASSERT_NO_FATAL_FAILURE(MakeNodes(2, R"({"concurrency":1})", /*named=*/true));
  for (size_t i = 0; i < 2; ++i) ASSERT_NO_FATAL_FAILURE(StartNode(i));
  const std::string toml0 = (root_ / "node0" / "pier.toml").string();
  ASSERT_EQ(Pier({"queue", "pause", "worker", "work", "--config", toml0}).exit_code, 0);
  ASSERT_EQ(Enqueue(1, "report:" + witness.url(), 5).size(), 5u);
  std::this_thread::sleep_for(800ms);
  EXPECT_TRUE(witness.runs().empty()) << "paused through node 0, so node 1 runs nothing either";
  ASSERT_EQ(Pier({"queue", "resume", "worker", "work", "--config", toml0}).exit_code, 0);
  ASSERT_TRUE(Drained(30s));
  EXPECT_EQ(witness.runs().size(), 5u);

  // A long task runs on one node; cancelling it through the other reaches it.
  const std::string id = Enqueue(1, "sleep:60000", 1).at(0);
  ASSERT_TRUE(testing::WaitFor([&] { return Store().Get(id).value()->started_at > 0; }, 10s, 50ms))
      << "its start is recorded after 20 ms";
  const std::string owner = Store().Get(id).value()->lease_owner;
  const std::string other = owner.starts_with("node0/") ? "node1" : "node0";
  CliRun cancel = Pier({"queue", "cancel", "worker", id, "--config", (root_ / other / "pier.toml").string()});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out;
  auto row = Store().Get(id).value();
  EXPECT_EQ(row->status, "cancelled") << "run by " << owner << ", cancelled through " << other;
  EXPECT_NE(row->message.find("cancelled while running"), std::string::npos) << row->message;

  // With every node stopped, `pier queue` reads the shared database itself.
  for (auto& node : nodes_) EXPECT_EQ(node->Kill(SIGTERM), 0);
  CliRun stats = Pier({"queue", "stats", "worker", "work", "--json", "--config", toml0});
  ASSERT_EQ(stats.exit_code, 0) << stats.out;
  const json st = json::parse(stats.out);
  EXPECT_EQ(st["completed"], 5) << st;
  EXPECT_EQ(st["cancelled"], 1) << st;
  EXPECT_EQ(st["active"], false) << "offline: no dispatcher runs it here";
}

// Kill one node at random per round and bring it back the next round; at
// the end one node stays dead, and the live ones take over its tasks.
TEST_F(PierCluster, KillingANodeLosesNothingAndOthersTakeOverItsTasks) {
  Witness witness;
  ASSERT_NO_FATAL_FAILURE(MakeNodes(3, R"({"concurrency":3,"max_retries":20})", /*named=*/true));
  for (size_t i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(StartNode(i));
  const int rounds = EnvInt("PIER_CRASH_ROUNDS", 4);
  std::mt19937 rng(std::random_device{}());
  std::set<std::string> acknowledged;
  for (int queued = 0, backlog = EnvInt("PIER_CLUSTER_BACKLOG", 2000); queued < backlog; queued += 500) {
    auto ids = Enqueue(static_cast<size_t>(queued / 500 % 3), "report:" + witness.url(), std::min(500, backlog - queued));
    ASSERT_FALSE(ids.empty());
    acknowledged.insert(ids.begin(), ids.end());
  }
  std::optional<size_t> dead;
  for (int round = 0; round <= rounds; ++round) {
    if (dead) ASSERT_NO_FATAL_FAILURE(StartNode(*dead));
    dead = rng() % 3;
    const auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(200 + rng() % 400);
    while (std::chrono::steady_clock::now() < kill_at) {
      const size_t to = (*dead + 1 + rng() % 2) % 3;  // a live node
      auto ids = Enqueue(to, "report:" + witness.url(), 5);
      acknowledged.insert(ids.begin(), ids.end());
    }
    nodes_[*dead]->Kill(SIGKILL);
  }
  // Node *dead stays down: its claimed tasks come back after their lease
  // (call timeout 5 s + slack 2 s) through the others' recovery.
  ASSERT_GT(acknowledged.size(), 50u);
  int orphaned = 0;
  for (const auto& t : Store().List({.queue = "work", .status = "running", .limit = 100000}).value()) {
    orphaned += t.lease_owner.starts_with("node" + std::to_string(*dead) + "/");
  }
  ASSERT_TRUE(Drained(120s)) << "the live nodes took over the dead node's tasks";
  auto runs = witness.runs();
  int reruns = 0;
  for (const std::string& id : acknowledged) {
    auto row = Store().Get(id).value();
    ASSERT_TRUE(row.has_value()) << "acknowledged task " << id << " was lost";
    ASSERT_EQ(row->status, "completed") << id << ": " << row->message;
    auto [from, to] = runs.equal_range(id);
    ASSERT_NE(from, to) << "completed task " << id << " never ran";
    for (auto it = from; it != to; ++it) {
      EXPECT_LE(it->second, row->attempt) << "task " << id << " ran again after completing";
    }
    reruns += static_cast<int>(std::distance(from, to)) - 1;
  }
  RecordProperty("orphaned_by_the_dead_node", orphaned);
  std::cout << acknowledged.size() << " tasks over " << rounds << " node kills, " << reruns
            << " re-run after a kill interrupted them; " << orphaned
            << " left running by the node that stayed dead were taken over\n";
}

}  // namespace
}  // namespace pier
