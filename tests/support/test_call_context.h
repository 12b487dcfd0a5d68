// A HostCallContext for calling a service directly in a test, as a plugin's
// host call would: a plugin name, a deadline `budget` from construction
// (an hour unless given) and interrupted() once that deadline has passed.
//
//   pier::testing::TestCallContext ctx;            // "p", one hour
//   pier::testing::TestCallContext short_ctx(200ms);
//
// Thread-safe: every member is const after construction.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "pier/host_function.h"

namespace pier::testing {

class TestCallContext final : public HostCallContext {
 public:
  explicit TestCallContext(std::chrono::milliseconds budget = std::chrono::hours(1), std::string plugin = "p")
      : plugin_(std::move(plugin)), deadline_(std::chrono::steady_clock::now() + budget) {}
  std::string_view plugin_name() const override { return plugin_; }
  std::chrono::steady_clock::time_point deadline() const override { return deadline_; }
  bool interrupted() const override { return std::chrono::steady_clock::now() >= deadline_; }

 private:
  const std::string plugin_;
  const std::chrono::steady_clock::time_point deadline_;
};

}  // namespace pier::testing
