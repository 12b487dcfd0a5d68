#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace pier {
namespace {

using namespace std::chrono_literals;

// Whether another thread finds `mu` taken (try_lock on a mutex the calling
// thread holds would be undefined).
bool HeldElsewhere(Mutex& mu) {
  bool taken = false;
  std::thread probe([&] {
    if (mu.TryLock()) {
      mu.Unlock();
    } else {
      taken = true;
    }
  });
  probe.join();
  return taken;
}

TEST(Mutex, LockCanBeDroppedAndRetaken) {
  Mutex mu;
  {
    MutexLock lock(mu);
    EXPECT_TRUE(HeldElsewhere(mu));
    lock.Unlock();
    EXPECT_FALSE(HeldElsewhere(mu));
    lock.Lock();
    EXPECT_TRUE(HeldElsewhere(mu));
  }
  EXPECT_FALSE(HeldElsewhere(mu));  // the scope released it
}

TEST(CondVar, TimedWaitsReportTimeout) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  EXPECT_FALSE(cv.WaitFor(mu, 5ms));
  EXPECT_FALSE(cv.WaitUntil(mu, std::chrono::steady_clock::now() + 5ms));
  bool never = false;
  EXPECT_FALSE(cv.WaitFor(mu, 5ms, [&] { return never; }));
  EXPECT_TRUE(HeldElsewhere(mu));  // still held after the waits
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
