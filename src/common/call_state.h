// CallState: what host code needs to know about the plugin call in flight:
// its deadline and cancellation token. Shared by the kernel, WASI and the
// runtime; contains nothing engine-specific.
//
//   CallState call(deadline, token);
//   PIER_RETURN_IF_ERROR(call.CheckInterrupted());  // DeadlineExceeded / Cancelled
//
// Written by the calling thread before the call; read (deadline, token) from
// the same thread and from the epoch ticker. Thread-compatible otherwise.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pier/cancel.h"
#include "pier/status.h"

namespace pier::internal {

using Clock = std::chrono::steady_clock;

struct CallState {
  Clock::time_point deadline = Clock::time_point::max();
  std::chrono::milliseconds timeout{0};  // for messages; 0 when there is none
  std::optional<CancelToken> cancel;
  void* host_context = nullptr;  // CallOptions::host_context

  bool cancelled() const { return cancel && cancel->cancelled(); }
  bool expired() const { return deadline != Clock::time_point::max() && Clock::now() >= deadline; }
  bool interrupted() const { return cancelled() || expired(); }

  // Cancelled / DeadlineExceeded with a message a person understands; OK otherwise.
  Status CheckInterrupted() const {
    if (cancelled()) return CancelledError("call cancelled");
    if (expired()) {
      return DeadlineExceededError("call exceeded its timeout of " + std::to_string(timeout.count()) + " ms");
    }
    return OkStatus();
  }

  // Time left before the deadline (max() when there is none), never negative.
  Clock::duration remaining() const {
    if (deadline == Clock::time_point::max()) return Clock::duration::max();
    auto left = deadline - Clock::now();
    return left.count() > 0 ? left : Clock::duration::zero();
  }
};

}  // namespace pier::internal
