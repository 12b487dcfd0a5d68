// Extism manifests: modules by path or inline data, hashes, links between
// modules (per instance, as Extism's hosts do), and what the manifest
// grants — with the bad cases refused clearly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/sha256.h"
#include "pier/extism_manifest.h"
#include "pier/wire/gojson.h"
#include "support/loopback_web_server.h"
#include "support/runtime_suite.h"

namespace pier {
namespace {

using testing::OutputOf;
using testing::PluginPath;
using testing::PluginWasm;

class ExtismManifestTest : public testing::RuntimeSuite {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("extism-manifest-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  Result<ExtismManifest> Parse(const std::string& json, ExtismManifestOptions o = {}) {
    return ParseExtismManifest(json, dir_, o);
  }
  Result<std::unique_ptr<Plugin>> LoadJson(const std::string& json, PluginOptions options = {}) {
    auto m = Parse(json);
    if (!m.ok()) return m.status();
    m->ApplyTo(options);
    options.log_sink = logs_.sink();
    return runtime_->LoadExtism(*m, std::move(options));
  }
  static std::string Path(const std::string& plugin) { return PluginPath(plugin).string(); }
  static std::string Linked() {
    return R"({"wasm":[{"path":")" + Path("c_link_lib") + R"(","name":"lib"},{"path":")" + Path("c_link_main") +
           R"(","name":"main"}]})";
  }

  std::filesystem::path dir_;
};

TEST_F(ExtismManifestTest, MainModuleByPathDataOrLastAndItsHashIsChecked) {
  const std::string wasm = PluginWasm("cpp_test");
  const std::string sha = internal::Sha256Hex(wasm);
  for (const std::string& json : {R"({"wasm":[{"path":")" + Path("cpp_test") + R"(","hash":")" + sha + R"("}]})",
                                  R"({"wasm":[{"data":")" + wire::Base64Encode(wasm) + R"("}]})"}) {
    auto p = LoadJson(json);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    auto r = (*p)->Call("echo", "round trip");
    ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
    EXPECT_EQ(r->output(), "round trip");
  }
  // A relative path is read beside the manifest.
  std::filesystem::copy_file(PluginPath("cpp_test"), dir_ / "plugin.wasm");
  EXPECT_TRUE(LoadJson(R"({"wasm":[{"path":"plugin.wasm"}]})").ok());

  std::string wrong = sha;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  auto bad = Parse(R"({"wasm":[{"path":")" + Path("cpp_test") + R"(","hash":")" + wrong + R"("}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find(sha), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find(wrong), std::string::npos);
}

TEST_F(ExtismManifestTest, SettingsReachThePlugin) {
  std::ofstream(dir_ / "note.txt") << "hi";
  auto m = Parse(R"({"wasm":[{"path":")" + Path("c_files") + R"("}],
      "allowed_hosts":["127.0.0.1"], "allowed_paths":{"ro:)" + dir_.string() + R"(":"/data"},
      "config":{"greeting":"Welcome"}, "memory":{"max_pages":512,"max_http_response_bytes":1000,"max_var_bytes":10},
      "timeout_ms":1500})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  PluginOptions o;
  m->ApplyTo(o);
  EXPECT_EQ(o.allowed_hosts, std::vector<std::string>{"127.0.0.1"});
  ASSERT_EQ(o.mounts.size(), 1u);
  EXPECT_TRUE(o.mounts[0].read_only);
  EXPECT_EQ(o.mounts[0].guest, "/data");
  EXPECT_EQ(o.config["greeting"], "Welcome");
  EXPECT_EQ(o.max_memory_bytes, 512u * 64 * 1024);
  EXPECT_EQ(o.max_http_response_bytes, 1000u);
  EXPECT_EQ(o.max_var_bytes, 10u);
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(1500));
  auto p = runtime_->LoadExtism(*m, o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto r = (*p)->Call("read_file", "/data/note.txt");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  EXPECT_EQ(r->output(), "hi");
  auto w = (*p)->Call("write_file", "/data/x\nno");
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->is_plugin_error()) << "read-only: " << w->Describe();
}

// The main module's imports of "lib" are the library module's exports, in
// each instance's own store; the library's initialiser runs first, and WASI
// calls it makes use its own memory.
TEST_F(ExtismManifestTest, ModulesAreLinkedByName) {
  PluginOptions pooled;
  pooled.instance_mode = InstanceMode::kPooled;
  pooled.max_idle_instances = 1;
  pooled.log_level = LogLevel::kInfo;
  auto p = LoadJson(Linked(), pooled);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(OutputOf(**p, "sum"), "2+3=5 calls=1 init=1");
  EXPECT_EQ(OutputOf(**p, "sum"), "2+3=5 calls=2 init=1") << "the library's state lives with the instance";
  EXPECT_EQ(OutputOf(**p, "shout"), "shouted");
  EXPECT_NE(Logged().find("said by the library, from its own memory"), std::string::npos) << Logged();

  PluginOptions fresh;
  fresh.instance_mode = InstanceMode::kFreshPerCall;
  auto f = LoadJson(Linked(), fresh);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(OutputOf(**f, "sum"), "2+3=5 calls=1 init=1");
  EXPECT_EQ(OutputOf(**f, "sum"), "2+3=5 calls=1 init=1") << "a fresh instance, a fresh library";
  // The main module is the one named "main", wherever it is listed.
  auto reordered = LoadJson(R"({"wasm":[{"path":")" + Path("c_link_main") + R"(","name":"main"},{"path":")" +
                            Path("c_link_lib") + R"(","name":"lib"}]})");
  ASSERT_TRUE(reordered.ok()) << reordered.status().ToString();
  EXPECT_EQ(OutputOf(**reordered, "sum"), "2+3=5 calls=1 init=1");
}

TEST_F(ExtismManifestTest, MissingAndCyclicLinksAreRefused) {
  auto missing = LoadJson(R"({"wasm":[{"path":")" + Path("c_link_main") + R"("}]})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("imports lib::add"), std::string::npos) << missing.status().message();

  auto misnamed = LoadJson(R"({"wasm":[{"path":")" + Path("c_link_lib") + R"(","name":"library"},{"path":")" +
                           Path("c_link_main") + R"(","name":"main"}]})");
  ASSERT_FALSE(misnamed.ok());
  EXPECT_NE(misnamed.status().message().find("no module of the manifest is named 'lib'"), std::string::npos)
      << misnamed.status().message();

  auto cycle = LoadJson(R"({"wasm":[{"path":")" + Path("c_link_cycle_b") + R"(","name":"cycle_b"},{"path":")" +
                        Path("c_link_cycle_a") + R"(","name":"cycle_a"}]})");
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("cycle: cycle_a -> cycle_b -> cycle_a"), std::string::npos)
      << cycle.status().message();
}

// A url module is fetched only when allowed (here from a loopback server),
// and its hash is checked like any other.
TEST_F(ExtismManifestTest, UrlModulesAreFetchedOnlyWhenAllowed) {
  testing::LoopbackWebServer server(nullptr);
  const std::string url = server.Url("/plugins/cpp_test.wasm");
  const std::string sha = internal::Sha256Hex(PluginWasm("cpp_test"));
  const std::string json = R"({"wasm":[{"url":")" + url + R"(","hash":")" + sha + R"("}]})";
  auto refused = Parse(json);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  auto m = Parse(json, {.allow_urls = true});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto p = runtime_->LoadExtism(*m, {});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(OutputOf(**p, "echo"), "");
  auto missing = Parse(R"({"wasm":[{"url":")" + server.Url("/plugins/none.wasm") + R"("}]})", {.allow_urls = true});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("answered 404"), std::string::npos) << missing.status().message();
}

TEST_F(ExtismManifestTest, BadManifestsAreRefusedClearly) {
  const std::string hello = Path("hello");
  struct Case {
    std::string json, expect;
  };
  const std::vector<Case> cases = {
      {"nope", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"wasm":[]})", "at least one module"},
      {R"({"wasm":[{"path":"/nonexistent.wasm"}]})", "no such file"},
      {R"({"wasm":[{"path":")" + hello + R"(","data":"AA=="}]})", "exactly one of"},
      {R"({"wasm":[{"data":"!!!"}]})", "base64"},
      {R"({"wasm":[{"url":"http://127.0.0.1:9/x.wasm"}]})", "fetching modules is off"},
      {R"({"wasm":[{"path":")" + hello + R"(","name":"a"},{"path":")" + hello + R"(","name":"a"}]})",
       "two modules are named 'a'"},
      {R"({"wasm":[{"path":")" + hello + R"("}],"config":{"k":1}})", "config 'k' is not a string"},
      {R"({"wasm":[{"path":")" + hello + R"("}],"allowed_paths":{"/nonexistent-dir":"/d"}})", "is not a directory"},
      {R"({"wasm":[{"path":")" + hello + R"("}],"allowed_paths":{")" + dir_.string() + R"(":"relative"}})",
       "must be absolute"},
      {R"({"wasm":[{"path":")" + hello + R"("}],"allowed_paths":{")" + dir_.string() + R"(":"/a/../b"}})",
       "must not contain '..'"},
      {R"({"wasm":[{"path":")" + hello + R"("}],"memory":{"max_pages":0}})", "at least 1"},
      {R"({"wasm":[{"path":")" + hello + R"("}],"memory":{"max_pages":70000}})", "more than 65536"},
      {R"({"wasm":[{"path":")" + hello + R"("}],"timeout_ms":-5})", "non-negative"},
  };
  for (const Case& c : cases) {
    auto m = Parse(c.json);
    ASSERT_FALSE(m.ok()) << c.json;
    EXPECT_NE(m.status().message().find(c.expect), std::string::npos) << c.json << " -> " << m.status().message();
  }
}

}  // namespace
}  // namespace pier
