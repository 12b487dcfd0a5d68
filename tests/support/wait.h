// WaitFor: polls a condition until it holds or a time limit passes, for
// tests of work that happens on other threads or processes.
//
//   ASSERT_TRUE(testing::WaitFor([&] { return done(); }, std::chrono::seconds(5)));
#pragma once

#include <chrono>
#include <thread>

namespace pier::testing {

// True as soon as `pred()` holds; false if it still does not after `limit`.
template <typename F>
bool WaitFor(F pred, std::chrono::milliseconds limit,
             std::chrono::milliseconds poll = std::chrono::milliseconds(1)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(poll);
  }
  return pred();
}

}  // namespace pier::testing
