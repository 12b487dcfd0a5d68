// Host-service benchmark: each operation from a plugin (one export call per
// operation, C++ kit) next to the same service called natively, in the same
// run, on this machine: KVStore set and get (real SQLite file, FULL sync),
// Cache get, one http_send round trip to a loopback server next to plain
// libcurl, and WebSocket messages delivered to a plugin next to a native
// callback. Prints ops/s, p50 and p99, and the plugin/native ratio.
//
//   bench/services.sh                 # 2000 operations per row
//   pier_services_bench --ops 10000
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "pier/capabilities/callers.h"
#include "pier/runtime.h"
#include "pier/services/host_services.h"
#include "services/cache/cache_service.h"
#include "services/config/config_service.h"
#include "services/http/http_service.h"
#include "services/kvstore/kvstore_service.h"
#include "services/kvstore/sqlite_kv_store.h"
#include "services/websocket/websocket_service.h"
#include "support/loopback_web_server.h"
#include "support/test_plugins.h"

namespace fs = std::filesystem;
using namespace pier;
using Clock = std::chrono::steady_clock;

namespace {

class Context final : public HostCallContext {
 public:
  std::string_view plugin_name() const override { return "bench"; }
  Clock::time_point deadline() const override { return Clock::time_point::max(); }
  bool interrupted() const override { return false; }
};

struct Figures {
  double ops_per_s = 0, p50_us = 0, p99_us = 0;
};

template <typename F>
Figures Measure(int n, F op) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(n));
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    op(i);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(us.begin(), us.end());
  return {n / seconds, us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
}

void Row(const char* name, const Figures& plugin, const Figures& native) {
  std::printf("| %-28s | %10.0f | %8.1f | %8.1f | %10.0f | %8.1f | %8.1f | %6.2f |\n", name, plugin.ops_per_s,
              plugin.p50_us, plugin.p99_us, native.ops_per_s, native.p50_us, native.p99_us,
              plugin.ops_per_s / native.ops_per_s);
}

void Check(const Result<CallResult>& r) {
  if (!r.ok() || !r->is_output()) {
    std::fprintf(stderr, "call failed: %s\n", r.ok() ? r->Describe().c_str() : r.status().message().c_str());
    std::exit(1);
  }
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

int main(int argc, char** argv) {
  int ops = 2000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--ops") ops = std::atoi(argv[i + 1]);
  }
  const fs::path dir = fs::temp_directory_path() / ("pier-svc-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  Context ctx;

  kvstore::KVStoreService kv(kvstore::SqliteKVStore::Open(dir / "kvstore.db").value(), {.quota = 1LL << 40});
  cache::CacheService cache;
  testing::LoopbackWebServer server;
  services::HttpService http({.required_hosts = {"127.0.0.1"}});
  websocket::WebSocketService ws({.required_hosts = {"127.0.0.1"}, .max_pending_messages = 100000});

  services::MapConfigService config({});
  services::HostServices host;
  host.config = &config;
  host.kvstore = &kv;
  host.cache = &cache;
  host.http = &http;
  auto runtime = Runtime::Create().value();
  PluginOptions options;
  options.log_level = LogLevel::kOff;
  options.host_functions = services::BindHostServices(host, {"kvstore", "cache", "http"});
  const std::string wasm = testing::PluginWasm("cpp_service_bench");
  auto plugin = runtime->Load({reinterpret_cast<const uint8_t*>(wasm.data()), wasm.size()}, options).value();

  std::printf("Host services, %d operations per row (this machine, one run; p50/p99 in µs)\n\n", ops);
  std::printf("| %-28s | %10s | %8s | %8s | %10s | %8s | %8s | %6s |\n", "operation", "plugin/s", "p50", "p99",
              "native/s", "p50", "p99", "ratio");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(30, '-').c_str(), std::string(12, '-').c_str(),
              std::string(10, '-').c_str(), std::string(10, '-').c_str(), std::string(12, '-').c_str(),
              std::string(10, '-').c_str(), std::string(10, '-').c_str(), std::string(8, '-').c_str());

  const std::string value = "a value of moderate size, 48 bytes long........";
  const Figures kv_set_native = Measure(ops, [&](int i) { (void)kv.Set(ctx, {"n" + std::to_string(i), value}); });
  const Figures kv_set_plugin = Measure(ops, [&](int i) { Check(plugin->Call("kv_set", "p" + std::to_string(i))); });
  Row("kvstore_set (FULL sync)", kv_set_plugin, kv_set_native);
  const Figures kv_get_native = Measure(ops, [&](int i) { (void)kv.Get(ctx, {"n" + std::to_string(i)}); });
  const Figures kv_get_plugin = Measure(ops, [&](int i) { Check(plugin->Call("kv_get", "p" + std::to_string(i))); });
  Row("kvstore_get", kv_get_plugin, kv_get_native);

  for (int i = 0; i < 100; ++i) (void)cache.SetString(ctx, {"k" + std::to_string(i), value, 0});
  const Figures cache_native = Measure(ops, [&](int i) { (void)cache.GetString(ctx, {"k" + std::to_string(i % 100)}); });
  const Figures cache_plugin = Measure(ops, [&](int i) { Check(plugin->Call("cache_get", "k" + std::to_string(i % 100))); });
  Row("cache_getstring", cache_plugin, cache_native);

  const std::string url = server.Url("/hello");
  const int http_ops = std::max(ops / 4, 50);
  const Figures curl_plain = Measure(http_ops, [&](int) {
    CURL* c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_perform(c);
    curl_easy_cleanup(c);
  });
  const Figures http_plugin = Measure(http_ops, [&](int) { Check(plugin->Call("http_get", url)); });
  Row("http_send round trip", http_plugin, curl_plain);

  // WebSocket: a burst from the server, delivered one message at a time.
  std::atomic<int> received = 0;
  bool to_plugin = false;
  websocket::Callbacks callbacks;
  callbacks.text = [&](const wire::TextMessageRequest& r, const CancelToken&) {
    if (to_plugin) (void)capabilities::CallWebSocketCallbacksOnTextMessage(*plugin, r);
    ++received;
  };
  ws.Start(callbacks);
  auto burst = [&](bool plugin_side) {
    to_plugin = plugin_side;
    received = 0;
    auto id = ws.Connect(ctx, {server.WsUrl("/ws"), {}, ""}).value().new_connection_id;
    const auto start = Clock::now();
    (void)ws.SendText(ctx, {id, "burst " + std::to_string(ops)});
    while (received < ops) std::this_thread::sleep_for(std::chrono::microseconds(200));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    (void)ws.CloseConnection(ctx, {id, 1000, ""});
    return Figures{ops / seconds, 0, 0};
  };
  const Figures ws_native = burst(false);
  const Figures ws_plugin = burst(true);
  Row("websocket messages delivered", ws_plugin, ws_native);
  ws.Stop();
  std::printf("\nratio = plugin ops/s ÷ native ops/s (the same service, the same run)\n");
  plugin.reset();
  fs::remove_all(dir);
  return 0;
}
