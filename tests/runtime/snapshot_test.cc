// Fresh instances from pre-initialised snapshots: taken once, used by every
// fresh instance, each starting clean; refused (and the plugin still working)
// when the initialiser calls the host; kept on disk with integrity checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using testing::OutputOf;
using testing::PluginPath;

PluginOptions Fresh(bool snapshot = true) {
  PluginOptions o;
  o.instance_mode = InstanceMode::kFreshPerCall;
  o.snapshot = snapshot;
  o.log_level = LogLevel::kOff;
  return o;
}

class SnapshotTest : public ::testing::Test {
 protected:
  std::unique_ptr<Runtime> NewRuntime(bool disk = false) {
    RuntimeOptions options;
    if (disk) options.cache_dir = dir_;
    return Runtime::Create(options).value();
  }
  std::vector<fs::path> SnapshotFiles() const {
    std::vector<fs::path> out;
    for (auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == ".snapshot") out.push_back(e.path());
    }
    return out;
  }
  testing::TempDir scratch_;
  const fs::path dir_ = scratch_.path();
};

TEST_F(SnapshotTest, FreshInstancesStartFromTheInitialisedStateAndShareNothing) {
  auto runtime = NewRuntime();
  auto p = runtime->LoadFile(PluginPath("c_snapshot_state"), Fresh()).value();
  const SnapshotInfo s = p->snapshot();
  ASSERT_TRUE(s.active) << s.refused;
  EXPECT_FALSE(s.from_disk);
  EXPECT_EQ(s.frozen, "clock, random bytes");
  // _initialize set 41; each call bumps its own instance's copy.
  EXPECT_EQ(OutputOf(*p, "bump"), "42");
  EXPECT_EQ(OutputOf(*p, "bump"), "42");
  EXPECT_EQ(OutputOf(*p, "clock_order"), "ok");
  // What the initialiser read is the same in every instance; what a call reads is its own.
  EXPECT_EQ(OutputOf(*p, "init_random"), OutputOf(*p, "init_random"));
  EXPECT_NE(OutputOf(*p, "call_random"), OutputOf(*p, "call_random"));
  EXPECT_EQ(p->stats().instances_created, 7u);
}

TEST_F(SnapshotTest, WithoutSnapshotsEachInstanceRunsItsInitialiser) {
  auto runtime = NewRuntime();
  auto p = runtime->LoadFile(PluginPath("c_snapshot_state"), Fresh(/*snapshot=*/false)).value();
  EXPECT_FALSE(p->snapshot().active);
  EXPECT_EQ(p->snapshot().refused, "");
  EXPECT_EQ(OutputOf(*p, "bump"), "42");
  EXPECT_NE(OutputOf(*p, "init_random"), OutputOf(*p, "init_random"));
}

TEST_F(SnapshotTest, PooledPluginsTakeNone) {
  auto runtime = NewRuntime();
  PluginOptions o = Fresh();
  o.instance_mode = InstanceMode::kPooled;
  auto p = runtime->LoadFile(PluginPath("c_snapshot_state"), o).value();
  EXPECT_FALSE(p->snapshot().active);
  EXPECT_EQ(OutputOf(*p, "bump"), "42");
  EXPECT_EQ(OutputOf(*p, "bump"), "43");  // one warm instance
}

TEST_F(SnapshotTest, AnInitialiserThatCallsTheHostIsNotSnapshottedAndStillWorks) {
  auto runtime = NewRuntime(/*disk=*/true);
  PluginOptions o = Fresh();
  o.config["greeting"] = "hello from config";
  auto p = runtime->LoadFile(PluginPath("c_snapshot_host_init"), o).value();
  const SnapshotInfo s = p->snapshot();
  EXPECT_FALSE(s.active);
  EXPECT_NE(s.refused.find("extism:host/env::"), std::string::npos) << s.refused;
  EXPECT_EQ(OutputOf(*p, "greeting"), "hello from config");
  EXPECT_EQ(OutputOf(*p, "greeting"), "hello from config");
  // The refusal lasts, so it is kept: a restart does not try again.
  ASSERT_EQ(SnapshotFiles().size(), 1u);
  auto again = NewRuntime(/*disk=*/true)->LoadFile(PluginPath("c_snapshot_host_init"), o).value();
  EXPECT_FALSE(again->snapshot().active);
  EXPECT_TRUE(again->snapshot().from_disk);
  EXPECT_EQ(again->snapshot().refused, s.refused);
}

TEST_F(SnapshotTest, ASecondRuntimeTakesTheSnapshotFromDisk) {
  {
    auto p = NewRuntime(/*disk=*/true)->LoadFile(PluginPath("c_snapshot_state"), Fresh()).value();
    ASSERT_TRUE(p->snapshot().active);
    EXPECT_FALSE(p->snapshot().from_disk);
  }
  ASSERT_EQ(SnapshotFiles().size(), 1u);
  auto runtime = NewRuntime(/*disk=*/true);
  auto p = runtime->LoadFile(PluginPath("c_snapshot_state"), Fresh()).value();
  EXPECT_TRUE(p->snapshot().active);
  EXPECT_TRUE(p->snapshot().from_disk);
  EXPECT_EQ(p->snapshot().frozen, "clock, random bytes");
  EXPECT_EQ(runtime->stats().modules_compiled, 0u);  // both modules' code came from the cache
  EXPECT_EQ(OutputOf(*p, "bump"), "42");
}

TEST_F(SnapshotTest, ADamagedSnapshotFileIsIgnoredAndTakenAgain) {
  NewRuntime(/*disk=*/true)->LoadFile(PluginPath("c_snapshot_state"), Fresh()).value();
  ASSERT_EQ(SnapshotFiles().size(), 1u);
  const fs::path path = SnapshotFiles()[0];
  std::string bytes = testing::ReadFile(path);
  ASSERT_GT(bytes.size(), 100u);
  bytes[bytes.size() - 20] ^= 0x5a;  // inside the snapshot's Wasm
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  auto p = NewRuntime(/*disk=*/true)->LoadFile(PluginPath("c_snapshot_state"), Fresh()).value();
  EXPECT_TRUE(p->snapshot().active);
  EXPECT_FALSE(p->snapshot().from_disk);  // rejected, then taken again
  EXPECT_EQ(OutputOf(*p, "bump"), "42");
  EXPECT_NE(testing::ReadFile(path), bytes);  // and replaced
}

TEST_F(SnapshotTest, AnInitialiserThatRunsOutOfFuelFallsBackWithoutKeepingTheRefusal) {
  // The C++ kit's plugin with too little fuel for anything: the snapshot
  // fails (not lastingly), and the plugin loads as without one.
  auto runtime = NewRuntime(/*disk=*/true);
  PluginOptions o = Fresh();
  o.fuel = 1;  // one unit: the initialiser cannot run
  auto p = runtime->LoadFile(PluginPath("cpp_test"), o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE((*p)->snapshot().active);
  EXPECT_NE((*p)->snapshot().refused, "");
  EXPECT_TRUE(SnapshotFiles().empty());
}

TEST_F(SnapshotTest, AGoGlobalLeavesNoTraceBetweenFreshCalls) {
  auto runtime = NewRuntime();
  auto fresh = runtime->LoadFile(PluginPath("go_test"), Fresh()).value();
  ASSERT_TRUE(fresh->snapshot().active) << fresh->snapshot().refused;
  EXPECT_EQ(fresh->snapshot().frozen, "clock, random bytes, arguments and environment");  // Go's runtime start-up
  EXPECT_EQ(OutputOf(*fresh, "global_calls"), "1/1");
  EXPECT_EQ(OutputOf(*fresh, "global_calls"), "1/1");
  PluginOptions o = Fresh();
  o.instance_mode = InstanceMode::kPooled;
  o.max_idle_instances = 1;
  auto pooled = runtime->LoadFile(PluginPath("go_test"), o).value();
  EXPECT_EQ(OutputOf(*pooled, "global_calls"), "1/1");
  EXPECT_EQ(OutputOf(*pooled, "global_calls"), "2/2");
}

TEST_F(SnapshotTest, GoAndCppKitPluginsAreSnapshottedAndBehaveAsWithout) {
  auto runtime = NewRuntime();
  for (const char* name : {"cpp_test", "go_test"}) {
    SCOPED_TRACE(name);
    auto with = runtime->LoadFile(PluginPath(name), Fresh()).value();
    auto without = runtime->LoadFile(PluginPath(name), Fresh(/*snapshot=*/false)).value();
    ASSERT_TRUE(with->snapshot().active) << with->snapshot().refused;
    EXPECT_FALSE(without->snapshot().active);
    const std::string in = R"({"track":"So What","n":[1,2,3]})";
    EXPECT_EQ(OutputOf(*with, "json_echo", in), OutputOf(*without, "json_echo", in));
    EXPECT_EQ(OutputOf(*with, "json_echo", in), OutputOf(*with, "json_echo", in));
  }
}

}  // namespace
}  // namespace pier
