#include "kernel/arena.h"

#include <gtest/gtest.h>

#include <vector>

#include <cstring>

namespace pier::internal {
namespace {

TEST(KernelArena, AllocZeroIsNullHandle) {
  KernelArena arena(1024);
  EXPECT_EQ(*arena.Alloc(0), 0u);
  EXPECT_EQ(arena.Length(0), 0u);
  EXPECT_EQ(arena.Bytes(0, 1), nullptr);
}

TEST(KernelArena, HandlesStartAboveBaseAndLengthsAreExact) {
  KernelArena arena(1024);
  uint64_t a = *arena.Alloc(5), b = *arena.Alloc(17);
  EXPECT_GE(a, KernelArena::kBase);
  EXPECT_EQ(arena.Length(a), 5u);
  EXPECT_EQ(arena.Length(b), 17u);
  EXPECT_EQ(arena.Length(a + 1), 0u) << "interior address is not a block start";
  EXPECT_EQ(arena.Length(b + 17), 0u);
}

TEST(KernelArena, AccessMustStayInsideOneLiveBlock) {
  KernelArena arena(1024);
  uint64_t a = *arena.Alloc(16);
  uint64_t b = *arena.Alloc(16);
  EXPECT_NE(arena.Bytes(a, 16), nullptr);
  EXPECT_NE(arena.Bytes(a + 8, 8), nullptr);
  EXPECT_EQ(arena.Bytes(a + 9, 8), nullptr) << "would cross into the next block";
  EXPECT_EQ(arena.Bytes(b + 16, 1), nullptr);
  EXPECT_EQ(arena.Bytes(~0ull - 3, 8), nullptr) << "overflowing range";
  EXPECT_EQ(arena.Bytes(1, 1), nullptr) << "below the first block";
}

TEST(KernelArena, StaleHandleAfterFreeIsRejectedAndDoubleFreeIgnored) {
  KernelArena arena(1024);
  uint64_t a = *arena.Alloc(8);
  arena.Free(a);
  EXPECT_EQ(arena.Bytes(a, 8), nullptr);
  EXPECT_EQ(arena.Length(a), 0u);
  arena.Free(a);
  arena.Free(a + 3);
  arena.Free(987654321);
  EXPECT_EQ(arena.live_blocks(), 0u);
}

TEST(KernelArena, FreedBlockIsReusedAndZeroed) {
  KernelArena arena(1024);
  uint64_t a = *arena.Alloc(32);
  std::memset(arena.Bytes(a, 32), 0xAB, 32);
  arena.Free(a);
  uint64_t b = *arena.Alloc(30);
  EXPECT_EQ(a, b);
  EXPECT_EQ(arena.Length(b), 30u);
  EXPECT_EQ(arena.Bytes(b, 30)[0], 0);
}

TEST(KernelArena, LimitIsEnforced) {
  KernelArena arena(100);
  EXPECT_TRUE(arena.Alloc(60).ok());
  auto r = arena.Alloc(60);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("limit of 100 bytes"), std::string::npos);
  EXPECT_FALSE(arena.Alloc(~0ull).ok()) << "huge sizes must not overflow the check";
}

TEST(KernelArena, ResetDropsEverything) {
  KernelArena arena(1 << 22);
  uint64_t a = *arena.Alloc(3 << 20);
  arena.Reset();
  EXPECT_EQ(arena.Length(a), 0u);
  EXPECT_EQ(arena.bytes_in_use(), 0u);
  EXPECT_TRUE(arena.Alloc(3 << 20).ok()) << "the limit counts live bytes after a reset";
}

TEST(KernelArena, BlockReturnsUsedBytes) {
  KernelArena arena(1024);
  uint64_t h = *arena.AllocBytes("hello");
  EXPECT_EQ(arena.Block(h), "hello");
  EXPECT_EQ(arena.Block(h + 1), "");
}

}  // namespace
}  // namespace pier::internal

namespace pier::internal {
namespace {

// go-pdk frees the request block itself after http_request returns; the host
// released it too. The response must not land in that block.
TEST(KernelArena, ReleasedBlockIsNotReusedUntilQuarantineExpires) {
  KernelArena arena(1 << 20);
  uint64_t request = *arena.AllocBytes("request-json");
  arena.Release(request);
  EXPECT_EQ(arena.Block(request), "request-json") << "still readable after the host released it";
  uint64_t response = *arena.Alloc(10);
  EXPECT_NE(response, request);
  arena.Free(request);  // the guest's own late free
  EXPECT_EQ(arena.Length(response), 10u) << "the response survives";
}

TEST(KernelArena, QuarantineIsBounded) {
  KernelArena arena(1 << 20);
  uint64_t first = *arena.Alloc(8);
  arena.Release(first);
  for (size_t i = 0; i < KernelArena::kQuarantine; ++i) arena.Release(*arena.Alloc(8));
  EXPECT_EQ(arena.Length(first), 0u) << "the oldest released block was freed";
  EXPECT_EQ(*arena.Alloc(8), first) << "and is reused";
}

TEST(KernelArena, GuestFreeThenReuseIsNotUndoneByAnOldQuarantineEntry) {
  KernelArena arena(1 << 20);
  uint64_t a = *arena.Alloc(8);
  arena.Release(a);
  arena.Free(a);
  uint64_t b = *arena.Alloc(8);
  ASSERT_EQ(a, b);
  for (size_t i = 0; i < KernelArena::kQuarantine; ++i) arena.Release(*arena.Alloc(16));
  EXPECT_EQ(arena.Length(b), 8u) << "the stale quarantine entry must not free the new owner's block";
}

// A shared cap: the arena grows only while it and the other side fit, and
// reports each change of its size (the runtime bounds linear memory with it).
TEST(KernelArena, SharedCapCountsTheOtherSideAndReportsEveryResize) {
  struct Other : MemoryShare {
    uint64_t held = 0;
    std::vector<uint64_t> sizes;
    uint64_t cap() const override { return 1000; }
    uint64_t others() const override { return held; }
    void ArenaResized(uint64_t arena_bytes) override { sizes.push_back(arena_bytes); }
  } other;
  KernelArena arena(1 << 20);
  arena.Share(&other);
  other.held = 600;
  ASSERT_TRUE(arena.Alloc(300).ok());
  auto refused = arena.Alloc(200);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("memory cap of 1000 bytes"), std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(arena.Alloc(100).ok()) << "exactly up to the cap";
  other.held = 2000;  // the other side already over the cap
  EXPECT_FALSE(arena.Alloc(1).ok());
  arena.Reset();
  EXPECT_EQ(other.sizes, (std::vector<uint64_t>{0, 300, 400, 0}));
  arena.Share(nullptr);
  EXPECT_TRUE(arena.Alloc(5000).ok()) << "detached: only its own limit";
}

}  // namespace
}  // namespace pier::internal
