// ServedFolder: a test fixture with its own plugins folder, data folder and
// pier.toml under the temporary directory, a `pier serve` on them (killed
// and removed after the test), and the `pier` command against them.
//
//   class MyTest : public ServedFolder {};
//   TEST_F(MyTest, X) {
//     WriteConfig("admin_read_only = true\n");
//     WritePackage("hello", R"({"name":"Hello","author":"P","version":"1"})", "hello");
//     ASSERT_EQ(Cli({"plugins", "enable", "hello"}).exit_code, 0);
//     serve_.Start();
//   }
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/admin_client.h"
#include "cli/run_pier.h"
#include "cli/serve_process.h"
#include "support/test_plugins.h"
#include "support/zip_writer.h"

namespace pier {

class ServedFolder : public ::testing::Test {
 protected:
  ServedFolder()
      : root_(std::filesystem::temp_directory_path() /
              ("pier-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name()) +
               "-" + std::to_string(getpid()))),
        serve_(root_ / "pier.toml", root_ / "serve.log") {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "plugins");
    WriteConfig();
  }
  ~ServedFolder() override {
    serve_.Kill(SIGKILL);
    std::filesystem::remove_all(root_);
  }

  // pier.toml: the folders, an admin listener on any free loopback port, then `extra`.
  void WriteConfig(const std::string& extra = "") {
    std::ofstream(root_ / "pier.toml") << "plugins_folder = \"plugins\"\ndata_folder = \"data\"\n"
                                          "admin_listen = \"127.0.0.1:0\"\nlog_level = \"info\"\n"
                                       << extra;
  }
  // plugins/<id>.ndp holding `manifest` and the test plugin `wasm` (testing::PluginWasm).
  void WritePackage(const std::string& id, const std::string& manifest, const std::string& wasm) {
    testing::ZipWriter zip;
    zip.Add("manifest.json", manifest);
    zip.Add("plugin.wasm", testing::PluginWasm(wasm));
    zip.WriteTo(root_ / "plugins" / (id + ".ndp"));
  }
  CliRun Cli(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back((root_ / "pier.toml").string());
    return Pier(args);
  }
  std::filesystem::path data() const { return root_ / "data"; }
  std::string AdminUrl() const { return testing::AdminAddress(data()); }

  const std::filesystem::path root_;
  ServeProcess serve_;
};

}  // namespace pier
