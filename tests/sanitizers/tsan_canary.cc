// ThreadSanitizer canary: proves that a TSan run still reports a race in
// Pier's own code after everything tests/sanitizers/tsan.supp suppresses has
// happened. It compiles a module (on this thread, as TSan builds do), makes a
// plugin trap on two threads at once (Wasmtime's signal handler: suppressed),
// and only then races two threads on a plain int (must be reported, naming
// RacyCounterBump). ctest passes it only when that report appears and no
// signal-handler report does.
#include <cstdio>
#include <thread>

#include "pier/runtime.h"
#include "support/test_plugins.h"

namespace {

int racy_counter = 0;

[[gnu::noinline]] void RacyCounterBump() { racy_counter = racy_counter + 1; }

}  // namespace

int main() {
  auto runtime = pier::Runtime::Create();
  if (!runtime.ok()) return 2;
  pier::PluginOptions options;
  options.log_sink = [](pier::LogLevel, std::string_view, std::string_view) {};
  auto plugin = (*runtime)->LoadFile(pier::testing::PluginPath("c_hostile"), std::move(options));
  if (!plugin.ok()) {
    std::fprintf(stderr, "canary: %s\n", plugin.status().ToString().c_str());
    return 2;
  }
  int traps = 0;
  auto trap_twice = [&](int* count) {
    for (const char* fn : {"unreachable", "wild_write"}) {
      auto r = (*plugin)->Call(fn, "");
      if (r.ok() && r->is_trap()) ++*count;
    }
  };
  int a = 0, b = 0;
  std::thread t1(trap_twice, &a), t2(trap_twice, &b);
  t1.join();
  t2.join();
  traps = a + b;
  std::fprintf(stderr, "canary: %d traps\n", traps);
  if (traps != 4) return 2;

  std::thread r1(RacyCounterBump), r2(RacyCounterBump);
  r1.join();
  r2.join();
  std::fprintf(stderr, "canary: done (%d)\n", racy_counter);
  return 0;
}
