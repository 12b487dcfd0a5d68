#include "common/random_id.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

namespace pier {
namespace {

bool IsBase62(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

TEST(RandomId, TwentyTwoBase62Characters) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = NewRandomId();
    ASSERT_EQ(id.size(), 22u);
    ASSERT_TRUE(IsBase62(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(TimeOrderedId, SameFormSortedByTimeAndUnique) {
  const std::string a = NewTimeOrderedId(1'700'000'000'000);
  const std::string b = NewTimeOrderedId(1'700'000'000'001);
  const std::string c = NewTimeOrderedId(1'800'000'000'000);
  for (const std::string& id : {a, b, c}) {
    EXPECT_EQ(id.size(), 22u);
    EXPECT_TRUE(IsBase62(id)) << id;
  }
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(NewTimeOrderedId(61), NewTimeOrderedId(62)) << "across a base-62 digit";
  // The same millisecond: the same 9-character prefix, different random tails.
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = NewTimeOrderedId(1'700'000'000'000);
    ASSERT_EQ(id.substr(0, 9), a.substr(0, 9));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_LE(NewTimeOrderedId().substr(0, 9), NewTimeOrderedId().substr(0, 9)) << "the clock's time";
}

// A forked child does not repeat the random bytes its parent will use.
TEST(TimeOrderedId, AForkedChildDrawsItsOwnBytes) {
  (void)NewTimeOrderedId(1);  // fill this thread's buffer before forking
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string id = NewTimeOrderedId(1);
    (void)!write(fds[1], id.data(), id.size());
    _exit(0);
  }
  close(fds[1]);
  char child[22] = {};
  ASSERT_EQ(read(fds[0], child, sizeof child), 22);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_NE(std::string(child, 22), NewTimeOrderedId(1));
}

}  // namespace
}  // namespace pier
