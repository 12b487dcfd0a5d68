// The on-disk module cache: hits across runtimes, and damaged, truncated or
// foreign entries detected, ignored and rebuilt.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using testing::PluginPath;

class ModuleCacheTest : public ::testing::Test {
 protected:
  // Loads and calls the plugin with a brand-new runtime; returns its stats.
  RuntimeStats LoadAndCall() {
    RuntimeOptions options;
    options.cache_dir = dir_;
    auto runtime = Runtime::Create(options).value();
    auto p = runtime->LoadFile(PluginPath("cpp_test"), {});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    auto r = (*p)->Call("echo", "cached?");
    EXPECT_TRUE(r.ok() && r->is_output() && r->output() == "cached?");
    return runtime->stats();
  }
  fs::path Entry() {
    for (auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == ".cwasm") return e.path();
    }
    return {};
  }
  void Rewrite(const std::function<void(std::string&)>& damage) {
    const fs::path path = Entry();
    ASSERT_FALSE(path.empty());
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    in.close();
    damage(bytes);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  testing::TempDir scratch_;
  const fs::path dir_ = scratch_.path();
};

TEST_F(ModuleCacheTest, SecondRuntimeLoadsFromDisk) {
  RuntimeStats first = LoadAndCall();
  EXPECT_EQ(first.modules_compiled, 1u);
  EXPECT_EQ(first.cache_hits, 0u);
  RuntimeStats second = LoadAndCall();
  EXPECT_EQ(second.modules_compiled, 0u);
  EXPECT_EQ(second.cache_hits, 1u);
}

TEST_F(ModuleCacheTest, SameBytesTwiceCompileOnceInProcess) {
  auto runtime = Runtime::Create().value();
  ASSERT_TRUE(runtime->LoadFile(PluginPath("cpp_test"), {}).ok());
  ASSERT_TRUE(runtime->LoadFile(PluginPath("cpp_test"), {}).ok());
  EXPECT_EQ(runtime->stats().modules_compiled, 1u);
  EXPECT_EQ(runtime->stats().memory_hits, 1u);
}

TEST_F(ModuleCacheTest, FlippedPayloadByteIsRejectedAndRebuilt) {
  LoadAndCall();
  Rewrite([](std::string& b) { b[b.size() - 100] ^= 0x5a; });
  RuntimeStats s = LoadAndCall();
  EXPECT_EQ(s.cache_rejected, 1u);
  EXPECT_EQ(s.modules_compiled, 1u);
  EXPECT_EQ(LoadAndCall().cache_hits, 1u) << "the rebuilt entry is good";
}

TEST_F(ModuleCacheTest, TruncatedEntryIsRejected) {
  LoadAndCall();
  Rewrite([](std::string& b) { b.resize(b.size() / 2); });
  EXPECT_EQ(LoadAndCall().cache_rejected, 1u);
  Rewrite([](std::string& b) { b.resize(10); });
  EXPECT_EQ(LoadAndCall().cache_rejected, 1u);
}

TEST_F(ModuleCacheTest, ForeignEntryIsRejected) {
  LoadAndCall();
  // Same envelope, but claiming another Wasmtime version.
  Rewrite([](std::string& b) {
    const size_t at = b.find("wasmtime=");
    ASSERT_NE(at, std::string::npos);
    b[at + 9] = b[at + 9] == '9' ? '8' : '9';
  });
  EXPECT_EQ(LoadAndCall().cache_rejected, 1u);
  Rewrite([](std::string& b) { b = "\x7f" "ELF not ours at all"; });
  EXPECT_EQ(LoadAndCall().cache_rejected, 1u);
}

}  // namespace
}  // namespace pier
