// The load sequence of spec §1.6 with real packages: each step's failure
// carries the original's prefix, and a loaded plugin works.
#include "manager/plugin_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_plugins.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;

constexpr char kPlain[] = R"({"name":"n","author":"a","version":"1"})";

class PluginManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-manager-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    runtime_ = Runtime::Create().value();
    ManagerOptions options;
    options.log_sink = logs_.sink();
    options.data_dir = dir_ / "data";
    manager_ = std::make_unique<PluginManager>(*runtime_, options);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Package(const std::string& id, const std::string& manifest, const std::string& plugin,
                   std::vector<std::pair<std::string, std::string>> extra = {}) {
    testing::ZipWriter zip;
    zip.Add("manifest.json", manifest);
    zip.Add("plugin.wasm", testing::PluginWasm(plugin));
    for (auto& [n, d] : extra) zip.Add(n, d);
    const fs::path path = dir_ / (id + ".ndp");
    zip.WriteTo(path);
    return path;
  }
  std::string LoadError(const fs::path& path, const PluginSettings& settings = {}) {
    auto r = manager_->Load(path, settings);
    return r.ok() ? "OK" : r.status().message();
  }

  fs::path dir_;
  testing::LogCapture logs_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginManager> manager_;
};

TEST_F(PluginManagerTest, LoadsAndServesWithConfig) {
  auto loaded = manager_->Load(Package("hello", kPlain, "hello"), {.config_json = R"({"greeting":"Welcome"})"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->id, "hello");
  auto r = (*loaded)->plugin->Call("greet", R"({"name":"Ada"})");
  ASSERT_TRUE(r.ok() && r->is_output());
  EXPECT_EQ(r->output(), R"({"message":"Welcome, Ada!"})");
  EXPECT_EQ(manager_->loaded(), std::vector<std::string>{"hello"});
}

TEST_F(PluginManagerTest, RunsOnInitAndBothConfigViewsAgree) {
  auto loaded = manager_->Load(Package("life", kPlain, "cpp_lifecycle"),
                               {.config_json = R"({"greeting":"hi","count":12})"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->capabilities, std::vector<std::string>{"Lifecycle"});
  EXPECT_EQ(logs_.lines(), std::vector<std::string>{"info|life|nd_on_init ran; greeting=hi"});
  auto r = (*loaded)->plugin->Call("config_views", "");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().message());
  EXPECT_EQ(r->output(), "hi|hi|12|count,greeting,");
}

TEST_F(PluginManagerTest, AdministrationLoadsDoNotRunOnInit) {
  ManagerOptions options;
  options.log_sink = logs_.sink();
  options.run_init = false;
  PluginManager checker(*runtime_, options);
  ASSERT_TRUE(checker.Load(Package("life", kPlain, "cpp_lifecycle"), {}).ok());
  EXPECT_TRUE(logs_.lines().empty()) << "nd_on_init did not run";
}

TEST_F(PluginManagerTest, EachStepFailsWithTheOriginalsPrefix) {
  EXPECT_EQ(LoadError(Package("c", kPlain, "hello"), {.config_json = "[1]"}),
            "parsing plugin config: expected a JSON object");
  EXPECT_EQ(LoadError(Package("slip", kPlain, "hello", {{"../x", "y"}})).rfind("opening package: ", 0), 0u);
  const std::string no_perm = LoadError(Package("noperm", kPlain, "scrobble_counter"));
  EXPECT_EQ(no_perm.rfind("creating instance: ", 0), 0u) << no_perm;
  EXPECT_NE(no_perm.find("cache_setstring, but it needs the 'cache' permission"), std::string::npos) << no_perm;
  // The music services (Library...) have no implementation on this host yet.
  const std::string absent = LoadError(Package("absent", R"({"name":"n","author":"a","version":"1",
      "permissions":{"users":{},"kvstore":{},"cache":{},"library":{},"artwork":{},"subsonicapi":{},"scheduler":{},
                     "http":{},"websocket":{},"taskqueue":{},"storage":{}}})", "cpp_roundtrip"), {.all_users = true});
  EXPECT_NE(absent.find("service is not available on this host"), std::string::npos) << absent;
  const std::string bad_size = LoadError(Package("size", R"({"name":"n","author":"a","version":"1",
      "permissions":{"users":{},"kvstore":{"maxSize":"lots"},"cache":{}}})", "scrobble_counter"));
  EXPECT_EQ(bad_size.rfind("kvstore: invalid maxSize \"lots\": ", 0), 0u) << bad_size;
  EXPECT_EQ(LoadError(Package("tq", R"({"name":"n","author":"a","version":"1","permissions":{"taskqueue":{}}})",
                              "hello")),
            "manifest validation: 'taskqueue' permission requires plugin to export 'nd_task_execute' function");
  EXPECT_TRUE(manager_->loaded().empty()) << "failed loads register nothing";
}

TEST_F(PluginManagerTest, ReloadReplacesAndUnloadRemoves) {
  const fs::path path = Package("hello", kPlain, "hello");
  auto first = manager_->Load(path, {}).value();
  auto second = manager_->Load(path, {.config_json = R"({"greeting":"Again"})"}).value();
  EXPECT_EQ(manager_->Get("hello"), second);
  auto r = first->plugin->Call("greet", "{}");  // the old version still answers its in-flight users
  ASSERT_TRUE(r.ok() && r->is_output());
  EXPECT_TRUE(manager_->Unload("hello").ok());
  EXPECT_EQ(manager_->Get("hello"), nullptr);
  EXPECT_EQ(manager_->Unload("hello").code(), StatusCode::kNotFound);
}

// Records when it is stopped, and whether its plugin was still registered then.
class RecordingWork : public BackgroundWork {
 public:
  RecordingWork(PluginManager** manager, std::string id, std::vector<std::string>* log)
      : manager_(manager), id_(std::move(id)), log_(log) {}
  void Stop() override {
    log_->push_back(id_ + (((*manager_)->Get("hello") != nullptr) ? " stopped while registered" : " stopped late"));
  }

 private:
  PluginManager** manager_;
  std::string id_;
  std::vector<std::string>* log_;
};

TEST_F(PluginManagerTest, BackgroundWorkStopsBeforeUnregistering) {
  std::vector<std::string> log;
  PluginManager* self = nullptr;
  ManagerOptions options;
  options.log_sink = logs_.sink();
  int generation = 0;
  options.start_background = [&](LoadedPlugin& p) {
    std::vector<std::unique_ptr<BackgroundWork>> work;
    const std::string tag = p.id + "#" + std::to_string(++generation);
    work.push_back(std::make_unique<RecordingWork>(&self, tag + "/a", &log));
    work.push_back(std::make_unique<RecordingWork>(&self, tag + "/b", &log));
    return work;
  };
  PluginManager manager(*runtime_, options);
  self = &manager;
  const fs::path path = Package("hello", kPlain, "hello");
  ASSERT_TRUE(manager.Load(path, {}).ok());
  ASSERT_TRUE(manager.Load(path, {}).ok());  // a reload stops the old version's work first
  EXPECT_EQ(log, (std::vector<std::string>{"hello#1/b stopped while registered", "hello#1/a stopped while registered"}));
  ASSERT_TRUE(manager.Unload("hello").ok());
  EXPECT_EQ(log.size(), 4u);
  EXPECT_EQ(log[2], "hello#2/b stopped while registered") << "newest first, before unregistering";
  EXPECT_EQ(manager.Get("hello"), nullptr);
}

TEST(EnableGates, UsersAndLibrariesNeedASelection) {
  auto m = ParseManifest(R"({"name":"n","author":"a","version":"1","permissions":{"users":{},"library":{}}})").value();
  EXPECT_EQ(CheckEnableGates(m, {}).message(),
            "users permission requires configuration: select users or enable 'all users' access");
  EXPECT_EQ(CheckEnableGates(m, {.users = {"u1"}}).message(),
            "library permission requires configuration: select libraries or enable 'all libraries' access");
  EXPECT_TRUE(CheckEnableGates(m, {.all_users = true, .all_libraries = true}).ok());
}

}  // namespace
}  // namespace pier
