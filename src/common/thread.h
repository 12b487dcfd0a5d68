// StartThread: how host code starts a thread of its own.
//
//   loop_ = StartThread("pier-tq-loop", [this] { Loop(); });
//
// Two things every Pier thread needs happen here, once:
// - the thread gets a name (seen in `top -H`, gdb, perf and core files),
//   truncated to the 15 bytes Linux keeps;
// - spdlog's registry is created on the starting thread before the new one
//   runs. spdlog creates it lazily behind a function-local static inside its
//   shared library; the first log line from two new threads at once is safe
//   there, but the guard's fast path is invisible to ThreadSanitizer (the
//   library is not instrumented), which then reports the logger's level as a
//   race. Touching it here orders its creation before the thread by
//   std::thread's own happens-before edge.
//
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace pier {

// Asks the scheduler to let this thread run soon after it wakes, in short
// turns: threads that wake to hand work on (a dispatcher's loop and its
// workers) then start it within a fraction of a millisecond even when other
// threads keep every core busy. On Linux 6.12 and later this is a short
// EEVDF slice (sched_setattr with a 100 us runtime, no privilege needed);
// elsewhere it does nothing. False when the kernel refused.
bool RequestShortTimeSlices();

namespace internal {
void PrepareThreadStart();
void NameThisThread(std::string_view name);
}  // namespace internal

template <typename F>
std::thread StartThread(std::string_view name, F&& body) {
  internal::PrepareThreadStart();
  return std::thread([n = std::string(name), body = std::forward<F>(body)]() mutable {
    internal::NameThisThread(n);
    body();
  });
}

}  // namespace pier
