// `pier inspect` on real packages built from the build's plugins, including
// hostile ones.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/run_pier.h"
#include "support/test_plugins.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;

class PierInspect : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-inspect-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Package(const std::string& id, const std::string& manifest, const std::string& plugin,
                      const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    testing::ZipWriter zip;
    zip.Add("manifest.json", manifest);
    zip.Add({"plugin.wasm", testing::PluginWasm(plugin), /*deflate=*/true});
    for (auto& [name, data] : extra) zip.Add(name, data);
    const std::string path = (dir_ / (id + ".ndp")).string();
    zip.WriteTo(path);
    return path;
  }
  fs::path dir_;
};

constexpr char kScrobblerManifest[] =
    R"({"name":"Scrobble counter","author":"Pier","version":"1.0.0",
        "permissions":{"users":{},"kvstore":{"maxSize":"2MB"},"cache":{}}})";

TEST_F(PierInspect, AGoodPackageHasNoProblems) {
  CliRun r = Pier({"inspect", Package("scrobble-counter", kScrobblerManifest, "scrobble_counter")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Plugin scrobble-counter"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("capabilities  Scrobbler"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kvstore (maxSize 2MB)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("problems      none"), std::string::npos) << r.out;
}

TEST_F(PierInspect, AMissingPermissionIsNamed) {
  CliRun r = Pier({"inspect", Package("no-kv", R"({"name":"x","author":"y","version":"1","permissions":{"users":{},
                                                   "cache":{}}})", "scrobble_counter")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("kvstore_get: it needs the 'kvstore' permission, which the manifest does not grant"),
            std::string::npos) << r.out;
}

TEST_F(PierInspect, CapabilityRulesAreChecked) {
  CliRun r = Pier({"inspect", Package("rules", R"({"name":"x","author":"y","version":"1",
      "permissions":{"kvstore":{},"cache":{},"taskqueue":{}}})", "scrobble_counter")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("scrobbler capability requires 'users' permission"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("requires plugin to export 'nd_task_execute'"), std::string::npos) << r.out;
}

TEST_F(PierInspect, JsonForScripts) {
  CliRun r = Pier({"inspect", "--json", Package("json", kScrobblerManifest, "scrobble_counter")});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["id"], "json");
  EXPECT_EQ(j["capabilities"], nlohmann::json::array({"Scrobbler"}));
  EXPECT_TRUE(j["problems"].empty());
  EXPECT_EQ(j["manifest"]["name"], "Scrobble counter");
}

TEST_F(PierInspect, ZipSlipIsRefusedAndNothingIsWritten) {
  const std::string path = Package("slip", kScrobblerManifest, "scrobble_counter", {{"../../evil.txt", "pwned"}});
  CliRun r = Pier({"inspect", path});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("entry \"../../evil.txt\" escapes the package folder"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_.parent_path().parent_path() / "evil.txt"));
  EXPECT_FALSE(fs::exists(dir_.parent_path() / "evil.txt"));
  size_t files = 0;
  for (auto& e : fs::recursive_directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u) << "only the package itself";
}

TEST_F(PierInspect, BrokenManifestAndGarbage) {
  CliRun bad = Pier({"inspect", Package("bad", R"({"author":"y","version":"1"})", "scrobble_counter")});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.out.find("field name in Manifest: required"), std::string::npos) << bad.out;
  std::ofstream(dir_ / "garbage.ndp") << "not a zip";
  CliRun garbage = Pier({"inspect", (dir_ / "garbage.ndp").string()});
  EXPECT_EQ(garbage.exit_code, 3);
  EXPECT_NE(garbage.out.find("not a readable ZIP archive"), std::string::npos) << garbage.out;
}

}  // namespace
}  // namespace pier
