#include "pier/status.h"

#include <gtest/gtest.h>

#include <vector>

namespace pier {
namespace {

Result<std::vector<std::string>> Names() { return std::vector<std::string>{"alpha", "beta"}; }

// Regression: value() on a temporary Result returned T&&, so a range-for over
// `Names().value()` iterated a destroyed vector (PluginHost::States()).
TEST(Result, RangeForOverATemporarysValueDoesNotDangle) {
  std::string joined;
  for (const std::string& n : Names().value()) joined += n;
  EXPECT_EQ(joined, "alphabeta");
}

TEST(Status, CodesMessagesAndContext) {
  EXPECT_TRUE(OkStatus().ok());
  Status s = NotFoundError("no such plugin");
  EXPECT_EQ(s.ToString(), "NOT_FOUND: no such plugin");
  EXPECT_EQ(s.WithContext("loading").message(), "loading: no such plugin");
  EXPECT_EQ(s.WithContext("loading").code(), StatusCode::kNotFound);
  Result<int> r = InvalidArgumentError("bad");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "bad");
}

}  // namespace
}  // namespace pier
