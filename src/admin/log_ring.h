// LogRing: the last lines each plugin logged, for the dashboard's live tail.
// Bounded: at most `per_plugin` lines per plugin (the oldest goes, counted
// as dropped) and `max_line` bytes per line (longer ones are cut, marked);
// plugins are those that log, which the registry bounds.
//
//   LogRing ring;
//   options.log_sink = ring.Sink(internal::DefaultLogSink());   // records, then forwards
//   auto page = ring.Since(last_seq, "my-plugin", LogLevel::kWarn, 200);
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "pier/log_level.h"
#include "pier/metrics.h"

namespace pier {

class LogRing {
 public:
  struct Line {
    uint64_t seq = 0;  // grows by one per line, across plugins
    int64_t at_ms = 0;
    LogLevel level = LogLevel::kInfo;
    std::string plugin;
    std::string message;
  };
  struct Page {
    std::vector<Line> lines;  // oldest first
    uint64_t last_seq = 0;    // the newest line's seq (pass it back to continue)
    uint64_t dropped = 0;     // lines pushed out of the plugins asked for, since the start
  };

  explicit LogRing(size_t per_plugin = 1000, size_t max_line = 4096, Metrics* metrics = nullptr);

  void Add(LogLevel level, std::string_view plugin, std::string_view message) PIER_EXCLUDES(mu_);
  // A sink that records each line, then hands it to `next` (when set).
  LogSink Sink(LogSink next);
  // Lines after `after`, of `plugin` ("" = every plugin), at `min_level` or
  // more severe, at most `limit` (the newest ones when there are more).
  Page Since(uint64_t after, std::string_view plugin, LogLevel min_level, size_t limit) const PIER_EXCLUDES(mu_);

 private:
  struct PerPlugin {
    std::deque<Line> lines;
    uint64_t dropped = 0;
    Counter dropped_metric;
  };
  const size_t per_plugin_, max_line_;
  Metrics* const metrics_;
  mutable Mutex mu_;
  uint64_t next_seq_ PIER_GUARDED_BY(mu_) = 1;
  std::map<std::string, PerPlugin, std::less<>> plugins_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier
