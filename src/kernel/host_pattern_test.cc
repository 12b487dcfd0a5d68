#include "kernel/host_pattern.h"

#include <gtest/gtest.h>

namespace pier::internal {
namespace {

TEST(GlobMatch, Basics) {
  EXPECT_TRUE(GlobMatch("*.example.com", "api.example.com"));
  EXPECT_TRUE(GlobMatch("*.example.com", "a.b.example.com"));
  EXPECT_FALSE(GlobMatch("*.example.com", "example.com"));
  EXPECT_FALSE(GlobMatch("*.example.com", "evilexample.com"));
  EXPECT_TRUE(GlobMatch("api?.example.com", "api2.example.com"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("LocalHost", "localhost"));
  EXPECT_FALSE(GlobMatch("", "x"));
}

TEST(GlobMatch, PathologicalPatternIsFast) {
  const std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}

TEST(HostPatterns, EmptyAllowsNothing) {
  HostPatterns none({});
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.Allows("localhost"));
  HostPatterns some({"127.0.0.1", "*.Example.COM"});
  EXPECT_TRUE(some.Allows("127.0.0.1"));
  EXPECT_TRUE(some.Allows("x.example.com"));
  EXPECT_FALSE(some.Allows("127.0.0.2"));
}

}  // namespace
}  // namespace pier::internal
