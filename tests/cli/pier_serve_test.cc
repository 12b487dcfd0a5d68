// `pier serve` as a process: loads enabled plugins, reloads a replaced
// package, keeps the previous version when the replacement is broken, applies
// `pier plugins` changes, and shuts down cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "admin/admin_server.h"
#include "cli/admin_client.h"
#include "cli/run_pier.h"
#include "cli/serve_process.h"
#include "support/test_plugins.h"
#include "support/zip_writer.h"

extern char** environ;

namespace pier {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::ReadFile;

class PierServe : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(root_);
    fs::create_directories(root_ / "plugins");
    std::ofstream(root_ / "pier.toml") << "plugins_folder = \"plugins\"\ndata_folder = \"data\"\n"
                                          "reload_debounce = \"200ms\"\nlog_level = \"info\"\n"
                                          "admin_listen = \"127.0.0.1:0\"\n";
    WritePackage("1.0.0", testing::PluginWasm("hello"));
  }
  void TearDown() override {
    serve_.Kill(SIGKILL);
    fs::remove_all(root_);
  }
  void WritePackage(const std::string& version, const std::string& wasm) {
    testing::ZipWriter zip;
    zip.Add("manifest.json", R"({"name":"Hello","author":"Pier","version":")" + version + R"("})");
    zip.Add("plugin.wasm", wasm);
    zip.WriteTo((root_ / "hello.tmp").string());
    fs::rename(root_ / "hello.tmp", root_ / "plugins" / "hello.ndp");
  }
  void StartServe() { serve_.Start(); }
  bool LogShows(const std::string& text, size_t occurrences = 1) { return serve_.LogShows(text, occurrences); }
  CliRun Plugins(std::vector<std::string> args) {
    args.insert(args.begin(), "plugins");
    args.push_back("--config");
    args.push_back((root_ / "pier.toml").string());
    return Pier(args);
  }
  fs::path root_ = fs::temp_directory_path() / ("pier-serve-" + std::to_string(getpid()));
  ServeProcess serve_{root_ / "pier.toml", root_ / "serve.log"};
};

TEST_F(PierServe, LoadsReloadsSurvivesABrokenPackageAndStopsCleanly) {
  ASSERT_EQ(Plugins({"enable", "hello"}).exit_code, 0);
  StartServe();
  ASSERT_TRUE(LogShows("[plugin:hello] hello is ready"));
  ASSERT_TRUE(LogShows("plugin hello loaded (capabilities: Lifecycle)"));
  // Regression: the pid and admin files are written after the plugins load;
  // reading them before "ready" raced under load.
  ASSERT_TRUE(LogShows("pier serve: ready"));
  EXPECT_TRUE(fs::exists(root_ / "data" / "pier.pid"));

  // The admin API answers on loopback with the plugins' state, given the
  // token pier.admin holds (readable by its owner only).
  const std::string url = testing::AdminAddress(root_ / "data");
  const std::string token = testing::AdminToken(root_ / "data");
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  EXPECT_GE(token.size(), 40u);
  EXPECT_EQ(fs::status(root_ / "data" / "pier.admin").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  FILE* curl = popen(("curl -s -H 'Authorization: Bearer " + token + "' " + url + "/api/plugins").c_str(), "r");
  char buf[4096] = {0};
  const size_t n = fread(buf, 1, sizeof buf - 1, curl);
  pclose(curl);
  auto plugins = nlohmann::json::parse(std::string(buf, n), nullptr, false);
  ASSERT_TRUE(plugins.is_array()) << buf;
  ASSERT_EQ(plugins.size(), 1u);
  EXPECT_EQ(plugins[0]["id"], "hello");
  EXPECT_EQ(plugins[0]["loaded"], true);
  EXPECT_EQ(plugins[0]["capabilities"], nlohmann::json::array({"Lifecycle"}));

  WritePackage("2.0.0", testing::PluginWasm("hello"));
  ASSERT_TRUE(LogShows("plugin hello changed on disk: reloading"));
  ASSERT_TRUE(LogShows("plugin hello loaded", 2));

  WritePackage("3.0.0", "this is not wasm");
  ASSERT_TRUE(LogShows("reload failed, previous version keeps running"));
  CliRun list = Plugins({"list"});
  EXPECT_NE(list.out.find("enabled   hello  (error: compiling plugin"), std::string::npos) << list.out;

  // A change made with `pier plugins` reaches the running server.
  CliRun disable = Plugins({"disable", "hello"});
  EXPECT_NE(disable.out.find("told the running pier serve"), std::string::npos) << disable.out;
  ASSERT_TRUE(LogShows("plugin hello unloaded"));

  EXPECT_EQ(serve_.Kill(SIGTERM), 0);
  EXPECT_NE(ReadFile(root_ / "serve.log").find("pier serve: stopped"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "data" / "pier.pid"));
  EXPECT_FALSE(fs::exists(root_ / "data" / "pier.admin"));
}

// The heartbeat example under a real server: its `@every 2s` schedule
// enqueues a task, the task stores a count in the KVStore — within seconds.
TEST_F(PierServe, TheHeartbeatExampleBeatsOnTime) {
  fs::copy_file(fs::path(PIER_TEST_PLUGIN_DIR).parent_path() / "packages" / "heartbeat.ndp", root_ / "plugins" / "heartbeat.ndp");
  ASSERT_EQ(Plugins({"enable", "heartbeat"}).exit_code, 0);
  StartServe();
  ASSERT_TRUE(LogShows("pier serve: ready"));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(LogShows("heartbeat #1 stored in the KVStore"));
  ASSERT_TRUE(LogShows("heartbeat #3 stored in the KVStore"));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GT(took, 3500ms) << "beats are two seconds apart";
  EXPECT_LT(took, 7000ms);
  EXPECT_EQ(serve_.Kill(SIGTERM), 0);
  serve_.Start(/*append=*/true);
  ASSERT_TRUE(LogShows("heartbeat #4 stored in the KVStore")) << "the count survives a restart (KVStore on disk)";
}

TEST_F(PierServe, TheAdminApiRefusesNonLoopbackAddresses) {
  CliRun r = Pier({"serve", "--config", (root_ / "pier.toml").string(), "--admin", "0.0.0.0:0", "--run-for", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("loopback only"), std::string::npos) << r.out;
}

TEST_F(PierServe, ABadConfigurationFileIsRefusedWithItsKey) {
  std::ofstream(root_ / "bad.toml") << "plugin_folder = \"x\"\n";
  CliRun r = Pier({"serve", "--config", (root_ / "bad.toml").string(), "--run-for", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("unknown setting 'plugin_folder'"), std::string::npos) << r.out;
}

// An unreachable database stops `pier serve` at once, naming the URL
// without its password (nothing listens on loopback port 1).
TEST_F(PierServe, AnUnreachableDatabaseIsNamedWithoutItsPassword) {
  std::ofstream(root_ / "pg.toml") << "plugins_folder = \"plugins\"\ndata_folder = \"data\"\n"
                                      "admin_listen = \"127.0.0.1:0\"\n[storage]\n"
                                      "url = \"postgresql://pier:hunter2@127.0.0.1:1/pier?connect_timeout=2\"\n";
  CliRun r = Pier({"serve", "--config", (root_ / "pg.toml").string(), "--run-for", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("postgresql://pier:***@127.0.0.1:1/pier"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
}

// Without the token nothing is answered or changed; a page on another
// name (DNS rebinding) is refused whatever it carries.
TEST_F(PierServe, TheAdminApiWantsItsTokenAndALoopbackHost) {
  ASSERT_EQ(Plugins({"enable", "hello"}).exit_code, 0);
  StartServe();
  ASSERT_TRUE(LogShows("pier serve: ready"));
  const fs::path data = root_ / "data";
  httplib::Client anonymous(testing::AdminAddress(data));
  auto health = anonymous.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << "liveness needs no token";
  auto list = anonymous.Get("/api/plugins");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 401);
  EXPECT_EQ(list->get_header_value("WWW-Authenticate"), "Bearer realm=\"pier\"");
  auto disable = anonymous.Post("/api/plugins/hello/disable", "", "application/json");
  ASSERT_TRUE(disable);
  EXPECT_EQ(disable->status, 401);
  httplib::Client wrong(testing::AdminAddress(data));
  wrong.set_bearer_token_auth(testing::AdminToken(data) + "x");
  EXPECT_EQ(wrong.Post("/api/plugins/hello/disable", "", "application/json")->status, 401);
  CliRun listed = Plugins({"list"});
  EXPECT_NE(listed.out.find("enabled   hello"), std::string::npos) << "nothing was disabled: " << listed.out;

  httplib::Client owner(testing::AdminAddress(data));
  testing::Authorize(owner, data);
  EXPECT_EQ(owner.Get("/api/plugins")->status, 200);
  auto rebound = owner.Get("/api/plugins", {{"Host", "attacker.example:4533"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403) << "a Host that is not loopback is refused, token or not";
  EXPECT_EQ(owner.Get("/api/plugins", {{"Host", "localhost:4533"}})->status, 200);
  // Oversized bodies are refused before they are read.
  // (curl: it reads the early answer while still sending.)
  std::ofstream(root_ / "big.json") << std::string(17 << 20, 'x');
  FILE* curl = popen(("curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer " + testing::AdminToken(data) +
                      "' -H 'Content-Type: application/json' --data-binary @" + (root_ / "big.json").string() + " " +
                      testing::AdminAddress(data) + "/api/plugins/hello/queues/q/tasks")
                         .c_str(),
                     "r");
  char code[8] = {};
  (void)!fread(code, 1, sizeof code - 1, curl);
  pclose(curl);
  EXPECT_STREQ(code, "413");
}

TEST(AdminAuth, HostHeadersAndBearerTokens) {
  for (const char* ok : {"127.0.0.1", "127.0.0.1:4533", "127.9.0.1:1", "localhost", "LOCALHOST:80", "[::1]", "[::1]:4533"}) {
    EXPECT_TRUE(IsLoopbackHostHeader(ok)) << ok;
  }
  for (const char* bad : {"", "evil.example", "evil.example:4533", "127.0.0.1.evil.example", "[::2]:1", "[::1]x",
                          "localhost:", "10.0.0.1:80", "127.0.0.1:80:80", "0.0.0.0"}) {
    EXPECT_FALSE(IsLoopbackHostHeader(bad)) << bad;
  }
  EXPECT_TRUE(BearerMatches("Bearer abc", "abc"));
  EXPECT_TRUE(BearerMatches("bearer abc", "abc"));
  EXPECT_FALSE(BearerMatches("Bearer abcd", "abc"));
  EXPECT_FALSE(BearerMatches("Bearer ab", "abc"));
  EXPECT_FALSE(BearerMatches("Basic abc", "abc"));
  EXPECT_FALSE(BearerMatches("", "abc"));
}

}  // namespace
}  // namespace pier
