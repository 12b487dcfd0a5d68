// CallMetrics: what a plugin's calls add to the runtime's Metrics —
// pier_plugin_calls_total{plugin,export,outcome} and
// pier_plugin_call_duration_seconds{plugin,export}. A series is made the
// first time its export is called (or ends that way), so exports never
// called cost no series; later calls pay a few atomic operations.
//
// Thread-safe after construction.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pier/call_result.h"
#include "pier/metrics.h"
#include "pier/status.h"

namespace pier::internal {

class CallMetrics {
 public:
  // `metrics` outlives this.
  CallMetrics(Metrics& metrics, std::string plugin, const std::vector<std::string>& exports);

  // How a call of `name` (one of the exports given) ended, and how long it took.
  void Record(std::string_view name, const Result<CallResult>& result, double seconds) const;

  // "output", "plugin_error", a trap kind ("timeout", "crash", ...) or "host_error".
  static std::string_view OutcomeOf(const Result<CallResult>& result);

 private:
  static constexpr size_t kOutcomes = 9;
  struct PerExport {
    std::array<std::once_flag, kOutcomes> made;
    std::array<Counter, kOutcomes> calls;
    std::once_flag duration_made;
    Histogram duration;
  };
  Metrics& metrics_;
  const std::string plugin_;
  // Keys fixed at construction; the entries are made once each (once_flag).
  mutable std::map<std::string, PerExport, std::less<>> exports_;
};

}  // namespace pier::internal
