// What a /metrics scrape and the dashboard overview's queue part cost with
// 50 plugins × 10 queues, one queue holding 1,000,000 pending tasks and the
// others 100 each, next to the store reads neither can avoid (each queue's
// counts and next due time) in the same run. Each figure over the reads is
// what formatting and collecting add. Also: a page of the big queue's task
// list 900,000 rows deep, by offset (as `pier queue tasks --offset` and
// task_listtasks read) and by key (as the dashboard's cursor reads), next to
// the first page.
//
//   build/bench/pier_metrics_bench                        # 1,000,000 tasks in the big queue
//   build/bench/pier_metrics_bench --big-queue=100000     # quicker
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include "admin/overview.h"
#include "admin/task_search.h"
#include "pier/metrics.h"
#include "services/taskqueue/queue_metrics.h"
#include "services/taskqueue/sqlite_task_store.h"
#include "services/taskqueue/task_service.h"

namespace pier {
namespace {

constexpr int kPlugins = 50;
constexpr int kQueues = 10;
constexpr int kSmallQueue = 100;
int64_t big_queue = 1'000'000;

struct Fleet {
  std::filesystem::path dir;
  std::shared_ptr<Metrics> metrics = std::make_shared<Metrics>();
  std::vector<std::unique_ptr<taskqueue::TaskQueueService>> services;

  Fleet() {
    dir = std::filesystem::temp_directory_path() / ("pier-metrics-bench-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto start = std::chrono::steady_clock::now();
    for (int p = 0; p < kPlugins; ++p) {
      auto store = taskqueue::SqliteTaskStore::Open(dir / ("p" + std::to_string(p) + ".db"),
                                                    taskqueue::Durability::kNormal).value();
      for (int q = 0; q < kQueues; ++q) {
        const std::string name = "queue-" + std::to_string(q);
        if (!store->SaveQueue({.name = name}).ok()) std::exit(1);
        const int64_t n = p == 0 && q == 0 ? big_queue : kSmallQueue;
        std::vector<taskqueue::NewTask> batch;
        for (int64_t i = 0; i < n; ++i) {
          batch.push_back({.queue = name, .payload = "noop"});
          if (batch.size() == 10000 || i + 1 == n) {
            if (!store->Enqueue(batch, 1).ok()) std::exit(1);
            batch.clear();
          }
        }
      }
      taskqueue::TaskServiceOptions options;
      options.metrics = metrics;
      options.plugin = "plugin-" + std::to_string(p);
      services.push_back(std::make_unique<taskqueue::TaskQueueService>(std::move(store), std::move(options)));
      // What the runtime and the dispatchers add: calls by export and outcome, queue histograms.
      for (int e = 0; e < 5; ++e) {
        const MetricLabels labels = {{"plugin", options.plugin}, {"export", "nd_export_" + std::to_string(e)}};
        metrics->GetCounter("pier_plugin_calls_total", "Calls.", {labels[0], labels[1], {"outcome", "output"}}).Add(7);
        metrics->GetHistogram("pier_plugin_call_duration_seconds", "Duration.", LatencyBuckets(), labels).Observe(0.001);
      }
      for (int q = 0; q < kQueues; ++q) {
        auto m = taskqueue::QueueMetrics::For(*metrics, options.plugin, "queue-" + std::to_string(q));
        m.enqueued.Add(kSmallQueue);
        m.run.Observe(0.002);
      }
    }
    std::cerr << "fleet: " << kPlugins << " plugins x " << kQueues << " queues, " << big_queue + (kPlugins * kQueues - 1) * kSmallQueue
              << " tasks, made in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n";
  }
  ~Fleet() {
    services.clear();
    std::filesystem::remove_all(dir);
  }
};

Fleet& TheFleet() {
  static Fleet fleet;
  return fleet;
}

// Baseline: the reads every scrape needs, nothing else.
void BM_StoreReadsOnly(benchmark::State& state) {
  Fleet& f = TheFleet();
  for (auto _ : state) {
    for (auto& s : f.services) {
      auto all = s->AllQueueStats();
      for (const auto& q : *all) benchmark::DoNotOptimize(s->store().NextRunAt(q.name));
    }
  }
}
BENCHMARK(BM_StoreReadsOnly)->Unit(benchmark::kMillisecond);

void BM_Scrape(benchmark::State& state) {
  Fleet& f = TheFleet();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = f.metrics->PrometheusText();
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Scrape)->Unit(benchmark::kMillisecond);

// The overview document's queue part (admin/overview.h) for every plugin, dumped as the server sends it.
void BM_OverviewQueues(benchmark::State& state) {
  Fleet& f = TheFleet();
  size_t bytes = 0;
  for (auto _ : state) {
    nlohmann::json plugins = nlohmann::json::array();
    for (auto& s : f.services) plugins.push_back({{"queues", OverviewQueues(*s, 2)}});
    std::string text = plugins.dump();
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_OverviewQueues)->Unit(benchmark::kMillisecond);

// A page of 50 at `depth` rows into the big queue: 0 (the first page), by offset, or by key.
void BM_TaskPage(benchmark::State& state) {
  Fleet& f = TheFleet();
  auto& big = *f.services[0];
  const int depth = static_cast<int>(std::min<int64_t>(900'000, big_queue - 100));
  std::optional<taskqueue::ListKey> key;
  if (state.range(0) == 2) {  // the key of the row just above that depth, as a cursor from the page before
    auto rows = big.ListedTasks({.queue = "queue-0", .limit = 1, .offset = depth - 1}).value();
    key = rows.at(0).key;
  }
  for (auto _ : state) {
    auto page = state.range(0) == 2 ? big.ListedTasks({.queue = "queue-0", .limit = 50, .after = key})
                                    : big.ListedTasks({.queue = "queue-0", .limit = 50,
                                                       .offset = state.range(0) == 1 ? depth : 0});
    if (!page.ok() || page->size() != 50) state.SkipWithError("page");
    benchmark::DoNotOptimize(page);
  }
  state.SetLabel(state.range(0) == 0 ? "first page" : state.range(0) == 1 ? "offset 900k" : "key 900k");
}
BENCHMARK(BM_TaskPage)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pier

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--big-queue=", 12) == 0) pier::big_queue = std::atoll(argv[i] + 12);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
