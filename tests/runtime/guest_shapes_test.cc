// Module shapes other kits produce, and the WASI corners they reach:
// Wizer-style pre-initialised modules, sockets, poll_oneoff.
#include <gtest/gtest.h>

#include "support/runtime_suite.h"

namespace pier {
namespace {

using testing::OutputOf;
using testing::PluginPath;

class GuestShapesTest : public testing::RuntimeSuite {};

// Wizer leaves the state in a large initial memory with no maximum and no
// _initialize; the memory cap still holds, clearly, when it is too small.
TEST_F(GuestShapesTest, PreinitialisedModulesRunAndTheirMemoryCountsAgainstTheCap) {
  auto p = Load("c_preinit");
  ASSERT_TRUE(p);
  EXPECT_EQ(OutputOf(*p, "touch"), "preinitialised");
  PluginOptions small;
  small.max_memory_bytes = 32 << 20;  // below the module's 40 MiB of initial memory
  auto s = Load("c_preinit", small);
  ASSERT_TRUE(s);
  auto r = s->Call("touch", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("memory cap 33554432 bytes"), std::string::npos) << r.status().message();
}

TEST_F(GuestShapesTest, SocketsAnswerNotSupported) {
  auto p = Load("c_wasi_probe");
  ASSERT_TRUE(p);
  EXPECT_EQ(OutputOf(*p, "sockets"), "recv=ENOTSUP send=ENOTSUP shutdown=ENOTSUP");
}

TEST_F(GuestShapesTest, PollOneoffWaitsOnClocksAndReportsFds) {
  auto p = Load("c_wasi_probe");
  ASSERT_TRUE(p);
  EXPECT_EQ(OutputOf(*p, "poll_clock"), "rc=0 slept=yes");
  EXPECT_EQ(OutputOf(*p, "poll_fd"), "rc=1 out=ready waited=no");
}

}  // namespace
}  // namespace pier
