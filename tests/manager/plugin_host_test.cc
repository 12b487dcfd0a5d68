// PluginHost over a real plugins folder and registry: discovery, enable and
// gates, config changes, package replacement (good and broken), removal,
// restart, and calls that keep flowing while plugins reload.
#include "manager/plugin_host.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/test_plugins.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;

constexpr char kHelloManifest[] = R"({"name":"Hello","author":"Pier","version":"1",
  "config":{"schema":{"type":"object","properties":{"greeting":{"type":"string"}}}}})";

class PluginHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("pier-host-" + std::to_string(getpid()));
    fs::remove_all(root_);
    config_.plugins_dir = root_ / "plugins";
    config_.data_dir = root_ / "data";
    config_.manager.log_sink = [](LogLevel, std::string_view, std::string_view) {};
    fs::create_directories(config_.plugins_dir);
    runtime_ = Runtime::Create().value();
  }
  void TearDown() override {
    host_.reset();
    fs::remove_all(root_);
  }
  void Write(const std::string& id, const std::string& manifest, const std::string& wasm) {
    testing::ZipWriter zip;
    zip.Add("manifest.json", manifest);
    zip.Add("plugin.wasm", wasm);
    const fs::path tmp = config_.plugins_dir / (id + ".tmp");
    zip.WriteTo(tmp);
    fs::rename(tmp, config_.plugins_dir / (id + ".ndp"));  // replaced atomically, as deploy tools do
  }
  void StartHost() { host_ = PluginHost::Start(*runtime_, config_).value(); }
  std::string Greet() {
    auto p = host_->Get("hello");
    if (!p) return "<not loaded>";
    auto r = p->plugin->Call("greet", R"({"name":"Ada"})");
    return r.ok() && r->is_output() ? r->output() : "<failed>";
  }
  PluginState State(const std::string& id) {
    for (auto& s : host_->States().value()) {
      if (s.entry.id == id) return s;
    }
    return {};
  }

  fs::path root_;
  HostConfig config_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginHost> host_;
};

TEST_F(PluginHostTest, DiscoveredPluginsStayDisabledUntilEnabledAndSurviveRestart) {
  Write("hello", kHelloManifest, testing::PluginWasm("hello"));
  StartHost();
  EXPECT_FALSE(State("hello").entry.enabled);
  EXPECT_FALSE(State("hello").loaded);
  ASSERT_TRUE(host_->Enable("hello").ok());
  EXPECT_EQ(Greet(), R"({"message":"Hello, Ada!"})");
  host_.reset();
  StartHost();  // a restart loads what was enabled
  EXPECT_TRUE(State("hello").loaded);
  EXPECT_EQ(host_->Enable("nope").code(), StatusCode::kNotFound);
}

TEST_F(PluginHostTest, GatesAndLoadErrorsAreRecorded) {
  Write("counter", R"({"name":"c","author":"a","version":"1","permissions":{"users":{},"kvstore":{},"cache":{}}})",
        testing::PluginWasm("scrobble_counter"));
  StartHost();
  Status gate = host_->Enable("counter");
  EXPECT_EQ(gate.message(), "users permission requires configuration: select users or enable 'all users' access");
  EXPECT_EQ(State("counter").entry.last_error, gate.message());
  ASSERT_TRUE(host_->Configure("counter", {.all_users = true}).ok());
  ASSERT_TRUE(host_->Enable("counter").ok()) << "KVStore and Cache are real services";
  EXPECT_TRUE(State("counter").entry.enabled);
  EXPECT_TRUE(State("counter").loaded);
  EXPECT_EQ(State("counter").entry.last_error, "") << "a load that succeeds clears the error";
  // A service that cannot be made fails the load, with the service's reason.
  Write("broken", R"({"name":"c","author":"a","version":"1","permissions":{"users":{},"kvstore":{"maxSize":"-1"},"cache":{}}})",
        testing::PluginWasm("scrobble_counter"));
  ASSERT_TRUE(host_->Rescan().ok());
  ASSERT_TRUE(host_->Configure("broken", {.all_users = true}).ok());
  Status bad = host_->Enable("broken");
  EXPECT_EQ(bad.message().rfind("kvstore: invalid maxSize \"-1\"", 0), 0u) << bad.message();
  EXPECT_FALSE(State("broken").entry.enabled);
  EXPECT_EQ(State("broken").entry.last_error, bad.message());
}

TEST_F(PluginHostTest, ConfigIsValidatedAndAppliedByReloading) {
  Write("hello", kHelloManifest, testing::PluginWasm("hello"));
  StartHost();
  ASSERT_TRUE(host_->Enable("hello").ok());
  Status bad = host_->Configure("hello", {.config_json = R"({"greeting":5})"});
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("greeting"), std::string::npos) << bad.message();
  ASSERT_TRUE(host_->Configure("hello", {.config_json = R"({"greeting":"Bonjour"})"}).ok());
  EXPECT_EQ(Greet(), R"({"message":"Bonjour, Ada!"})");
}

TEST_F(PluginHostTest, ReplacedPackageReloadsAndABrokenOneLeavesThePreviousRunning) {
  Write("hello", kHelloManifest, testing::PluginWasm("hello"));
  StartHost();
  ASSERT_TRUE(host_->Enable("hello").ok());
  const std::string before = host_->Get("hello")->sha256;
  // A new version: same code, a different manifest (so a different package hash).
  Write("hello", std::string(kHelloManifest).replace(std::string(kHelloManifest).find("\"1\""), 3, "\"2\""),
        testing::PluginWasm("hello"));
  ASSERT_TRUE(host_->Refresh("hello").ok());
  ASSERT_NE(host_->Get("hello"), nullptr);
  EXPECT_NE(host_->Get("hello")->sha256, before) << "the new version is loaded";
  const std::string good = host_->Get("hello")->sha256;

  Write("hello", kHelloManifest, "not wasm at all");
  ASSERT_TRUE(host_->Refresh("hello").ok());
  EXPECT_EQ(host_->Get("hello")->sha256, good) << "the previous version keeps running";
  EXPECT_EQ(Greet(), R"({"message":"Hello, Ada!"})");
  EXPECT_NE(State("hello").entry.last_error.find("compiling plugin"), std::string::npos)
      << State("hello").entry.last_error;

  fs::remove(config_.plugins_dir / "hello.ndp");
  ASSERT_TRUE(host_->Refresh("hello").ok());
  EXPECT_EQ(host_->Get("hello"), nullptr);
  EXPECT_TRUE(host_->States().value().empty());
}

TEST_F(PluginHostTest, CallsKeepFlowingWhileThePluginReloads) {
  Write("hello", kHelloManifest, testing::PluginWasm("hello"));
  StartHost();
  ASSERT_TRUE(host_->Enable("hello").ok());
  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread caller([&] {
    while (!done) {
      const std::string out = Greet();
      (out.find("Ada!") != std::string::npos ? ok : failed)++;
    }
  });
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(host_->Configure("hello", {.config_json = "{\"greeting\":\"v" + std::to_string(i) + "\"}"}).ok());
  }
  done = true;
  caller.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0) << "no call failed during five reloads";
  EXPECT_EQ(Greet(), R"({"message":"v4, Ada!"})");
}

// Calls the plugin in a loop on its own thread until stopped: pending work.
class CallingWork : public BackgroundWork {
 public:
  CallingWork(LoadedPlugin& plugin, std::atomic<int>* ok, std::atomic<int>* failed) {
    thread_ = std::thread([this, &plugin, ok, failed] {
      while (!stop_) {
        auto r = plugin.plugin->Call("greet", R"({"name":"Ada"})");
        (r.ok() && r->is_output() ? *ok : *failed)++;
      }
    });
  }
  void Stop() override {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(PluginHostTest, ShutdownWaitsForPendingWorkAndCutsNothing) {
  std::atomic<int> ok{0}, failed{0};
  config_.manager.start_background = [&](LoadedPlugin& p) {
    std::vector<std::unique_ptr<BackgroundWork>> work;
    work.push_back(std::make_unique<CallingWork>(p, &ok, &failed));
    return work;
  };
  Write("hello", kHelloManifest, testing::PluginWasm("hello"));
  StartHost();
  ASSERT_TRUE(host_->Enable("hello").ok());
  while (ok.load() < 20) std::this_thread::yield();
  host_->Shutdown();
  const int after = ok.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(ok.load(), after) << "no call runs after shutdown returned";
  EXPECT_EQ(failed.load(), 0) << "no pending call was cut";
  EXPECT_EQ(host_->Get("hello"), nullptr);
}

}  // namespace
}  // namespace pier
