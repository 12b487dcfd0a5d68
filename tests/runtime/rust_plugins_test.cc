// Plugins written in Rust with Extism's Rust kit (extism-pdk), built by this
// build with Debian's Rust toolchain: the kernel, WASI and a panic, across
// the Wasm boundary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/loopback_web_server.h"
#include "support/runtime_suite.h"

namespace pier {
namespace {

using testing::OutputOf;
using testing::PluginPath;

class RustPluginTest : public testing::RuntimeSuite {
 protected:
  std::unique_ptr<Plugin> LoadProbe(PluginOptions o = {}) { return Load("rust_probe", std::move(o)); }
};

TEST_F(RustPluginTest, KernelInputOutputJsonVarsConfigAndLogs) {
  PluginOptions o;
  o.config["k"] = "from the host";
  o.instance_mode = InstanceMode::kPooled;
  o.max_idle_instances = 1;
  auto p = LoadProbe(o);
  ASSERT_TRUE(p);
  EXPECT_EQ(OutputOf(*p, "greet", "Ada"), "Hello, Ada!");
  EXPECT_EQ(OutputOf(*p, "json_echo", R"({"a":[1,2]})"), R"({"echo":{"a":[1,2]}})");
  EXPECT_EQ(OutputOf(*p, "count"), "1");
  EXPECT_EQ(OutputOf(*p, "count"), "2") << "var_get/var_set on one instance";
  EXPECT_EQ(OutputOf(*p, "config_value", "k"), "from the host");
  EXPECT_EQ(OutputOf(*p, "config_value", "missing"), "<unset>");
  EXPECT_EQ(OutputOf(*p, "log_lines"), "logged");
  EXPECT_NE(Logged().find("info from rust"), std::string::npos) << Logged();
  EXPECT_NE(Logged().find("warn from rust"), std::string::npos) << Logged();
  auto failed = p->Call("fail", "nope");
  ASSERT_TRUE(failed.ok());
  ASSERT_TRUE(failed->is_plugin_error()) << failed->Describe();
  EXPECT_EQ(failed->plugin_error().message, "nope");
}

TEST_F(RustPluginTest, StandardLibraryWasiClocksRandomAndMountedFiles) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "rust-wasi";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "f.txt") << "from a mount";
  PluginOptions o;
  o.mounts.push_back({dir, "/data", /*read_only=*/true});
  auto p = LoadProbe(o);
  ASSERT_TRUE(p);
  EXPECT_EQ(OutputOf(*p, "wasi_tour", "/data/f.txt"), "slept=true epoch=true random=true file=from a mount");
  const std::string outside = OutputOf(*p, "wasi_tour", "/etc/passwd");
  EXPECT_NE(outside.find("file=<"), std::string::npos) << "no file outside the mounts: " << outside;
}

TEST_F(RustPluginTest, HttpThroughTheKitReachesAnAllowedLoopbackServer) {
  testing::LoopbackWebServer server(nullptr);
  PluginOptions o;
  o.allowed_hosts = {"127.0.0.1"};
  auto p = LoadProbe(o);
  ASSERT_TRUE(p);
  EXPECT_EQ(OutputOf(*p, "http_get", server.Url("/hello")), "200 hello");
  auto refused = LoadProbe()->Call("http_get", server.Url("/hello"));
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(refused->is_trap()) << "no allowed hosts: " << refused->Describe();
}

TEST_F(RustPluginTest, APanicTrapsWithItsMessageLoggedAndTheBacktrace) {
  auto p = LoadProbe();
  ASSERT_TRUE(p);
  auto r = p->Call("panic_now", "");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->is_trap()) << r->Describe();
  EXPECT_EQ(r->trap().kind, TrapKind::kCrash);
  EXPECT_NE(Logged().find("the plugin panicked"), std::string::npos) << Logged();
  bool named = false;
  for (const std::string& f : r->trap().backtrace) named |= f.find("!panic_now @") != std::string::npos;
  EXPECT_TRUE(named) << "the export is on the stack";
  // Rust's mangled symbols (_RNv... / _ZN...) are shown demangled.
  bool demangled = false, mangled = false;
  for (const std::string& f : r->trap().backtrace) {
    demangled |= f.find("::process::abort @") != std::string::npos;
    mangled |= f.find("!_RNv") != std::string::npos || f.find("!_ZN") != std::string::npos;
  }
  EXPECT_TRUE(demangled) << r->trap().backtrace.size();
  EXPECT_FALSE(mangled);
  EXPECT_EQ(OutputOf(*p, "greet", "again"), "Hello, again!") << "the plugin keeps serving";
}

}  // namespace
}  // namespace pier
