#include "runtime/call_metrics.h"

namespace pier::internal {

namespace {

// Index 0..5: the trap kinds in TrapKind order; then the other outcomes.
constexpr std::array<std::string_view, 9> kOutcomeNames = {
    "timeout", "cancelled", "out_of_memory", "out_of_fuel", "stack_overflow", "crash",
    "output",  "plugin_error", "host_error"};

size_t OutcomeIndex(const Result<CallResult>& result) {
  if (!result.ok()) return 8;
  if (result->is_output()) return 6;
  if (result->is_plugin_error()) return 7;
  return static_cast<size_t>(result->trap().kind);
}

static_assert(static_cast<size_t>(TrapKind::kCrash) == 5, "kOutcomeNames lists the trap kinds in order");

}  // namespace

CallMetrics::CallMetrics(Metrics& metrics, std::string plugin, const std::vector<std::string>& exports)
    : metrics_(metrics), plugin_(std::move(plugin)) {
  for (const std::string& name : exports) exports_.try_emplace(name);
}

std::string_view CallMetrics::OutcomeOf(const Result<CallResult>& result) { return kOutcomeNames[OutcomeIndex(result)]; }

void CallMetrics::Record(std::string_view name, const Result<CallResult>& result, double seconds) const {
  auto it = exports_.find(name);
  if (it == exports_.end()) return;
  PerExport& e = it->second;
  const size_t i = OutcomeIndex(result);
  std::call_once(e.made[i], [&] {
    e.calls[i] = metrics_.GetCounter("pier_plugin_calls_total", "Calls of a plugin's exports, by how they ended.",
                                     {{"plugin", plugin_}, {"export", it->first}, {"outcome", std::string(kOutcomeNames[i])}});
  });
  e.calls[i].Add();
  std::call_once(e.duration_made, [&] {
    e.duration = metrics_.GetHistogram("pier_plugin_call_duration_seconds",
                                       "Time a call of a plugin's export took, instance start included, in seconds.",
                                       LatencyBuckets(), {{"plugin", plugin_}, {"export", it->first}});
  });
  e.duration.Observe(seconds);
}

}  // namespace pier::internal
