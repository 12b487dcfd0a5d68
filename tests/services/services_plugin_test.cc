// The general-purpose host services through real plugins built with
// Navidrome's own Go kit (tests/plugins/go_ndkit: the protocols of the
// original's test-kvstore, test-cache-plugin, test-config, test-scheduler
// and test-websocket plugins), loaded by the real manager over real SQLite
// files and a real loopback WebSocket server: the behaviours the original's
// suites check (spec §7.5), and permission denied without each permission.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "manager/plugin_manager.h"
#include "manager/plugin_services.h"
#include "services/cache/cache_service.h"
#include "services/scheduler/scheduler_service.h"
#include "services/websocket/websocket_service.h"
#include "support/loopback_web_server.h"
#include "support/test_plugins.h"
#include "support/wait.h"
#include "support/plugin_packages.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string Manifest(const std::string& permissions, const std::string& extra = "") {
  return R"({"name":"t","author":"pier","version":"1","permissions":)" + permissions + extra + "}";
}

class ServicesPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-svc-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "plugins");
    runtime_ = Runtime::Create().value();
    Restart();
  }
  void TearDown() override {
    manager_.reset();
    fs::remove_all(dir_);
  }
  void Restart() {
    manager_.reset();
    ManagerOptions options;
    options.data_dir = dir_ / "data";
    options.call_timeout = 10s;
    options.log_sink = logs_.sink();
    options.cache_max_bytes = 1 << 20;
    manager_ = std::make_unique<PluginManager>(*runtime_, options);
  }
  Result<std::shared_ptr<LoadedPlugin>> TryLoad(const std::string& id, const std::string& manifest,
                                                const std::string& wasm, const std::string& config = "") {
    testing::ZipWriter zip;
    zip.Add("manifest.json", manifest);
    zip.Add("plugin.wasm", testing::PluginWasm(wasm));
    const fs::path path = dir_ / "plugins" / (id + ".ndp");
    zip.WriteTo(path);
    return manager_->Load(path, {.config_json = config});
  }
  std::shared_ptr<LoadedPlugin> Load(const std::string& id, const std::string& manifest, const std::string& wasm,
                                     const std::string& config = "") {
    auto loaded = TryLoad(id, manifest, wasm, config);
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    return loaded.ok() ? *loaded : nullptr;
  }
  json Op(LoadedPlugin& p, const std::string& fn, const json& input) { return testing::CallJson(p, fn, input); }
  bool Logged(const std::string& text) {
    for (const auto& l : logs_.lines()) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }
  bool WaitLogged(const std::string& text, std::chrono::milliseconds within = 5000ms) {
    return testing::WaitFor([&] { return Logged(text); }, within);
  }

  fs::path dir_;
  testing::LogCapture logs_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginManager> manager_;
};

// --- KVStore (test-kvstore: maxSize "10KB" = 10,000 bytes) ---

constexpr char kKvPermission[] = R"({"kvstore":{"maxSize":"10KB"}})";

TEST_F(ServicesPluginTest, KVStoreThroughTheUpstreamKit) {
  auto p = Load("test-kvstore", Manifest(kKvPermission), "go_nd_kvstore");
  ASSERT_TRUE(p);
  auto kv = [&](json in) { return Op(*p, "nd_test_kvstore", in); };
  const std::string binary("\0\x01\xff\x00zz", 6);
  const std::string b64 = "AAH/AHp6";
  EXPECT_FALSE(kv({{"operation", "set"}, {"key", "bin"}, {"value", b64}}).contains("error"));
  EXPECT_EQ(kv({{"operation", "get"}, {"key", "bin"}})["value"], b64) << "NUL bytes round-trip through Wasm";
  EXPECT_EQ(kv({{"operation", "has"}, {"key", "bin"}})["exists"], true);
  EXPECT_EQ(kv({{"operation", "get"}, {"key", "none"}}).value("exists", false), false);
  EXPECT_EQ(kv({{"operation", "get_storage_used"}})["storage_used"], 6);
  // Quota: 10,000 bytes; the original's message with SI units.
  const std::string big(12000, 'x');
  EXPECT_EQ(kv({{"operation", "set"}, {"key", "big"}, {"value", wire::Base64Encode(big)}})["error"],
            "storage limit exceeded: would use 12 kB of 10 kB allowed");
  EXPECT_FALSE(kv({{"operation", "set"}, {"key", "bin"}, {"value", "AAAAAAAA"}}).contains("error")) << "same size";
  EXPECT_EQ(kv({{"operation", "set"}, {"key", ""}, {"value", "eA=="}})["error"], "key cannot be empty");
  EXPECT_EQ(kv({{"operation", "set"}, {"key", std::string(300, 'k')}, {"value", "eA=="}})["error"],
            "key exceeds maximum length of 256 bytes");
  EXPECT_EQ(kv({{"operation", "set_with_ttl"}, {"key", "t"}, {"value", "eA=="}, {"ttl_seconds", 0}})["error"],
            "ttlSeconds must be greater than 0");
  // LIKE specials in prefixes are literal; matching folds ASCII case.
  for (const char* k : {"a%b", "a_b", "axb", "User:1"}) {
    ASSERT_FALSE(kv({{"operation", "set"}, {"key", k}, {"value", "eA=="}}).contains("error"));
  }
  EXPECT_EQ(kv({{"operation", "list"}, {"prefix", "a%"}})["keys"], json::array({"a%b"}));
  EXPECT_EQ(kv({{"operation", "list"}, {"prefix", "a_"}})["keys"], json::array({"a_b"}));
  EXPECT_EQ(kv({{"operation", "list"}, {"prefix", "user:"}})["keys"], json::array({"User:1"}));
  auto many = kv({{"operation", "get_many"}, {"keys", {"a%b", "missing", "axb"}}});
  EXPECT_EQ(many["values"].size(), 2u);
  EXPECT_FALSE(many["values"].contains("missing"));
  EXPECT_FALSE(kv({{"operation", "get_many"}, {"keys", json::array()}}).contains("values"));
  EXPECT_EQ(kv({{"operation", "delete_by_prefix"}, {"prefix", "a"}})["deleted_count"], 3);
  EXPECT_EQ(kv({{"operation", "delete_by_prefix"}, {"prefix", ""}})["error"], "prefix cannot be empty");
  EXPECT_FALSE(kv({{"operation", "delete"}, {"key", "never-there"}}).contains("error"));
  // TTL: invisible once its second has passed; set clears a TTL.
  ASSERT_FALSE(kv({{"operation", "set_with_ttl"}, {"key", "ttl"}, {"value", "eA=="}, {"ttl_seconds", 1}}).contains("error"));
  ASSERT_FALSE(kv({{"operation", "set_with_ttl"}, {"key", "kept"}, {"value", "eA=="}, {"ttl_seconds", 1}}).contains("error"));
  ASSERT_FALSE(kv({{"operation", "set"}, {"key", "kept"}, {"value", "eA=="}}).contains("error"));
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(kv({{"operation", "has"}, {"key", "ttl"}}).value("exists", false), false);
  EXPECT_EQ(kv({{"operation", "has"}, {"key", "kept"}})["exists"], true);
  // The data lives in <data>/plugins/test-kvstore/kvstore.db and survives a reload.
  EXPECT_TRUE(fs::exists(dir_ / "data" / "plugins" / "test-kvstore" / "kvstore.db"));
  const json used = kv({{"operation", "get_storage_used"}});
  Restart();
  p = Load("test-kvstore", Manifest(kKvPermission), "go_nd_kvstore");
  EXPECT_EQ(Op(*p, "nd_test_kvstore", {{"operation", "get_storage_used"}}), used);
  // Another plugin has its own database.
  auto other = Load("other-kv", Manifest(kKvPermission), "go_nd_kvstore");
  EXPECT_EQ(Op(*other, "nd_test_kvstore", {{"operation", "has"}, {"key", "kept"}}).value("exists", false), false);
}

// The same service from Rust: host functions declared with Extism's Rust kit.
TEST_F(ServicesPluginTest, KVStoreFromARustPlugin) {
  auto p = Load("rust-kv", Manifest(kKvPermission), "rust_nd_kvstore");
  ASSERT_TRUE(p);
  const json out = Op(*p, "kv_roundtrip", {{"key", "greeting"}, {"value", "hello from rust"}});
  EXPECT_EQ(out["set"], json::object()) << out.dump();
  EXPECT_EQ(out["get"]["exists"], true) << out.dump();
  EXPECT_EQ(out["get"]["value"], wire::Base64Encode("hello from rust")) << out.dump();
  EXPECT_TRUE(fs::exists(dir_ / "data" / "plugins" / "rust-kv" / "kvstore.db"));
}

// --- Cache (test-cache-plugin) ---

TEST_F(ServicesPluginTest, CacheThroughTheUpstreamKit) {
  auto p = Load("test-cache", Manifest(R"({"cache":{}})"), "go_nd_cache");
  ASSERT_TRUE(p);
  auto c = [&](json in) { return Op(*p, "nd_test_cache", in); };
  ASSERT_FALSE(c({{"operation", "set_string"}, {"key", "s"}, {"string_val", "hello"}}).contains("error"));
  EXPECT_EQ(c({{"operation", "get_string"}, {"key", "s"}})["string_val"], "hello");
  ASSERT_FALSE(c({{"operation", "set_int"}, {"key", "i"}, {"int_val", -7}}).contains("error"));
  EXPECT_EQ(c({{"operation", "get_int"}, {"key", "i"}})["int_val"], -7);
  ASSERT_FALSE(c({{"operation", "set_float"}, {"key", "f"}, {"float_val", 2.5}}).contains("error"));
  EXPECT_EQ(c({{"operation", "get_float"}, {"key", "f"}})["float_val"], 2.5);
  ASSERT_FALSE(c({{"operation", "set_bytes"}, {"key", "b"}, {"bytes_val", "AAEA"}}).contains("error"));
  EXPECT_EQ(c({{"operation", "get_bytes"}, {"key", "b"}})["bytes_val"], "AAEA") << "NUL bytes survive";
  EXPECT_EQ(c({{"operation", "get_int"}, {"key", "s"}}).value("exists", false), false) << "type mismatch";
  EXPECT_FALSE(c({{"operation", "remove"}, {"key", "nope"}}).contains("error"));
  EXPECT_EQ(c({{"operation", "has"}, {"key", "s"}})["exists"], true);
  // Per-plugin: another plugin does not see this one's entries.
  auto other = Load("other-cache", Manifest(R"({"cache":{}})"), "go_nd_cache");
  EXPECT_EQ(Op(*other, "nd_test_cache", {{"operation", "has"}, {"key", "s"}}).value("exists", false), false);
  // A plugin that fills its cache stays within the host's cap (1 MiB here).
  for (int i = 0; i < 400; ++i) {
    ASSERT_FALSE(c({{"operation", "set_bytes"}, {"key", "fill" + std::to_string(i)},
                    {"bytes_val", wire::Base64Encode(std::string(8000, 'z'))}})
                     .contains("error"));
  }
  EXPECT_LE(p->services->cache()->stats().bytes, 1 << 20);
  EXPECT_GT(p->services->cache()->stats().evictions, 0);
  // Unloading drops everything.
  ASSERT_TRUE(manager_->Unload("test-cache").ok());
  p = Load("test-cache", Manifest(R"({"cache":{}})"), "go_nd_cache");
  EXPECT_EQ(Op(*p, "nd_test_cache", {{"operation", "has"}, {"key", "i"}}).value("exists", false), false);
}

// --- Config (test-config) ---

TEST_F(ServicesPluginTest, ConfigThroughTheUpstreamKit) {
  const std::string manifest = R"({"name":"test-config","author":"pier","version":"1","config":{"schema":{
      "type":"object","required":["api_key"],"properties":{"api_key":{"type":"string"},"max_retries":{"type":"string"},
      "timeout":{"type":"string"},"users":{"type":"array"},"settings":{"type":"object"}}}}})";
  auto p = Load("test-config", manifest, "go_nd_config",
                R"({"api_key":"k","max_retries":"-3","timeout":"1.5","users":["a","b"],"settings":{"z":1,"a":true}})");
  ASSERT_TRUE(p);
  auto c = [&](json in) { return Op(*p, "nd_test_config", in); };
  EXPECT_EQ(c({{"operation", "get"}, {"key", "api_key"}})["string_val"], "k");
  EXPECT_EQ(c({{"operation", "get_int"}, {"key", "max_retries"}})["int_val"], -3) << "negative integers parse";
  EXPECT_EQ(c({{"operation", "get_int"}, {"key", "timeout"}}).value("exists", false), false) << "a float does not";
  EXPECT_EQ(c({{"operation", "get"}, {"key", "users"}})["string_val"], R"(["a","b"])") << "arrays arrive as JSON text";
  EXPECT_EQ(c({{"operation", "get"}, {"key", "settings"}})["string_val"], R"({"a":true,"z":1})") << "keys sorted";
  EXPECT_EQ(c({{"operation", "list"}, {"prefix", ""}})["keys"],
            json::array({"api_key", "max_retries", "settings", "timeout", "users"}));
  EXPECT_EQ(c({{"operation", "list"}, {"prefix", "m"}})["keys"], json::array({"max_retries"}));
  EXPECT_EQ(c({{"operation", "get"}, {"key", "missing"}}).value("exists", false), false);
}

// --- Scheduler (test-scheduler) ---

constexpr char kSchedulerPermission[] = R"({"scheduler":{}})";

TEST_F(ServicesPluginTest, SchedulerThroughTheUpstreamKit) {
  auto p = Load("test-scheduler", Manifest(kSchedulerPermission), "go_nd_scheduler");
  ASSERT_TRUE(p);
  auto s = [&](json in) { return Op(*p, "nd_test_scheduler", in); };
  EXPECT_EQ(s({{"operation", "one_time"}, {"delay", 60}, {"payload", "x"}, {"id", "dup"}})["id"], "dup");
  EXPECT_EQ(s({{"operation", "recurring"}, {"cron", "@every 1s"}, {"payload", "x"}, {"id", "dup"}})["error"],
            "schedule ID \"dup\" already exists");
  EXPECT_EQ(s({{"operation", "recurring"}, {"cron", "1 2 3 4 5 6"}, {"payload", "x"}})["error"],
            "failed to schedule task: expected exactly 5 fields, found 6: [1 2 3 4 5 6]");
  EXPECT_EQ(s({{"operation", "one_time"}, {"delay", 60}, {"payload", "x"}})["id"].get<std::string>().size(), 22u);
  EXPECT_FALSE(s({{"operation", "cancel"}, {"id", "dup"}}).contains("error"));
  EXPECT_EQ(s({{"operation", "cancel"}, {"id", "dup"}})["error"], "schedule ID \"dup\" not found");
  // `@every 1s` fires on time, several times; the plugin schedules from inside its callback.
  const auto start = std::chrono::steady_clock::now();
  ASSERT_FALSE(s({{"operation", "recurring"}, {"cron", "@every 1s"}, {"payload", "schedule-followup"}, {"id", "tick"}})
                   .contains("error"));
  ASSERT_TRUE(WaitLogged("fired tick payload=schedule-followup recurring=yes", 2500ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2100ms) << "the first firing comes within about a second";
  ASSERT_TRUE(WaitLogged("fired followup-id payload=followup-created recurring=no", 3500ms))
      << "the one-time schedule the plugin made from its callback fired";
  EXPECT_TRUE(testing::WaitFor([&] { return p->services->scheduler()->Schedules().size() >= 1; }, 1000ms));
  ASSERT_FALSE(s({{"operation", "one_time"}, {"delay", 0}, {"payload", "schedule-recurring"}}).contains("error"));
  ASSERT_TRUE(WaitLogged("fired recurring-from-plugin payload=recurring-created recurring=yes", 3500ms));
  ASSERT_FALSE(s({{"operation", "one_time"}, {"delay", 0}, {"payload", "schedule-duplicate:tick"}}).contains("error"));
  ASSERT_TRUE(WaitLogged("duplicate refused: schedule ID \"tick\" already exists"));
  ASSERT_FALSE(s({{"operation", "one_time"}, {"delay", 0}, {"payload", "fail"}}).contains("error"));
  ASSERT_TRUE(WaitLogged("callback failed as instructed")) << "a failing callback is logged";
  // Unload cancels every schedule: nothing fires afterwards.
  ASSERT_TRUE(manager_->Unload("test-scheduler").ok());
  const size_t lines = logs_.lines().size();
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(logs_.lines().size(), lines) << "no callback after unload";
}

// --- WebSocket (test-websocket) ---

TEST_F(ServicesPluginTest, WebSocketThroughTheUpstreamKit) {
  testing::LoopbackWebServer server;
  auto p = Load("test-websocket", Manifest(R"({"websocket":{"requiredHosts":["127.0.0.1"]}})"), "go_nd_websocket");
  ASSERT_TRUE(p);
  auto w = [&](json in) { return Op(*p, "nd_test_websocket", in); };
  EXPECT_EQ(w({{"operation", "connect"}, {"url", "ws://localhost:1/x"}})["error"], "host \"localhost:1\" is not allowed");
  EXPECT_EQ(w({{"operation", "connect"}, {"url", "http://127.0.0.1/x"}})["error"], "invalid URL scheme: must be ws:// or wss://");
  const json connected = w({{"operation", "connect"}, {"url", server.WsUrl("/ws")}, {"connectionId", "c1"},
                            {"headers", {{"x-token", "t"}}}});
  ASSERT_EQ(connected.value("connectionId", ""), "c1") << connected;
  ASSERT_TRUE(testing::WaitFor([&] { return server.connections() == 1; }, 2000ms));
  std::this_thread::sleep_for(50ms);
  server.Send(0, "echo");
  ASSERT_TRUE(testing::WaitFor([&] { return server.Received(0).size() == 1; }, 3000ms));
  EXPECT_EQ(server.Received(0)[0].data, "echo:echo") << "the plugin answered from its callback";
  server.Send(0, std::string("\x01\x02\x00", 3), /*binary=*/true);
  ASSERT_TRUE(testing::WaitFor([&] { return server.Received(0).size() == 2; }, 3000ms));
  EXPECT_TRUE(server.Received(0)[1].binary);
  EXPECT_EQ(server.Received(0)[1].data, std::string("\x01\x02\x00", 3));
  server.Send(0, "fail");
  ASSERT_TRUE(WaitLogged("text callback failed as instructed"));
  server.Send(0, "close");
  ASSERT_TRUE(WaitLogged("close c1: 1000 closed by plugin")) << "on_close ran, synchronously, inside the plugin's close";
  EXPECT_TRUE(testing::WaitFor([&] { return server.ClientCloseCode(0) == 1000; }, 2000ms));
  EXPECT_EQ(w({{"operation", "send"}, {"connectionId", "c1"}, {"message", "x"}})["error"], "connection ID \"c1\" not found");
  // The server's close reaches on_close; an abrupt end reaches on_error.
  ASSERT_EQ(w({{"operation", "connect"}, {"url", server.WsUrl("/ws")}, {"connectionId", "c2"}}).value("connectionId", ""), "c2");
  ASSERT_FALSE(w({{"operation", "send"}, {"connectionId", "c2"}, {"message", "close 1001 server going"}}).contains("error"));
  ASSERT_TRUE(WaitLogged("close c2: 1001 server going"));
  ASSERT_EQ(w({{"operation", "connect"}, {"url", server.WsUrl("/ws")}, {"connectionId", "c3"}}).value("connectionId", ""), "c3");
  ASSERT_FALSE(w({{"operation", "send"}, {"connectionId", "c3"}, {"message", "drop"}}).contains("error"));
  ASSERT_TRUE(WaitLogged("error c3: websocket: close 1006 (abnormal closure): unexpected EOF"));
  // Unload closes what is open with 1001 "plugin unloaded".
  ASSERT_EQ(w({{"operation", "connect"}, {"url", server.WsUrl("/ws")}, {"connectionId", "c4"}}).value("connectionId", ""), "c4");
  ASSERT_TRUE(testing::WaitFor([&] { return server.connections() == 4; }, 2000ms));
  ASSERT_TRUE(manager_->Unload("test-websocket").ok());
  EXPECT_TRUE(testing::WaitFor([&] { return server.ClientCloseCode(3) == 1001; }, 3000ms));
}

// Unloading while callbacks are arriving: messages in flight, schedules
// firing. Nothing is used after it is gone (the sanitizer build checks), and
// nothing reaches the plugin afterwards.
TEST_F(ServicesPluginTest, UnloadWhileCallbacksArriveIsClean) {
  testing::LoopbackWebServer server;
  for (int round = 0; round < 3; ++round) {
    auto ws = Load("busy-ws", Manifest(R"({"websocket":{"requiredHosts":["127.0.0.1"]}})"), "go_nd_websocket");
    auto sched = Load("busy-sched", Manifest(kSchedulerPermission), "go_nd_scheduler");
    ASSERT_TRUE(ws && sched);
    const std::string id = "r" + std::to_string(round);
    ASSERT_EQ(Op(*ws, "nd_test_websocket", {{"operation", "connect"}, {"url", server.WsUrl("/ws")}, {"connectionId", id}})
                  .value("connectionId", ""), id);
    for (int i = 0; i < 20; ++i) {
      ASSERT_FALSE(Op(*sched, "nd_test_scheduler", {{"operation", "one_time"}, {"delay", 0}, {"payload", "p"}}).contains("error"));
    }
    ASSERT_FALSE(Op(*ws, "nd_test_websocket", {{"operation", "send"}, {"connectionId", id}, {"message", "burst 2000"}})
                     .contains("error"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * round));
    ws.reset();
    sched.reset();
    ASSERT_TRUE(manager_->Unload("busy-ws").ok());
    ASSERT_TRUE(manager_->Unload("busy-sched").ok());
    const size_t lines = logs_.lines().size();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(logs_.lines().size(), lines) << "round " << round << ": a callback ran after unload";
  }
}

// --- HTTP ---

TEST_F(ServicesPluginTest, HttpThroughTheUpstreamKit) {
  testing::LoopbackWebServer server;
  auto p = Load("test-http", Manifest(R"({"http":{"requiredHosts":["127.0.0.1"]}})"), "go_nd_http");
  ASSERT_TRUE(p);
  auto h = [&](json in) { return Op(*p, "nd_test_http", in); };
  const json hello = h({{"method", "GET"}, {"url", server.Url("/hello")}});
  EXPECT_EQ(hello["statusCode"], 200);
  EXPECT_EQ(hello["body"], "hello");
  EXPECT_EQ(hello["headers"]["X-Server"], "pier-test");
  const json posted = h({{"method", "post"}, {"url", server.Url("/echo")}, {"body", wire::Base64Encode("data")},
                         {"headers", {{"x-pier-test", "go"}}}});
  EXPECT_EQ(json::parse(posted["body"].get<std::string>())["body"], "data");
  EXPECT_EQ(json::parse(posted["body"].get<std::string>())["x-pier-test"], "go");
  // A redirect to a host the manifest does not name is refused.
  const std::string evil = "http://localhost:" + std::to_string(server.port()) + "/hello";
  EXPECT_EQ(h({{"url", server.Url("/redirect?to=" + evil)}})["error"],
            "Get \"" + evil + "\": host \"localhost\" is not allowed");
  EXPECT_EQ(h({{"url", server.Url("/hops/1")}, {"noFollowRedirects", true}})["statusCode"], 302);
  EXPECT_EQ(h({{"url", server.Url("/slow/3000")}, {"timeoutMs", 100}})["error"],
            "Get \"" + server.Url("/slow/3000") + "\": context deadline exceeded");
}

// --- Permissions ---

TEST_F(ServicesPluginTest, EachServiceNeedsItsPermission) {
  for (const auto& [wasm, permission] : std::vector<std::pair<std::string, std::string>>{
           {"go_nd_kvstore", "kvstore"}, {"go_nd_cache", "cache"}, {"go_nd_scheduler", "scheduler"},
           {"go_nd_websocket", "websocket"}, {"go_nd_http", "http"}}) {
    auto r = TryLoad("denied-" + permission, Manifest("{}"), wasm);
    ASSERT_FALSE(r.ok()) << wasm;
    EXPECT_NE(r.status().message().find("needs the '" + permission + "' permission"), std::string::npos)
        << r.status().message();
  }
  EXPECT_TRUE(TryLoad("config-free", Manifest("{}"), "go_nd_config").ok()) << "Config needs no permission";
}

}  // namespace
}  // namespace pier
