#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace pier {
namespace {

using namespace std::chrono_literals;

TEST(Mutex, LockCanBeDroppedAndRetaken) {
  Mutex mu;
  {
    MutexLock lock(mu);
    EXPECT_FALSE(mu.TryLock());
    lock.Unlock();
    ASSERT_TRUE(mu.TryLock());
    mu.Unlock();
    lock.Lock();
    EXPECT_FALSE(mu.TryLock());
  }
  ASSERT_TRUE(mu.TryLock());  // the scope released it
  mu.Unlock();
}

TEST(CondVar, TimedWaitsReportTimeout) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  EXPECT_FALSE(cv.WaitFor(mu, 5ms));
  EXPECT_FALSE(cv.WaitUntil(mu, std::chrono::steady_clock::now() + 5ms));
  bool never = false;
  EXPECT_FALSE(cv.WaitFor(mu, 5ms, [&] { return never; }));
  EXPECT_FALSE(mu.TryLock());  // still held after the waits
}

TEST(CondVar, PredicateWaitSeesTheChangeMadeUnderTheLock) {
  Mutex mu;
  CondVar cv;
  int value = 0;
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      MutexLock lock(mu);
      ++value;
      cv.NotifyAll();
    }
  });
  {
    MutexLock lock(mu);
    EXPECT_TRUE(cv.WaitFor(mu, 10s, [&] { return value == 100; }));
    EXPECT_EQ(value, 100);
  }
  writer.join();
}

}  // namespace
}  // namespace pier
