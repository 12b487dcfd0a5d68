// GET /metrics of a running `pier serve`: the token is required, the text is
// accepted by the Prometheus project's own parser (tests/cli/metrics_check.py,
// python3-prometheus-client) with the checks promtool makes, and the figures
// match what happened — tasks enqueued, attempts and outcomes, plugin calls,
// queue depths — for a queue whose name carries a quote, a backslash and a
// newline.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/served_folder.h"
#include "http/router.h"
#include "support/wait.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kManifest[] =
    R"({"name":"worker","author":"pier","version":"1","permissions":{"taskqueue":{"maxConcurrency":2}},)"
    R"("config":{"schema":{"type":"object","properties":{"concurrency":{"type":"integer"},)"
    R"("queue":{"type":"string"}}}}})";
const std::string kQueue = "we\"ird\\q\nname";

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c)) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct Sample {
  std::string name;
  json labels;
  double value;
};

class PierMetrics : public ServedFolder {
 protected:
  void SetUp() override { WritePackage("worker", kManifest, "cpp_task_worker"); }
  // The samples of /metrics, checked by the parser; empty (and a failure) when refused.
  std::vector<Sample> Scrape() {
    httplib::Client client(AdminUrl());
    testing::Authorize(client, root_ / "data");
    auto res = client.Get("/metrics");
    if (!res || res->status != 200) {
      ADD_FAILURE() << "GET /metrics: " << (res ? res->status : -1);
      return {};
    }
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    const fs::path text = root_ / "metrics.txt";
    std::ofstream(text) << res->body;
    const std::string cmd = "/usr/bin/python3 " + Quote(std::string(PIER_SOURCE_DIR) + "/tests/cli/metrics_check.py") +
                            " < " + Quote(text.string()) + " 2>" + Quote((root_ / "check.err").string());
    FILE* f = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    const int status = pclose(f);
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0)
        << testing::ReadFile(root_ / "check.err") << "\n" << res->body;
    std::vector<Sample> samples;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      json j = json::parse(line);
      samples.push_back({j["name"], j["labels"], j["value"]});
    }
    return samples;
  }
  // The value of the one sample `name` whose labels include `labels`; -1 if none.
  static double Value(const std::vector<Sample>& samples, const std::string& name, const json& labels) {
    for (const Sample& s : samples) {
      if (s.name != name) continue;
      bool all = true;
      for (const auto& [k, v] : labels.items()) all = all && s.labels.contains(k) && s.labels[k] == v;
      if (all) return s.value;
    }
    return -1;
  }

};

TEST_F(PierMetrics, ScrapedFiguresMatchWhatHappenedAndParse) {
  const json config = {{"concurrency", 2}, {"queue", kQueue}};
  ASSERT_EQ(Cli({"plugins", "config", "worker", "--set", config.dump()}).exit_code, 0);
  ASSERT_EQ(Cli({"plugins", "enable", "worker"}).exit_code, 0);
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));

  // Without the token: refused, like the API.
  httplib::Client anonymous(AdminUrl());
  auto refused = anonymous.Get("/metrics");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);

  json specs = json::array();
  for (int i = 0; i < 20; ++i) specs.push_back({{"payload", "bm9vcA=="}});  // noop
  for (int i = 0; i < 2; ++i) specs.push_back({{"payload", "ZmFpbA=="}});   // fail (no retries)
  httplib::Client client(AdminUrl());
  testing::Authorize(client, root_ / "data");
  auto res = client.Post("/api/plugins/worker/queues/" + UrlEncode(kQueue) + "/tasks", specs.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;

  const json q = {{"plugin", "worker"}, {"queue", kQueue}};
  std::vector<Sample> m;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        m = Scrape();
        return Value(m, "pier_queue_tasks", {{"queue", kQueue}, {"status", "completed"}}) == 20 &&
               Value(m, "pier_queue_tasks", {{"queue", kQueue}, {"status", "failed"}}) == 2;
      },
      10s, 100ms));
  json with = q;
  EXPECT_EQ(Value(m, "pier_task_enqueued_total", q), 22);
  EXPECT_EQ(Value(m, "pier_task_attempts_total", q), 22);
  with["status"] = "completed";
  EXPECT_EQ(Value(m, "pier_task_finished_total", with), 20);
  with["status"] = "failed";
  EXPECT_EQ(Value(m, "pier_task_finished_total", with), 2);
  EXPECT_EQ(Value(m, "pier_task_run_seconds_count", q), 22);
  EXPECT_EQ(Value(m, "pier_task_wait_seconds_count", q), 22);
  EXPECT_EQ(Value(m, "pier_task_end_to_end_seconds_count", q), 22);
  EXPECT_EQ(Value(m, "pier_queue_tasks", {{"queue", kQueue}, {"status", "pending"}}), 0);
  EXPECT_EQ(Value(m, "pier_queue_paused", q), 0);
  EXPECT_EQ(Value(m, "pier_plugin_calls_total", {{"plugin", "worker"}, {"export", "nd_task_execute"}, {"outcome", "output"}}), 20);
  EXPECT_EQ(Value(m, "pier_plugin_calls_total", {{"plugin", "worker"}, {"export", "nd_task_execute"}, {"outcome", "plugin_error"}}), 2);
  EXPECT_EQ(Value(m, "pier_plugin_call_duration_seconds_count", {{"plugin", "worker"}, {"export", "nd_task_execute"}}), 22);
  EXPECT_EQ(Value(m, "pier_plugin_up", {{"plugin", "worker"}}), 1);
  EXPECT_EQ(Value(m, "pier_plugin_loads_total", {{"plugin", "worker"}, {"outcome", "ok"}}), 1);
  EXPECT_EQ(Value(m, "pier_host_calls_total", {{"plugin", "worker"}, {"function", "task_createqueue"}, {"outcome", "ok"}}), 1);
  EXPECT_GT(Value(m, "process_resident_memory_bytes", {}), 0);
  EXPECT_EQ(Value(m, "pier_metrics_series_dropped_total", {}), 0);
  // The admin listener counts itself, by route pattern, never by path.
  EXPECT_GE(Value(m, "pier_admin_requests_total", {{"method", "GET"}, {"route", "/metrics"}, {"code", "200"}}), 1);
  EXPECT_EQ(Value(m, "pier_admin_requests_total", {{"route", "/api/plugins/([^/]+)/queues/([^/]+)/tasks"},
                                                   {"method", "POST"}, {"code", "200"}}), 1);
  for (const Sample& s : m) {
    if (s.name != "pier_admin_requests_total") continue;
    EXPECT_EQ(s.labels["route"].get<std::string>().find("worker"), std::string::npos) << s.labels;
  }

  // A disabled plugin is down; its counters stay.
  ASSERT_EQ(Cli({"plugins", "disable", "worker"}).exit_code, 0);
  ASSERT_TRUE(testing::WaitFor([&] { return Value(Scrape(), "pier_plugin_up", {{"plugin", "worker"}}) == 0; }, 10s, 100ms));
  EXPECT_EQ(Value(Scrape(), "pier_task_enqueued_total", q), 22);
}

}  // namespace
}  // namespace pier
