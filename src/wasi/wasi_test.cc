#include "wasi/wasi.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace pier::internal {
namespace {

using namespace wasi_errno;

class WasiTest : public ::testing::Test {
 protected:
  WasiTest() : memory(4096, 0), settings{"w", LogLevel::kInfo, nullptr}, wasi(&settings) {
    settings.log_sink = [this](LogLevel l, std::string_view, std::string_view m) {
      lines.push_back(std::string(LogLevelName(l)) + ":" + std::string(m));
    };
    wasi.BeginCall(&call);
  }
  GuestMemory Mem() { return GuestMemory(memory.data(), memory.size()); }
  template <typename T>
  void Put(uint32_t at, T v) {
    std::memcpy(&memory[at], &v, sizeof v);
  }
  template <typename T>
  T At(uint32_t at) {
    T v;
    std::memcpy(&v, &memory[at], sizeof v);
    return v;
  }

  std::vector<uint8_t> memory;
  WasiSettings settings;
  Wasi wasi;
  CallState call;
  std::vector<std::string> lines;
};

TEST_F(WasiTest, FdWriteGoesToTheLogLineByLine) {
  std::memcpy(&memory[100], "one\ntw", 6);
  std::memcpy(&memory[200], "o\n", 2);
  Put<uint32_t>(0, 100), Put<uint32_t>(4, 6), Put<uint32_t>(8, 200), Put<uint32_t>(12, 2);
  EXPECT_EQ(*wasi.FdWrite(Mem(), 1, 0, 2, 50), kSuccess);
  EXPECT_EQ(At<uint32_t>(50), 8u);
  EXPECT_EQ(lines, (std::vector<std::string>{"info:stdout: one", "info:stdout: two"}));
  EXPECT_EQ(*wasi.FdWrite(Mem(), 7, 0, 1, 50), kBadf);
}

TEST_F(WasiTest, BadPointersGiveFaultNotCrash) {
  Put<uint32_t>(0, 4000), Put<uint32_t>(4, 500);  // runs past the end of memory
  EXPECT_EQ(*wasi.FdWrite(Mem(), 1, 0, 1, 50), kFault);
  EXPECT_EQ(*wasi.ClockTimeGet(Mem(), 0, 0, 4095), kFault);
  EXPECT_EQ(*wasi.RandomGet(Mem(), 4000, 200), kFault);
  EXPECT_EQ(*wasi.FdWrite(Mem(), 1, 0, 100000, 50), kInval);
}

TEST_F(WasiTest, NoPreopensAndEmptyArgs) {
  EXPECT_EQ(*wasi.FdPrestatGet(Mem(), 3, 0), kBadf);
  Put<uint32_t>(0, 99), Put<uint32_t>(4, 99);
  EXPECT_EQ(*wasi.ArgsSizesGet(Mem(), 0, 4), kSuccess);
  EXPECT_EQ(At<uint32_t>(0), 0u);
  EXPECT_EQ(*wasi.FdFdstatGet(Mem(), 1, 64), kSuccess);
  EXPECT_EQ(memory[64], 2) << "character device";
  EXPECT_EQ(*wasi.FdRead(Mem(), 0, 0, 0, 80), kSuccess);
  EXPECT_EQ(At<uint32_t>(80), 0u) << "stdin is empty";
}

TEST_F(WasiTest, ClocksAreRealAndRandomIsRandom) {
  ASSERT_EQ(*wasi.ClockTimeGet(Mem(), 1, 0, 0), kSuccess);
  uint64_t a = At<uint64_t>(0);
  ASSERT_EQ(*wasi.ClockTimeGet(Mem(), 1, 0, 0), kSuccess);
  EXPECT_GT(At<uint64_t>(0), a);
  EXPECT_EQ(*wasi.ClockTimeGet(Mem(), 9, 0, 0), kInval);
  ASSERT_EQ(*wasi.RandomGet(Mem(), 1000, 64), kSuccess);
  ASSERT_EQ(*wasi.RandomGet(Mem(), 2000, 64), kSuccess);
  EXPECT_NE(std::memcmp(&memory[1000], &memory[2000], 64), 0);
}

void ClockSubscription(std::vector<uint8_t>& m, uint32_t at, uint64_t timeout_ns) {
  std::memset(&m[at], 0, 48);
  m[at + 8] = 0;  // clock
  uint32_t monotonic = 1;
  std::memcpy(&m[at + 16], &monotonic, 4);
  std::memcpy(&m[at + 24], &timeout_ns, 8);
}

TEST_F(WasiTest, PollOneoffSleepsForReal) {
  ClockSubscription(memory, 0, 30'000'000);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(*wasi.PollOneoff(Mem(), 0, 512, 1, 1024), kSuccess);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(29));
  EXPECT_EQ(At<uint32_t>(1024), 1u);
}

TEST_F(WasiTest, PollOneoffSleepStopsAtTheCallDeadline) {
  call.deadline = Clock::now() + std::chrono::milliseconds(40);
  call.timeout = std::chrono::milliseconds(40);
  ClockSubscription(memory, 0, 10'000'000'000ull);
  const auto start = std::chrono::steady_clock::now();
  auto r = wasi.PollOneoff(Mem(), 0, 512, 1, 1024);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(WasiTest, PollOneoffStopsWhenCancelled) {
  CancelToken token;
  call.cancel = token;
  token.Cancel();
  ClockSubscription(memory, 0, 10'000'000'000ull);
  EXPECT_EQ(wasi.PollOneoff(Mem(), 0, 512, 1, 1024).status().code(), StatusCode::kCancelled);
}

TEST_F(WasiTest, ProcExitIsRecorded) {
  EXPECT_FALSE(wasi.ProcExit(3).ok());
  EXPECT_EQ(wasi.exit_code(), 3);
}

TEST_F(WasiTest, OverlongLinesAreCutNotBuffered) {
  std::vector<uint8_t> big(Wasi::kMaxLineBytes * 2 + 10, 'x');
  memory.resize(big.size() + 100);
  std::memcpy(&memory[100], big.data(), big.size());
  Put<uint32_t>(0, 100), Put<uint32_t>(4, static_cast<uint32_t>(big.size()));
  EXPECT_EQ(*wasi.FdWrite(Mem(), 2, 0, 1, 50), kSuccess);
  EXPECT_EQ(lines.size(), 2u);
  wasi.EndCall();
  EXPECT_EQ(lines.size(), 3u) << "the partial tail is logged when the call ends";
}

}  // namespace
}  // namespace pier::internal
