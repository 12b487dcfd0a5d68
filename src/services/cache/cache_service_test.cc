// The Cache service's contract (spec §6.2) and Pier's byte cap, under a fake clock.
#include "services/cache/cache_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include "support/test_call_context.h"

namespace pier::cache {
namespace {

using NoContext = pier::testing::TestCallContext;

class CacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<CacheService> Make(int64_t max_bytes = kDefaultMaxBytes) {
    return std::make_unique<CacheService>(CacheOptions{.max_bytes = max_bytes, .now_ms = [this] { return now_.load(); }});
  }
  std::atomic<int64_t> now_ = 1'000'000;
  NoContext ctx_;
};

TEST_F(CacheTest, TypedValuesAndMismatchesAreNotFound) {
  auto c = Make();
  ASSERT_TRUE(c->SetString(ctx_, {"s", "text", 0}).ok());
  ASSERT_TRUE(c->SetInt(ctx_, {"i", -42, 0}).ok());
  ASSERT_TRUE(c->SetFloat(ctx_, {"f", 1.5, 0}).ok());
  ASSERT_TRUE(c->SetBytes(ctx_, {"b", std::string("\0\1\2", 3), 0}).ok());
  EXPECT_EQ(c->GetString(ctx_, {"s"}).value(), (wire::CacheGetStringResponse{"text", true}));
  EXPECT_EQ(c->GetInt(ctx_, {"i"}).value(), (wire::CacheGetIntResponse{-42, true}));
  EXPECT_EQ(c->GetFloat(ctx_, {"f"}).value(), (wire::CacheGetFloatResponse{1.5, true}));
  EXPECT_EQ(c->GetBytes(ctx_, {"b"}).value().value, std::string("\0\1\2", 3));
  EXPECT_FALSE(c->GetInt(ctx_, {"s"}).value().exists) << "a getter of another type: does not exist";
  EXPECT_FALSE(c->GetBytes(ctx_, {"s"}).value().exists) << "strings and bytes are distinct";
  EXPECT_FALSE(c->GetString(ctx_, {"b"}).value().exists);
  EXPECT_TRUE(c->Remove(ctx_, {"nope"}).ok()) << "removing a missing key is fine";
  ASSERT_TRUE(c->Remove(ctx_, {"s"}).ok());
  EXPECT_FALSE(c->Has(ctx_, {"s"}).value().exists);
}

TEST_F(CacheTest, DefaultTtlIs24HoursAndExpiryIsImmediate) {
  auto c = Make();
  ASSERT_TRUE(c->SetString(ctx_, {"zero", "v", 0}).ok());
  ASSERT_TRUE(c->SetString(ctx_, {"negative", "v", -3}).ok());
  ASSERT_TRUE(c->SetString(ctx_, {"short", "v", 10}).ok());
  now_ += 10'000;
  EXPECT_FALSE(c->GetString(ctx_, {"short"}).value().exists);
  now_ += 24 * 3600 * 1000 - 10'001;
  EXPECT_TRUE(c->Has(ctx_, {"negative"}).value().exists) << "just under 24 h... and has slides it";
  now_ += 2;
  EXPECT_FALSE(c->Has(ctx_, {"zero"}).value().exists);
}

TEST_F(CacheTest, GetAndHasSlideTheExpiry) {
  auto c = Make();
  ASSERT_TRUE(c->SetInt(ctx_, {"k", 1, 10}).ok());
  for (int i = 0; i < 5; ++i) {
    now_ += 8000;
    EXPECT_TRUE(i % 2 ? c->Has(ctx_, {"k"}).value().exists : c->GetInt(ctx_, {"k"}).value().exists) << i;
  }
  now_ += 10'001;
  EXPECT_FALSE(c->GetInt(ctx_, {"k"}).value().exists);
  // A mismatched getter is not a hit: it does not slide.
  ASSERT_TRUE(c->SetInt(ctx_, {"m", 1, 10}).ok());
  now_ += 8000;
  EXPECT_FALSE(c->GetString(ctx_, {"m"}).value().exists);
  now_ += 3000;
  EXPECT_FALSE(c->GetInt(ctx_, {"m"}).value().exists);
}

TEST_F(CacheTest, ABytesCapEvictsTheLeastRecentlyUsed) {
  const int64_t entry = kEntryOverheadBytes + 2 + 1000;  // key "kN" + 1000 bytes
  auto c = Make(entry * 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c->SetBytes(ctx_, {"k" + std::to_string(i), std::string(1000, 'x'), 0}).ok());
  EXPECT_TRUE(c->GetBytes(ctx_, {"k0"}).value().exists);  // k0 is now the most recent
  ASSERT_TRUE(c->SetBytes(ctx_, {"k3", std::string(1000, 'x'), 0}).ok());
  EXPECT_FALSE(c->Has(ctx_, {"k1"}).value().exists) << "the least recently used went";
  EXPECT_TRUE(c->Has(ctx_, {"k0"}).value().exists);
  EXPECT_LE(c->stats().bytes, entry * 3);
  EXPECT_EQ(c->stats().evictions, 1);
  // An entry larger than the cap is not kept; what was there stays.
  ASSERT_TRUE(c->SetBytes(ctx_, {"huge", std::string(entry * 4, 'x'), 0}).ok());
  EXPECT_FALSE(c->Has(ctx_, {"huge"}).value().exists);
  EXPECT_TRUE(c->Has(ctx_, {"k3"}).value().exists);
}

TEST_F(CacheTest, AFloodStaysWithinTheCap) {
  auto c = Make(1 << 20);
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 5000; ++i) {
        (void)c->SetString(ctx_, {std::to_string(w) + ":" + std::to_string(i), std::string(500, 'x'), 0});
        EXPECT_LE(c->stats().bytes, 1 << 20);
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_LE(c->stats().bytes, 1 << 20);
  EXPECT_GT(c->stats().evictions, 15000);
}

TEST_F(CacheTest, TheJanitorDropsExpiredEntriesAndStopDropsAll) {
  auto c = std::make_unique<CacheService>(CacheOptions{.now_ms = [this] { return now_.load(); },
                                                       .janitor_interval = std::chrono::milliseconds(10)});
  c->Start();
  ASSERT_TRUE(c->SetString(ctx_, {"a", "v", 1}).ok());
  ASSERT_TRUE(c->SetString(ctx_, {"b", "v", 0}).ok());
  now_ += 2000;
  bool dropped = false;
  for (int i = 0; i < 300 && !dropped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    dropped = c->stats().entries == 1;
  }
  EXPECT_TRUE(dropped);
  c->Stop();
  EXPECT_EQ(c->stats().entries, 0);
  EXPECT_FALSE(c->Has(ctx_, {"b"}).value().exists);
  ASSERT_TRUE(c->SetString(ctx_, {"c", "v", 0}).ok()) << "after Stop, sets are dropped quietly";
  EXPECT_EQ(c->stats().entries, 0);
}

}  // namespace
}  // namespace pier::cache
