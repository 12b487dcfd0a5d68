#include "common/thread.h"

#include <gtest/gtest.h>
#include <pthread.h>

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

}  // namespace
}  // namespace pier
