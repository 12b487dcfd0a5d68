// Task-queue benchmark: no-op tasks through real worker plugins (C++ kit and
// Navidrome's Go kit), on real SQLite files (WAL) under both durability
// settings, and, in the same run, two floors with the same batch sizes and
// no plugin, threads or dispatching: the store's own writes for those tasks
// (enqueue, claim, complete), and the lean floor (bench/lean_floor.h), the
// minimal writes on a lean schema straight through SQLite's C API. Every
// figure is printed with its ratio to both.
//
//   bench/taskqueue.sh                       # defaults: 20000 tasks, both durability settings
//   pier_taskqueue_bench --tasks 50000 --latency-samples 500
//   pier_taskqueue_bench --million 1000000  # also a long run, peak RSS per slice
//   perf record -g pier_taskqueue_bench --store-floor-only 60000 --normal 1      # profile the store
//   perf record -g pier_taskqueue_bench --plugin-enqueue-only 30000 --normal 1   # one task per call
//   perf record -g pier_taskqueue_bench --end-to-end-only 100000 --normal 1      # C++ worker, host enqueue
//   perf record -g pier_taskqueue_bench --end-to-end-only 5000 --payload-bytes 8192 --perf-map 1
//                                                     # the same, 8 KiB payloads, guest functions named
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lean_floor.h"
#include "pier/runtime.h"
#include "pier/sqlite_tuning.h"
#include "pier/services/host_services.h"
#include "services/config/config_service.h"
#include "services/taskqueue/plugin_executor.h"
#include "services/taskqueue/postgres_task_store.h"
#include "services/taskqueue/sqlite_task_store.h"
#include "services/taskqueue/task_service.h"

namespace fs = std::filesystem;
using namespace pier;
using namespace pier::taskqueue;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  int tasks = 20000;
  int batch = 100;        // host-API enqueue batch
  int plugin_tasks = 5000;
  int latency_samples = 300;
  int concurrency = 2;
  int pg_tasks = 10000;       // PostgreSQL part (when PIER_TEST_POSTGRES_URL is set)
  int pg_concurrency = 8;
  int store_floor_only = 0;  // N > 0: only the store's floor, N tasks, rounds of 77 (for profiling)
  int normal = 0;            // with --store-floor-only / --plugin-enqueue-only: durability normal
  int plugin_enqueue_only = 0;  // N > 0: only the one-task-per-call enqueue run, N tasks (for profiling)
  int end_to_end_only = 0;  // N > 0: only the C++ worker's host-enqueue run, N tasks (for profiling)
  int payload_bytes = 0;     // with --end-to-end-only: payloads of this size instead of "noop"
  int perf_map = 0;          // 1: write /tmp/perf-<pid>.map, so perf names the plugins' functions
  int million = 0;           // N > 0: also run N tasks (1000000 for the memory check) and report peak RSS
  fs::path dir = fs::temp_directory_path() / ("pier-tq-bench-" + std::to_string(getpid()));
};

class NoContext final : public HostCallContext {
 public:
  std::string_view plugin_name() const override { return "bench"; }
  Clock::time_point deadline() const override { return Clock::time_point::max(); }
  bool interrupted() const override { return false; }
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A worker plugin bound to a fresh task service on `store` (a node).
struct Rig {
  std::unique_ptr<TaskQueueService> service;
  services::MapConfigService config{{}};
  std::unique_ptr<Plugin> plugin;
  TaskStore* store = nullptr;
  SqliteTaskStore* sqlite = nullptr;  // for commit statistics
  std::mutex mu;
  std::map<std::string, Clock::time_point> started;  // for latency runs
  std::atomic<bool> record_starts = false;

  Rig(Runtime& runtime, std::unique_ptr<TaskStore> s, const std::string& wasm, int concurrency,
      const std::string& node = "bench", bool run = true) {
    store = s.get();
    sqlite = dynamic_cast<SqliteTaskStore*>(store);
    TaskServiceOptions options;
    options.max_concurrency = concurrency;
    options.node = node;
    service = std::make_unique<TaskQueueService>(std::move(s), options);
    services::HostServices host;
    host.task = service.get();
    host.config = &config;
    PluginOptions po;
    po.name = "bench";
    po.host_functions = services::BindHostServices(host, {"taskqueue"});
    po.log_level = LogLevel::kWarn;
    const std::string bytes = ReadFile(wasm);
    plugin = runtime.Load(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                          std::move(po))
                 .value();
    if (!run) {
      // An enqueue-only node: the queue is stored by the others; nothing runs here.
      return;
    }
    TaskExecutor execute = PluginExecutor(*plugin);
    service->Start([this, execute](const TaskCall& call) {
      if (record_starts) {
        std::lock_guard<std::mutex> lock(mu);
        started[call.request.task_id] = Clock::now();
      }
      return execute(call);
    });
    NoContext ctx;
    wire::QueueConfig qc;
    qc.concurrency = concurrency;
    if (Status st = service->CreateQueue(ctx, {"work", qc}); !st.ok()) {
      std::fprintf(stderr, "create queue: %s\n", st.message().c_str());
      std::exit(1);
    }
  }
  Rig(Runtime& runtime, const fs::path& db, const std::string& wasm, int concurrency,
      Durability durability = Durability::kFull, size_t payload_apart_from = SqliteTaskStore::kPayloadApartFrom)
      : Rig(runtime, SqliteTaskStore::Open(db, durability, payload_apart_from).value(), wasm, concurrency) {}
  ~Rig() { service->Stop(); }

  int64_t Done() {
    auto s = store->Stats("work").value();
    return s.completed + s.failed;
  }
  void WaitDone(int64_t n) {
    while (Done() < n) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
};

struct Throughput {
  double tasks_per_s = 0;
  double tasks_per_commit = 0;
  int64_t failed = 0;
};

// Enqueues `n` no-op tasks through the host API in batches while the
// workers drain them; end to end: first enqueue to last completion committed.
Throughput HostEnqueue(Rig& rig, int n, int batch, Rig* done_on = nullptr, const std::string& payload = "noop") {
  Rig& counter = done_on ? *done_on : rig;
  const int64_t already = counter.Done();
  const auto before = rig.sqlite ? rig.sqlite->commit_stats() : SqliteTaskStore::CommitStats{};
  const auto t0 = Clock::now();
  std::vector<wire::TaskSpec> specs(batch, wire::TaskSpec{payload});
  for (int sent = 0; sent < n; sent += batch) {
    specs.resize(std::min(batch, n - sent), wire::TaskSpec{payload});
    if (!rig.service->AdminEnqueue("work", specs).ok()) std::exit(1);
  }
  counter.WaitDone(already + n);
  const double s = Seconds(Clock::now() - t0);
  Throughput t;
  t.tasks_per_s = n / s;
  if (rig.sqlite) {
    const auto after = rig.sqlite->commit_stats();
    t.tasks_per_commit = double(n) * 3 / std::max<int64_t>(1, after.transactions - before.transactions);
  }
  t.failed = rig.store->Stats("work").value().failed;
  return t;
}

// The plugin enqueues `n` tasks one host call at a time (export enqueue_noops).
double PluginEnqueue(Rig& rig, int n, int64_t already) {
  const auto t0 = Clock::now();
  auto r = rig.plugin->Call("enqueue_noops", std::to_string(n));
  if (!r.ok() || !r->is_output()) {
    std::fprintf(stderr, "enqueue_noops failed\n");
    std::exit(1);
  }
  rig.WaitDone(already + n);
  return n / Seconds(Clock::now() - t0);
}

// Enqueue-to-start latency on an idle queue, in ms: p50, p99.
// With `via`, the task is enqueued through that node (which runs nothing):
// the worker's node learns of it only from the store's notification.
std::pair<double, double> IdleLatency(Rig& rig, int samples, Rig* via = nullptr) {
  rig.record_starts = true;
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    const auto t0 = Clock::now();
    auto ids = (via ? *via : rig).service->AdminEnqueue("work", {wire::TaskSpec{"noop"}}).value();
    while (rig.store->Get(ids[0]).value()->status != kCompleted) std::this_thread::sleep_for(std::chrono::microseconds(200));
    std::lock_guard<std::mutex> lock(rig.mu);
    auto it = rig.started.find(ids[0]);
    if (it == rig.started.end()) {
      std::fprintf(stderr, "task %s completed without a recorded start\n", ids[0].c_str());
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(it->second - t0).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(3));  // let the queue go idle again
  }
  rig.record_starts = false;
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// Threads spinning on the CPU for as long as this lives: the idle-latency
// figure beside other work that loads every core.
class BusyLoops {
 public:
  explicit BusyLoops(int n) {
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this] {
        volatile uint64_t x = 0;
        while (!stop_.load(std::memory_order_relaxed)) x = x + 1;
      });
    }
  }
  ~BusyLoops() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// This process's peak resident set (VmHWM), in KiB.
long PeakRssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// A long run (e.g. 1,000,000 tasks) in slices, printing the peak RSS after
// each: memory must stay flat while the store grows.
void MillionRun(Runtime& runtime, const Args& a, const std::string& wasm) {
  Rig rig(runtime, a.dir / "million" / "taskqueue.db", wasm, a.concurrency, Durability::kNormal);
  std::printf("\n%d tasks (normal), C++ worker, in 10 slices: rate and peak RSS after each\n", a.million);
  const int slice = std::max(1, a.million / 10);
  for (int done = 0; done < a.million; done += slice) {
    const Throughput t = HostEnqueue(rig, slice, a.batch);
    std::printf("  after %8d: %8.0f tasks/s, peak RSS %ld KiB\n", done + slice, t.tasks_per_s, PeakRssKib());
  }
}

// The floor: the same writes with the same batch sizes, straight into a
// store on a file with the same settings: enqueue batches of `batch`, and
// claim + complete rounds of `per_round` tasks, one thread, no plugin.
double Floor(std::unique_ptr<TaskStore> owned, int n, int batch, int per_round, const std::string& payload = "noop") {
  TaskStore* store = owned.get();
  std::vector<NewTask> specs(batch, NewTask{.queue = "work", .payload = payload});
  const auto t0 = Clock::now();
  int64_t now = 1;
  std::vector<Completion> done;
  int enqueued = 0, finished = 0;
  while (finished < n) {
    if (enqueued < n) {
      specs.resize(std::min(batch, n - enqueued), NewTask{.queue = "work", .payload = payload});
      enqueued += static_cast<int>(store->Enqueue(specs, now).value().size());
    }
    const int rounds = std::max(1, batch / std::max(1, per_round));
    for (int r = 0; r < rounds && finished < n; ++r) {
      ClaimRequest claim{.queue = "work", .owner = "floor", .max = per_round};
      auto ex = store->FinishAndClaim(Round{.completions = done, .claim = &claim}, now).value();
      finished += static_cast<int>(ex.finished);
      done.clear();
      for (const TaskRow& t : ex.claimed) done.push_back({.id = t.id, .owner = "floor", .message = "\"ok\"", .row = t.row});
      if (ex.claimed.empty() && done.empty() && enqueued >= n) break;
    }
  }
  if (!done.empty()) finished += static_cast<int>(store->Finish(done, now).value());
  return finished / Seconds(Clock::now() - t0);
}

// A fresh database `name` on the server of `admin_url`; its URL.
std::string FreshDatabase(const std::string& admin_url, const std::string& name) {
  auto admin = pg::Connection::Connect({.url = admin_url}).value();
  if (!admin->Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").ok() ||
      !admin->Exec("CREATE DATABASE " + name).ok()) {
    std::fprintf(stderr, "cannot create database %s\n", name.c_str());
    std::exit(1);
  }
  std::string url = admin_url;
  const size_t at = url.find("/postgres?");
  return url.replace(at, 10, "/" + name + "?");
}

std::unique_ptr<TaskStore> PostgresStore(const std::string& url) {
  return std::make_unique<PostgresTaskStore>(pg::Database::Open({.url = url}).value(), "bench");
}

// Several nodes (each its own pool, listener, task service and plugin
// instance, in this process) on one PostgreSQL server, next to SQLite at
// the same concurrency and the same statements without plugins.
void PostgresPart(Runtime& runtime, const Args& a, const std::string& admin_url, const std::string& wasm) {
  std::printf("\nPostgreSQL (a private server, fsync on, this machine): %d no-op tasks, queue concurrency %d "
              "(global across nodes), C++ worker\n", a.pg_tasks, a.pg_concurrency);
  std::vector<double> rates;
  for (int nodes = 1; nodes <= 3; ++nodes) {
    const std::string url = FreshDatabase(admin_url, "pier_bench_" + std::to_string(nodes));
    std::vector<std::unique_ptr<Rig>> rigs;
    for (int i = 0; i < nodes; ++i) {
      rigs.push_back(std::make_unique<Rig>(runtime, PostgresStore(url), wasm, a.pg_concurrency, "node" + std::to_string(i)));
    }
    HostEnqueue(*rigs[0], 1000, a.batch);
    rates.push_back(HostEnqueue(*rigs[0], a.pg_tasks, a.batch).tasks_per_s);
  }
  double sqlite_rate = 0;
  {
    Rig rig(runtime, a.dir / "pgcmp" / "taskqueue.db", wasm, a.pg_concurrency);
    HostEnqueue(rig, 1000, a.batch);
    sqlite_rate = HostEnqueue(rig, a.pg_tasks, a.batch).tasks_per_s;
  }
  const double floor = Floor(PostgresStore(FreshDatabase(admin_url, "pier_bench_floor")), a.pg_tasks, a.batch,
                             a.pg_concurrency);
  double local50 = 0, local99 = 0, cross50 = 0, cross99 = 0;
  {
    const std::string url = FreshDatabase(admin_url, "pier_bench_latency");
    Rig worker(runtime, PostgresStore(url), wasm, a.pg_concurrency, "worker");
    Rig other(runtime, PostgresStore(url), wasm, a.pg_concurrency, "enqueuer", /*run=*/false);
    HostEnqueue(worker, 200, a.batch);
    std::tie(local50, local99) = IdleLatency(worker, a.latency_samples);
    std::tie(cross50, cross99) = IdleLatency(worker, a.latency_samples, &other);
  }
  std::printf("\n%-58s %12s %10s\n", "figure", "value", "vs floor");
  std::printf("%-58s %10.0f/s %10s\n", ("floor: same statements, batches " + std::to_string(a.batch) + " / " +
                                        std::to_string(a.pg_concurrency) + ", no plugin").c_str(), floor, "1.00");
  for (int nodes = 1; nodes <= 3; ++nodes) {
    const double r = rates[static_cast<size_t>(nodes - 1)];
    std::printf("%-58s %10.0f/s %9.2fx\n", (std::to_string(nodes) + " node(s), host enqueue, end to end").c_str(), r,
                r / floor);
  }
  std::printf("%-58s %10.0f/s %9.2fx\n", "SQLite, same concurrency, 1 node", sqlite_rate, sqlite_rate / floor);
  std::printf("%-58s %9.2f ms\n", "idle, enqueue -> call start, same node, p50", local50);
  std::printf("%-58s %9.2f ms\n", "idle, enqueue -> call start, same node, p99", local99);
  std::printf("%-58s %9.2f ms\n", "idle, enqueue on another node -> call start, p50", cross50);
  std::printf("%-58s %9.2f ms\n", "idle, enqueue on another node -> call start, p99", cross99);
  std::printf("\n1 node on PostgreSQL / SQLite: %.2f; 3 nodes / 1 node: %.2f\n", rates[0] / sqlite_rate,
              rates[2] / rates[0]);
}

}  // namespace

int main(int argc, char** argv) {
  const bool tuned = pier::TuneSqliteForPier().ok();  // as `pier` runs
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (k == "--tasks") a.tasks = v;
    if (k == "--batch") a.batch = v;
    if (k == "--plugin-tasks") a.plugin_tasks = v;
    if (k == "--latency-samples") a.latency_samples = v;
    if (k == "--concurrency") a.concurrency = v;
    if (k == "--pg-tasks") a.pg_tasks = v;
    if (k == "--pg-concurrency") a.pg_concurrency = v;
    if (k == "--store-floor-only") a.store_floor_only = v;
    if (k == "--million") a.million = v;
    if (k == "--normal") a.normal = v;
    if (k == "--plugin-enqueue-only") a.plugin_enqueue_only = v;
    if (k == "--end-to-end-only") a.end_to_end_only = v;
    if (k == "--payload-bytes") a.payload_bytes = v;
    if (k == "--perf-map") a.perf_map = v;
  }
  spdlog::set_level(spdlog::level::warn);
  fs::remove_all(a.dir);
  fs::create_directories(a.dir);
  if (a.store_floor_only > 0) {
    const double f = Floor(SqliteTaskStore::Open(a.dir / "floor" / "taskqueue.db",
                                                 a.normal ? Durability::kNormal : Durability::kFull)
                               .value(),
                           a.store_floor_only, a.batch, std::min(a.batch, 77));
    std::printf("store floor: %.0f tasks/s\n", f);
    fs::remove_all(a.dir);
    return 0;
  }
  auto runtime = Runtime::Create({.cache_dir = a.dir / "cache", .perf_map = a.perf_map != 0}).value();
  const std::string plugins = PIER_PLUGIN_DIR;
  if (a.plugin_enqueue_only > 0) {
    Rig rig(*runtime, a.dir / "one" / "taskqueue.db", plugins + "/cpp_task_worker.wasm", a.concurrency,
            a.normal ? Durability::kNormal : Durability::kFull);
    HostEnqueue(rig, 2000, a.batch);
    std::printf("one task per task_enqueue: %.0f/s\n", PluginEnqueue(rig, a.plugin_enqueue_only, rig.Done()));
    return 0;
  }
  if (a.end_to_end_only > 0) {
    Rig rig(*runtime, a.dir / "e2e" / "taskqueue.db", plugins + "/cpp_task_worker.wasm", a.concurrency,
            a.normal ? Durability::kNormal : Durability::kFull);
    HostEnqueue(rig, 2000, a.batch);
    const std::string payload = a.payload_bytes > 0 ? std::string(a.payload_bytes, 'x') : "noop";
    const Throughput t = HostEnqueue(rig, a.end_to_end_only, a.batch, nullptr, payload);
    std::printf("C++ worker, host enqueue, end to end: %.0f/s, %.1f writes per commit\n", t.tasks_per_s,
                t.tasks_per_commit);
    return 0;
  }

  std::printf("task-queue benchmark: %d no-op tasks, host enqueue batches of %d, %d workers, WAL, "
              "this machine (%u cores)\n",
              a.tasks, a.batch, a.concurrency, std::thread::hardware_concurrency());
  std::printf("SQLite memory statistics %s (pier::TuneSqliteForPier, as the pier command runs; the lean floor too)\n",
              tuned ? "off" : "on");
  std::printf("floors, measured in this run with the same batch sizes and no plugin: 'lean' = the minimal writes\n"
              "(insert, claim, complete) on an integer-keyed table with one partial ready index, straight through\n"
              "SQLite's C API; 'store' = the same writes through Pier's store\n");

  struct Mode {
    const char* name;
    Durability durability;
    Throughput cpp, go;
    double plugin_rate = 0, p50 = 0, p99 = 0, busy50 = 0, busy99 = 0, lean = 0, store = 0;
  };
  Mode modes[] = {{"full", Durability::kFull}, {"normal", Durability::kNormal}};
  for (Mode& m : modes) {
    const fs::path dir = a.dir / m.name;
    {
      Rig rig(*runtime, dir / "cpp" / "taskqueue.db", plugins + "/cpp_task_worker.wasm", a.concurrency, m.durability);
      HostEnqueue(rig, 2000, a.batch);  // warm up: instances, page cache, claim-ahead depth
      m.cpp = HostEnqueue(rig, a.tasks, a.batch);
      m.plugin_rate = PluginEnqueue(rig, a.plugin_tasks, rig.Done());
      std::tie(m.p50, m.p99) = IdleLatency(rig, a.latency_samples);
      BusyLoops busy(2);
      std::tie(m.busy50, m.busy99) = IdleLatency(rig, a.latency_samples);
    }
    {
      Rig rig(*runtime, dir / "go" / "taskqueue.db", plugins + "/go_taskqueue.wasm", a.concurrency, m.durability);
      HostEnqueue(rig, 500, a.batch);
      m.go = HostEnqueue(rig, std::max(2000, a.tasks / 2), a.batch);
    }
    // Same batch sizes as the C++ run: enqueue batches of `batch`; claim and
    // complete as many per transaction as the C++ run averaged.
    const int per_round = std::max(1, static_cast<int>(m.cpp.tasks_per_commit / 2 + 0.5));
    m.store = Floor(SqliteTaskStore::Open(dir / "floor" / "taskqueue.db", m.durability).value(), a.tasks, a.batch,
                    per_round);
    m.lean = bench::LeanFloor(dir / "lean" / "tasks.db", {.tasks = a.tasks,
                                                         .enqueue_batch = a.batch,
                                                         .per_round = per_round,
                                                         .full_sync = m.durability == Durability::kFull});
    std::printf("\ndurability = \"%s\" (synchronous=%s)\n", m.name, m.durability == Durability::kFull ? "FULL" : "NORMAL");
    std::printf("%-58s %12s %9s %9s\n", "figure", "value", "vs lean", "vs store");
    auto row = [&](const std::string& what, double v) {
      std::printf("%-58s %10.0f/s %8.2fx %8.2fx\n", what.c_str(), v, v / m.lean, v / m.store);
    };
    row("lean floor, batches " + std::to_string(a.batch) + " / " + std::to_string(per_round), m.lean);
    row("store floor, same writes", m.store);
    row("C++ worker, host enqueue, end to end", m.cpp.tasks_per_s);
    row("Go worker (Navidrome kit), host enqueue, end to end", m.go.tasks_per_s);
    row("C++ worker, plugin enqueues one by one (task_enqueue)", m.plugin_rate);
    std::printf("%-58s %10.1f\n", "C++ run: writes per commit (enqueue+claim+complete)", m.cpp.tasks_per_commit);
    std::printf("%-58s %6.2f / %.2f ms\n", "idle queue, enqueue -> call start, p50 / p99", m.p50, m.p99);
    std::printf("%-58s %6.2f / %.2f ms\n", "  the same beside two busy CPU loops", m.busy50, m.busy99);
    if (m.cpp.failed + m.go.failed > 0) {
      std::printf("WARNING: %lld tasks failed\n", (long long)(m.cpp.failed + m.go.failed));
    }
  }
  // Large payloads: stored apart (written once) against kept in the row
  // (rewritten by every claim and completion), same run, durability full.
  {
    const std::string big(8 * 1024, 'x');
    const int n = std::max(2000, a.tasks / 4);
    const size_t inline_only = std::numeric_limits<size_t>::max();
    auto floor_of = [&](const char* name, size_t apart_from) {
      return Floor(SqliteTaskStore::Open(a.dir / name / "taskqueue.db", Durability::kFull, apart_from).value(), n,
                   a.batch, 50, big);
    };
    auto e2e_of = [&](const char* name, size_t apart_from) {
      Rig rig(*runtime, a.dir / name / "taskqueue.db", plugins + "/cpp_task_worker.wasm", a.concurrency,
              Durability::kFull, apart_from);
      HostEnqueue(rig, 500, a.batch, nullptr, big);
      return HostEnqueue(rig, n, a.batch, nullptr, big).tasks_per_s;
    };
    const double floor_apart = floor_of("big-floor-apart", SqliteTaskStore::kPayloadApartFrom);
    const double floor_inline = floor_of("big-floor-inline", inline_only);
    const double e2e_apart = e2e_of("big-apart", SqliteTaskStore::kPayloadApartFrom);
    const double e2e_inline = e2e_of("big-inline", inline_only);
    std::printf("\n8 KiB payloads, durability full, %d tasks             apart       in row    apart / in row\n", n);
    std::printf("%-50s %9.0f/s %9.0f/s %9.2fx\n", "store floor", floor_apart, floor_inline, floor_apart / floor_inline);
    std::printf("%-50s %9.0f/s %9.0f/s %9.2fx\n", "C++ worker, host enqueue, end to end", e2e_apart, e2e_inline,
                e2e_apart / e2e_inline);
  }
  const double floor_single =
      Floor(SqliteTaskStore::Open(a.dir / "floor1" / "taskqueue.db").value(), std::min(a.tasks, 3000), 1, 1);
  std::printf("\n%-58s %10.0f/s\n", "original's pattern: 1 task per transaction (full), no plugin", floor_single);

  const Mode& full = modes[0];
  const Mode& normal = modes[1];
  auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };
  std::printf("\ntargets (issue #14):\n");
  std::printf("  end to end >= 50k/s under full: C++ %s, Go %s; >= 50%% of the lean floor: C++ %s, Go %s\n",
              verdict(full.cpp.tasks_per_s >= 50000), verdict(full.go.tasks_per_s >= 50000),
              verdict(full.cpp.tasks_per_s >= full.lean / 2), verdict(full.go.tasks_per_s >= full.lean / 2));
  std::printf("  end to end >= 100k/s under normal: C++ %s, Go %s; >= 50%% of the lean floor: C++ %s, Go %s\n",
              verdict(normal.cpp.tasks_per_s >= 100000), verdict(normal.go.tasks_per_s >= 100000),
              verdict(normal.cpp.tasks_per_s >= normal.lean / 2), verdict(normal.go.tasks_per_s >= normal.lean / 2));
  std::printf("  plugin enqueues one by one >= 20k/s under normal: %s\n", verdict(normal.plugin_rate >= 20000));
  std::printf("  idle enqueue -> start p99 <= 2 ms: full %s, normal %s; beside busy loops: full %s, normal %s\n",
              verdict(full.p99 <= 2), verdict(normal.p99 <= 2), verdict(full.busy99 <= 2), verdict(normal.busy99 <= 2));
  if (a.million > 0) MillionRun(*runtime, a, plugins + "/cpp_task_worker.wasm");
  if (const char* pg_url = std::getenv("PIER_TEST_POSTGRES_URL"); pg_url != nullptr && *pg_url != '\0') {
    PostgresPart(*runtime, a, pg_url, plugins + "/cpp_task_worker.wasm");
  } else {
    std::printf("\nPostgreSQL part skipped: run through bench/taskqueue.sh (it starts a private server)\n");
  }
  fs::remove_all(a.dir);
  return 0;
}
