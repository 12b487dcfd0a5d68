// `pier call PACKAGE`: a package loaded with its real services on a data
// folder (temporary or given), settings from that folder's registry with
// --config on top, and the call sent to a running `pier serve` on the folder
// so its live state is the one the call sees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/run_pier.h"
#include "cli/serve_process.h"
#include "support/test_plugins.h"
#include "support/plugin_packages.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PierCallPackage : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(root_);
    fs::create_directories(root_ / "plugins");
    std::ofstream(root_ / "pier.toml") << "plugins_folder = \"plugins\"\ndata_folder = \"data\"\n"
                                          "log_level = \"info\"\nadmin_listen = \"127.0.0.1:0\"\n";
    Package("kv", R"({"kvstore":{"maxSize":"10KB"}})", "go_nd_kvstore");
    Package("cache", R"({"cache":{}})", "go_nd_cache");
    Package("nokv", R"({})", "go_nd_kvstore");
    Package("sched", R"({"scheduler":{}})", "go_nd_scheduler");
    const std::string config_manifest =
        R"({"name":"c","author":"pier","version":"1","config":{"schema":{"type":"object","properties":{"api_key":{"type":"string"}}}}})";
    testing::ZipWriter zip;
    zip.Add("manifest.json", config_manifest);
    zip.Add("plugin.wasm", testing::PluginWasm("go_nd_config"));
    zip.WriteTo(root_ / "plugins" / "conf.ndp");
  }
  void TearDown() override {
    serve_.Kill(SIGKILL);
    fs::remove_all(root_);
  }
  void Package(const std::string& id, const std::string& permissions, const std::string& wasm) {
    testing::WritePackage(root_ / "plugins" / (id + ".ndp"), id, permissions, wasm);
  }
  CliRun Call(const std::string& id, const std::string& fn, const json& input, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"call", (root_ / "plugins" / (id + ".ndp")).string(), fn, "--input", input.dump()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Pier(args, /*with_stderr=*/false);
  }
  std::string Data() const { return (root_ / "data").string(); }

  fs::path root_ = fs::temp_directory_path() / ("pier-callpkg-" + std::to_string(getpid()));
  ServeProcess serve_{root_ / "pier.toml", root_ / "serve.log"};
};

TEST_F(PierCallPackage, RealServicesOnATemporaryFolderThatIsRemoved) {
  size_t before = 0;
  for (const auto& e : fs::directory_iterator("/tmp")) before += e.path().filename().string().rfind("pier-call-", 0) == 0;
  CliRun set = Call("kv", "nd_test_kvstore", {{"operation", "set"}, {"key", "k"}, {"value", "dmFsdWU="}});
  EXPECT_EQ(set.exit_code, 0) << set.out;
  EXPECT_EQ(set.out, "{}");
  CliRun get = Call("kv", "nd_test_kvstore", {{"operation", "get"}, {"key", "k"}});
  EXPECT_EQ(json::parse(get.out).value("exists", false), false) << "each temporary folder starts empty";
  size_t after = 0;
  for (const auto& e : fs::directory_iterator("/tmp")) after += e.path().filename().string().rfind("pier-call-", 0) == 0;
  EXPECT_EQ(after, before) << "the temporary data folder is removed";
  // The manifest's permissions are the only ones granted.
  CliRun denied = Pier({"call", (root_ / "plugins" / "nokv.ndp").string(), "nd_test_kvstore", "--input", "{}"});
  EXPECT_EQ(denied.exit_code, 3) << denied.out;
  EXPECT_NE(denied.out.find("needs the 'kvstore' permission"), std::string::npos) << denied.out;
}

TEST_F(PierCallPackage, AGivenDataFolderKeepsStateAndSuppliesSettings) {
  ASSERT_EQ(Call("kv", "nd_test_kvstore", {{"operation", "set"}, {"key", "k"}, {"value", "dmFsdWU="}}, {"--data", Data()}).exit_code, 0);
  CliRun get = Call("kv", "nd_test_kvstore", {{"operation", "get"}, {"key", "k"}}, {"--data", Data()});
  EXPECT_EQ(json::parse(get.out)["value"], "dmFsdWU=") << get.out;
  EXPECT_TRUE(fs::exists(root_ / "data" / "plugins" / "kv" / "kvstore.db")) << "the layout pier serve uses";
  // The registry's configuration, and --config over it.
  CliRun set = Pier({"plugins", "config", "conf", "--set", R"({"api_key":"from-registry"})", "--config",
                     (root_ / "pier.toml").string()});
  ASSERT_EQ(set.exit_code, 0) << set.out;
  CliRun registry = Call("conf", "nd_test_config", {{"operation", "get"}, {"key", "api_key"}}, {"--data", Data()});
  EXPECT_EQ(json::parse(registry.out)["string_val"], "from-registry") << registry.out;
  CliRun overridden = Call("conf", "nd_test_config", {{"operation", "get"}, {"key", "api_key"}},
                           {"--data", Data(), "--config", "api_key=from-flag"});
  EXPECT_EQ(json::parse(overridden.out)["string_val"], "from-flag") << overridden.out;
}

TEST_F(PierCallPackage, ARunningServerTakesTheCallWithItsLiveState) {
  ASSERT_EQ(Pier({"plugins", "enable", "cache", "--config", (root_ / "pier.toml").string()}).exit_code, 0);
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  ASSERT_TRUE(serve_.LogShows("plugin cache loaded"));
  // The cache is in the server's memory: only the server's plugin can see the first call's entry.
  CliRun set = Call("cache", "nd_test_cache", {{"operation", "set_string"}, {"key", "k"}, {"string_val", "live"}},
                    {"--data", Data()});
  ASSERT_EQ(set.exit_code, 0) << set.out;
  CliRun get = Call("cache", "nd_test_cache", {{"operation", "get_string"}, {"key", "k"}}, {"--data", Data()});
  EXPECT_EQ(get.exit_code, 0) << get.out;
  EXPECT_EQ(json::parse(get.out)["string_val"], "live") << get.out;
  // A plugin the server has not loaded is not loaded behind its back.
  CliRun other = Pier({"call", (root_ / "plugins" / "kv.ndp").string(), "nd_test_kvstore", "--input", "{}", "--data", Data()});
  EXPECT_EQ(other.exit_code, 3) << other.out;
  EXPECT_NE(other.out.find("is not loaded by this server"), std::string::npos) << other.out;
  // Exit codes carry over: a missing export is a host error.
  CliRun missing = Call("cache", "nope", json::object(), {"--data", Data()});
  EXPECT_EQ(missing.exit_code, 3);
}

// A recurring `@every 1s` schedule made through `pier call` lives in the
// server and fires on time there: each firing is logged by the plugin, one
// second apart (the log's millisecond timestamps are the clock).
TEST_F(PierCallPackage, EverySecondFiresOnTimeUnderTheServer) {
  ASSERT_EQ(Pier({"plugins", "enable", "sched", "--config", (root_ / "pier.toml").string()}).exit_code, 0);
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("plugin sched loaded"));
  CliRun made = Call("sched", "nd_test_scheduler",
                     {{"operation", "recurring"}, {"cron", "@every 1s"}, {"payload", "beat"}, {"id", "tick"}},
                     {"--data", Data()});
  ASSERT_EQ(made.exit_code, 0) << made.out;
  EXPECT_EQ(json::parse(made.out)["id"], "tick") << made.out;
  ASSERT_TRUE(serve_.LogShows("fired tick payload=beat recurring=yes", 4, 10));
  std::vector<int64_t> at;  // ms since midnight of each firing
  std::istringstream log(testing::ReadFile(root_ / "serve.log"));
  for (std::string line; std::getline(log, line);) {
    if (line.find("fired tick") == std::string::npos || line.size() < 24 || line[0] != '[') continue;
    const int h = std::stoi(line.substr(12, 2)), m = std::stoi(line.substr(15, 2)), sec = std::stoi(line.substr(18, 2)),
              ms = std::stoi(line.substr(21, 3));
    at.push_back(((h * 60 + m) * 60 + sec) * 1000 + ms);
  }
  ASSERT_GE(at.size(), 4u);
  for (size_t i = 1; i < at.size(); ++i) {
    const int64_t gap = (at[i] - at[i - 1] + 86'400'000) % 86'400'000;  // across midnight too
    EXPECT_NEAR(gap, 1000, 250) << "firing " << i << " of @every 1s";
  }
  CliRun cancel = Call("sched", "nd_test_scheduler", {{"operation", "cancel"}, {"id", "tick"}}, {"--data", Data()});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out;
  EXPECT_FALSE(json::parse(cancel.out).contains("error")) << cancel.out;
}

}  // namespace
}  // namespace pier
