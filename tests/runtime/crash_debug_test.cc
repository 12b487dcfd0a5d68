// Debugging a plugin that traps: source lines in backtraces (DWARF), Wasm
// core dumps and their cap, on c_crash_debug (built with -g).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

// The line of crash_debug.c marked CRASH-LINE, where the plugin faults.
int CrashLine() {
  std::ifstream in(std::string(PIER_SOURCE_DIR) + "/tests/plugins/c/crash_debug.c");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find("CRASH-LINE") != std::string::npos) return n;
  }
  return -1;
}

std::unique_ptr<Plugin> LoadCrash(Runtime& runtime) {
  PluginOptions o;
  o.log_sink = [](LogLevel, std::string_view, std::string_view) {};
  auto p = runtime.LoadFile(testing::PluginPath("c_crash_debug"), o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(*p) : nullptr;
}

Trap CrashWith(Plugin& p, std::string_view input) {
  auto r = p.Call("crash", input);
  EXPECT_TRUE(r.ok() && r->is_trap());
  return r.ok() && r->is_trap() ? r->trap() : Trap{};
}

TEST(BacktraceDetails, FramesNameTheSourceLine) {
  RuntimeOptions ro;
  ro.backtrace_details = true;
  auto runtime = Runtime::Create(ro).value();
  auto p = LoadCrash(*runtime);
  ASSERT_NE(p, nullptr);
  Trap t = CrashWith(*p, "x");
  ASSERT_GE(t.backtrace.size(), 3u);
  const int line = CrashLine();
  ASSERT_GT(line, 0);
  EXPECT_NE(t.backtrace[0].find("!fail_here @0x"), std::string::npos) << t.backtrace[0];
  EXPECT_NE(t.backtrace[0].find(" at "), std::string::npos) << t.backtrace[0];
  EXPECT_NE(t.backtrace[0].find("crash_debug.c:" + std::to_string(line) + ":"), std::string::npos) << t.backtrace[0];
  EXPECT_NE(t.backtrace[1].find("!remember_input_then_fail @0x"), std::string::npos) << t.backtrace[1];
  EXPECT_NE(t.backtrace[1].find("crash_debug.c:"), std::string::npos) << t.backtrace[1];
  EXPECT_NE(t.backtrace[2].find("!crash @0x"), std::string::npos) << t.backtrace[2];
  // The message is the cause and where, not Wasmtime's multi-line dump.
  EXPECT_EQ(t.message.find('\n'), std::string::npos) << t.message;
  EXPECT_EQ(t.message.rfind("memory fault at wasm address 0xfffffff0", 0), 0u) << t.message;
  EXPECT_NE(t.message.find("(at c_crash_debug.wasm!fail_here, "), std::string::npos) << t.message;
  EXPECT_TRUE(t.coredump.empty()) << "no core dumps unless asked for";
}

TEST(BacktraceDetails, OffByDefault) {
  auto runtime = Runtime::Create().value();
  auto p = LoadCrash(*runtime);
  ASSERT_NE(p, nullptr);
  Trap t = CrashWith(*p, "x");
  ASSERT_GE(t.backtrace.size(), 3u);
  EXPECT_NE(t.backtrace[0].find("!fail_here @0x"), std::string::npos) << t.backtrace[0];
  EXPECT_EQ(t.backtrace[0].find(" at "), std::string::npos) << "no DWARF kept: " << t.backtrace[0];
}

TEST(CoreDump, HoldsTheMemoryAtTheTrap) {
  testing::TempDir dir;
  RuntimeOptions ro;
  ro.coredump_dir = dir.path() / "dumps";  // made when the first dump is written
  auto runtime = Runtime::Create(ro).value();
  auto p = LoadCrash(*runtime);
  ASSERT_NE(p, nullptr);
  const std::string marker = "marker-" + std::to_string(::getpid()) + "-in-memory";
  Trap t = CrashWith(*p, marker);
  ASSERT_FALSE(t.coredump.empty()) << t.message;
  const std::filesystem::path path = t.coredump;
  EXPECT_EQ(path.parent_path(), ro.coredump_dir);
  EXPECT_EQ(path.extension(), ".coredump");
  EXPECT_EQ(path.filename().string().rfind("c_crash_debug.crash.", 0), 0u) << path;
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "a dump holds the plugin's memory: owner only";
  const std::string bytes = testing::ReadFile(path);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\0asm\1\0\0\0", 8)) << "a core dump is a Wasm module";
  EXPECT_NE(bytes.find("\4core"), std::string::npos) << "its 'core' custom section";
  EXPECT_NE(bytes.find("corestack"), std::string::npos);
  EXPECT_NE(bytes.find(marker), std::string::npos) << "the input the plugin copied before it faulted";
  // The plugin serves on, and a call that succeeds writes nothing.
  auto ok = p->Call("fine", "");
  ASSERT_TRUE(ok.ok() && ok->is_output());
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(ro.coredump_dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST(CoreDump, AtMostTheCapPerRuntime) {
  testing::TempDir dir;
  RuntimeOptions ro;
  ro.coredump_dir = dir.path();
  auto runtime = Runtime::Create(ro).value();
  auto p = LoadCrash(*runtime);
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < RuntimeOptions::kMaxCoreDumps; ++i) {
    ASSERT_FALSE(CrashWith(*p, "x").coredump.empty()) << i;
  }
  Trap over = CrashWith(*p, "x");
  EXPECT_TRUE(over.coredump.empty());
  EXPECT_NE(over.message.find("core dump not written"), std::string::npos) << over.message;
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, static_cast<size_t>(RuntimeOptions::kMaxCoreDumps));
}

TEST(CoreDump, AnUnwritableFolderIsReportedNotFatal) {
  testing::TempDir dir;
  const auto blocker = dir.path() / "file";
  std::ofstream(blocker) << "not a folder";
  RuntimeOptions ro;
  ro.coredump_dir = blocker / "dumps";
  auto runtime = Runtime::Create(ro).value();
  auto p = LoadCrash(*runtime);
  ASSERT_NE(p, nullptr);
  Trap t = CrashWith(*p, "x");
  EXPECT_TRUE(t.coredump.empty());
  EXPECT_NE(t.message.find("core dump not written"), std::string::npos) << t.message;
  EXPECT_NE(t.message.find("memory fault"), std::string::npos) << "the trap itself is still reported: " << t.message;
  auto ok = p->Call("fine", "");
  EXPECT_TRUE(ok.ok() && ok->is_output());
}

}  // namespace
}  // namespace pier
