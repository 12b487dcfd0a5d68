#include "common/thread.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

namespace pier {
namespace {

std::string NameOfThisThread() {
  char buf[32] = {};
  pthread_getname_np(pthread_self(), buf, sizeof buf);
  return buf;
}

TEST(StartThreadTest, RunsTheBodyUnderItsName) {
  std::string seen;
  StartThread("pier-test", [&] { seen = NameOfThisThread(); }).join();
  EXPECT_EQ(seen, "pier-test");
}

TEST(StartThreadTest, ALongNameIsCutToWhatLinuxKeeps) {
  std::string seen;
  StartThread("pier-a-very-long-thread-name", [&] { seen = NameOfThisThread(); }).join();
  EXPECT_EQ(seen, "pier-a-very-lon");
}

TEST(StartThreadTest, MovesItsBody) {
  auto owned = std::make_unique<int>(7);
  int got = 0;
  StartThread("pier-test", [p = std::move(owned), &got] { got = *p; }).join();
  EXPECT_EQ(got, 7);
}

// Linux 6.12 and later take a custom slice for SCHED_OTHER; the thread keeps
// its policy and nice value.
TEST(StartThreadTest, AShortSliceKeepsPolicyAndNice) {
  int before_nice = 0, after_nice = 0, policy = -1;
  bool granted = false;
  StartThread("pier-test", [&] {
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 3);
    before_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    granted = RequestShortTimeSlices();
    after_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    policy = sched_getscheduler(0);
  }).join();
  EXPECT_EQ(before_nice, 3);
  EXPECT_EQ(after_nice, 3);
  EXPECT_EQ(policy, SCHED_OTHER);
  struct utsname u;
  ASSERT_EQ(uname(&u), 0);
  int major = 0, minor = 0;
  std::sscanf(u.release, "%d.%d", &major, &minor);
  if (major > 6 || (major == 6 && minor >= 12)) EXPECT_TRUE(granted) << u.release;
}

}  // namespace
}  // namespace pier
