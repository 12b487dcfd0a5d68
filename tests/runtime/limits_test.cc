// Hostile plugins: every limit ends only the call it belongs to, says which
// limit was hit, and the host keeps serving this plugin and others.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <unistd.h>

#include <filesystem>

#include "support/test_plugins.h"

namespace pier {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::PluginPath;

class LimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { runtime_ = Runtime::Create().value().release(); }
  static void TearDownTestSuite() { delete runtime_; }
  std::unique_ptr<Plugin> Load(const std::string& name, PluginOptions options = {}) {
    options.log_sink = [](LogLevel, std::string_view, std::string_view) {};
    auto p = runtime_->LoadFile(PluginPath(name), std::move(options));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(*p) : nullptr;
  }
  static Trap MustTrap(Plugin& p, std::string_view fn, std::string_view in = "", const CallOptions& o = {}) {
    auto r = p.Call(fn, in, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_TRUE(r->is_trap()) << fn << ": " << r->Describe();
    return r->is_trap() ? r->trap() : Trap{};
  }
  static void ExpectServes(Plugin& p) {
    auto r = p.Call("ok", "");
    ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
    EXPECT_EQ(r->output(), "ok");
  }
  static Runtime* runtime_;
};
Runtime* LimitsTest::runtime_ = nullptr;

TEST_F(LimitsTest, InfiniteLoopTimesOutNearTheDeadlineWhileOthersKeepAnswering) {
  PluginOptions options;
  options.timeout = 400ms;
  auto spinner = Load("c_hostile", options);
  auto echo = Load("cpp_test");
  ASSERT_TRUE(spinner && echo);

  std::atomic<bool> done{false};
  std::atomic<int> answered{0}, wrong{0};
  Clock::duration slowest{};
  std::thread other([&] {
    while (!done) {
      const auto t0 = Clock::now();
      auto r = echo->Call("echo", "still here");
      slowest = std::max(slowest, Clock::now() - t0);
      (r.ok() && r->is_output() && r->output() == "still here" ? answered : wrong)++;
    }
  });
  const auto start = Clock::now();
  Trap t = MustTrap(*spinner, "spin");
  const auto elapsed = Clock::now() - start;
  done = true;
  other.join();

  EXPECT_EQ(t.kind, TrapKind::kTimeout);
  EXPECT_NE(t.message.find("timeout of 400 ms"), std::string::npos) << t.message;
  EXPECT_GE(elapsed, 400ms);
  EXPECT_LT(elapsed, 700ms) << "timeout should land close to the configured time";
  EXPECT_GT(answered.load(), 20) << "the other plugin kept answering during the loop";
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LT(slowest, 200ms);
  ExpectServes(*spinner);
}

TEST_F(LimitsTest, OneCallsTimeoutNeverInterruptsASiblingInstance) {
  auto p = Load("c_hostile");
  ASSERT_TRUE(p);
  CallOptions short_call, long_call;
  short_call.timeout = 150ms;
  long_call.timeout = 1200ms;
  Clock::duration long_elapsed{};
  Trap long_trap;
  std::thread sibling([&] {
    const auto t0 = Clock::now();
    long_trap = MustTrap(*p, "spin", "", long_call);
    long_elapsed = Clock::now() - t0;
  });
  std::this_thread::sleep_for(20ms);
  Trap short_trap = MustTrap(*p, "spin", "", short_call);
  EXPECT_EQ(short_trap.kind, TrapKind::kTimeout);
  ExpectServes(*p);  // a third call on the same plugin, while the sibling still spins
  sibling.join();
  EXPECT_EQ(long_trap.kind, TrapKind::kTimeout);
  EXPECT_GE(long_elapsed, 1200ms) << "the sibling ran to its own deadline";
}

TEST_F(LimitsTest, CancelStopsOnlyThatCall) {
  auto p = Load("c_hostile");
  CallOptions options;
  options.timeout = 0ms;  // no deadline: only the token can stop it
  std::thread canceller([token = options.cancel] {
    std::this_thread::sleep_for(100ms);
    token.Cancel();
  });
  const auto start = Clock::now();
  Trap t = MustTrap(*p, "spin", "", options);
  canceller.join();
  EXPECT_EQ(t.kind, TrapKind::kCancelled);
  EXPECT_LT(Clock::now() - start, 500ms);
  ExpectServes(*p);
  // Cancelling twice, and a token cancelled before the call starts.
  options.cancel.Cancel();
  EXPECT_EQ(MustTrap(*p, "spin", "", options).kind, TrapKind::kCancelled);
}

TEST_F(LimitsTest, SleepIsBoundedByTheDeadline) {
  PluginOptions o;
  o.timeout = 200ms;
  auto p = Load("c_hostile", o);
  const auto start = Clock::now();
  Trap t = MustTrap(*p, "sleep_ms", "10000");
  EXPECT_EQ(t.kind, TrapKind::kTimeout);
  EXPECT_LT(Clock::now() - start, 600ms);
  auto go = Load("go_test", o);
  EXPECT_EQ(MustTrap(*go, "sleep_ms", "10000").kind, TrapKind::kTimeout);
  Trap spun = MustTrap(*go, "spin");
  EXPECT_EQ(spun.kind, TrapKind::kTimeout);
  ASSERT_FALSE(spun.backtrace.empty()) << "where the loop was stopped";
  EXPECT_EQ(spun.backtrace[0].rfind("go_test!main.spin @0x", 0), 0u) << spun.backtrace[0];
}

TEST_F(LimitsTest, UnboundedAllocationHitsTheMemoryCap) {
  PluginOptions o;
  o.max_memory_bytes = 48 << 20;
  auto p = Load("c_hostile", o);
  Trap t = MustTrap(*p, "alloc_bomb");
  EXPECT_EQ(t.kind, TrapKind::kOutOfMemory);
  EXPECT_NE(t.message.find("memory cap of 50331648 bytes reached"), std::string::npos) << t.message;
  ExpectServes(*p);
  auto go = Load("go_test", o);
  Trap g = MustTrap(*go, "alloc_bomb");
  EXPECT_EQ(g.kind, TrapKind::kOutOfMemory) << g.message;
}

TEST_F(LimitsTest, KernelArenaIsCapped) {
  PluginOptions o;
  o.max_arena_bytes = 8 << 20;
  auto p = Load("c_hostile", o);
  Trap t = MustTrap(*p, "arena_bomb");
  EXPECT_EQ(t.kind, TrapKind::kOutOfMemory);
  EXPECT_NE(t.message.find("kernel memory limit of 8388608 bytes"), std::string::npos) << t.message;
  Trap huge = MustTrap(*p, "huge_output_alloc");
  EXPECT_EQ(huge.kind, TrapKind::kOutOfMemory);
  ExpectServes(*p);
}

// One cap for everything a plugin takes, as an Extism manifest's memory limit
// means (regression: the cap bounded linear memory only, and kernel memory had
// a fixed 128 MiB of its own on top).
TEST_F(LimitsTest, OneCapBoundsLinearAndKernelMemoryTogether) {
  PluginOptions o;
  o.max_memory_bytes = 64 << 20;
  auto p = Load("c_hostile", o);
  // 40 MiB of kernel memory leave less than 24 MiB for linear memory to grow into.
  auto r = p->Call("arena_then_grow", "40");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().ToString());
  const long grown = std::stol(r->output());
  EXPECT_GT(grown, 10) << "linear memory could still grow";
  EXPECT_LT(grown, 24) << "kernel memory counted against the cap";
  // The other order: 40 MiB of linear memory, then kernel memory until refused.
  Trap t = MustTrap(*p, "grow_then_arena", "40");
  EXPECT_EQ(t.kind, TrapKind::kOutOfMemory) << t.message;
  EXPECT_NE(t.message.find("memory cap of 67108864 bytes reached"), std::string::npos) << t.message;
  ExpectServes(*p);
  // Without kernel memory, the whole cap is there for linear memory.
  auto all = p->Call("arena_then_grow", "0");
  ASSERT_TRUE(all.ok() && all->is_output());
  EXPECT_GT(std::stol(all->output()), 60);
}

TEST_F(LimitsTest, InputLargerThanTheArenaIsAHostError) {
  PluginOptions o;
  o.max_arena_bytes = 1 << 20;
  auto p = Load("cpp_test", o);
  auto r = p->Call("echo", std::string(2 << 20, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(LimitsTest, RecursionIsContained) {
  auto p = Load("c_hostile");
  Trap so = MustTrap(*p, "stack_overflow");
  EXPECT_EQ(so.kind, TrapKind::kStackOverflow);
  EXPECT_NE(so.message.find("call stack exhausted"), std::string::npos) << so.message;
  Trap shadow = MustTrap(*p, "deep_recursion");
  EXPECT_EQ(shadow.kind, TrapKind::kCrash);
  EXPECT_NE(shadow.message.find("out of bounds memory access"), std::string::npos) << shadow.message;
  ExpectServes(*p);
}

TEST_F(LimitsTest, FuelEndsRunawayCode) {
  PluginOptions o;
  o.fuel = 5'000'000;
  o.timeout = 0ms;
  auto p = Load("c_hostile", o);
  Trap t = MustTrap(*p, "spin");
  EXPECT_EQ(t.kind, TrapKind::kOutOfFuel);
  EXPECT_NE(t.message.find("5000000"), std::string::npos);
  ExpectServes(*p);
}

TEST_F(LimitsTest, BadHandlesTrapNamingTheFunctionAndHandle) {
  auto p = Load("c_hostile");
  struct Case {
    const char* fn;
    const char* expect;
  } cases[] = {
      {"bad_handle", "load_u64: handle/address 549755813887"},
      {"stale_handle", "load_u64: handle/address"},
      {"negative_handle", "store_u64: handle/address -8"},
      {"bad_error_handle", "error_set: handle/address 999999"},
      {"huge_output_claim", "output_set: handle/address"},
      {"freed_output", "was freed"},
  };
  for (const Case& c : cases) {
    Trap t = MustTrap(*p, c.fn);
    EXPECT_EQ(t.kind, TrapKind::kCrash) << c.fn;
    EXPECT_NE(t.message.find(c.expect), std::string::npos) << c.fn << ": " << t.message;
  }
  auto survived = p->Call("double_free", "");
  ASSERT_TRUE(survived->is_output());
  EXPECT_EQ(survived->output(), "survived");
  ExpectServes(*p);
}

// RuntimeOptions::perf_map: Linux perf learns the names of the JIT code.
TEST(PerfMap, NamesTheGuestsFunctions) {
  const std::string map = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::filesystem::remove(map);
  {
    RuntimeOptions ro;
    ro.perf_map = true;
    auto runtime = Runtime::Create(ro).value();
    PluginOptions o;
    o.log_sink = [](LogLevel, std::string_view, std::string_view) {};
    auto p = runtime->LoadFile(PluginPath("c_hostile"), o).value();
    ASSERT_TRUE(p->Call("ok", "").ok());
  }
  const std::string text = testing::ReadFile(map);
  std::filesystem::remove(map);
  EXPECT_NE(text.find("global_counter"), std::string::npos) << text.substr(0, 500);
}

TEST_F(LimitsTest, CrashesAreContained) {
  auto p = Load("c_hostile");
  Trap crash = MustTrap(*p, "unreachable");
  EXPECT_NE(crash.message.find("unreachable"), std::string::npos);
  ASSERT_FALSE(crash.backtrace.empty());
  EXPECT_EQ(crash.backtrace[0].rfind("c_hostile.wasm!unreachable @0x", 0), 0u) << crash.backtrace[0];
  Trap deep = MustTrap(*p, "deep_recursion");
  ASSERT_GE(deep.backtrace.size(), 2u);
  EXPECT_NE(deep.backtrace[1].find("!recurse"), std::string::npos) << deep.backtrace[1];
  EXPECT_NE(deep.backtrace[1].find("more times)"), std::string::npos) << "recursion folded: " << deep.backtrace[1];
  EXPECT_LE(deep.backtrace.size(), 66u);
  EXPECT_NE(MustTrap(*p, "wild_write").message.find("out of bounds"), std::string::npos);
  ExpectServes(*p);
}

TEST_F(LimitsTest, FloodOfOutputIsLoggedInBoundedPieces) {
  std::atomic<size_t> longest{0}, lines{0};
  PluginOptions o;
  o.log_sink = [&](LogLevel, std::string_view, std::string_view m) {
    longest = std::max(longest.load(), m.size());
    lines++;
  };
  auto p = runtime_->LoadFile(PluginPath("c_hostile"), o);
  ASSERT_TRUE(p.ok());
  auto r = (*p)->Call("print_flood", "");
  ASSERT_TRUE(r->is_output());
  EXPECT_LE(longest.load(), 4096u + 16);
  EXPECT_GE(lines.load(), 256u);
}

TEST_F(LimitsTest, MemoryCapBelowTheModulesMinimumFailsCleanly) {
  PluginOptions o;
  o.max_memory_bytes = 64 * 1024;  // the Go runtime needs far more
  auto p = Load("go_test", o);
  ASSERT_TRUE(p);
  auto r = p->Call("echo", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
}

}  // namespace
}  // namespace pier
