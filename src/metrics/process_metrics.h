// Figures about the process itself, in the names Prometheus clients use
// (process_cpu_seconds_total, process_resident_memory_bytes, ...), read from
// /proc/self at collection time.
//
//   auto process = pier::AddProcessMetrics(*metrics);   // until `process` goes
#pragma once

#include "pier/metrics.h"

namespace pier {

[[nodiscard]] Metrics::Collector AddProcessMetrics(Metrics& metrics);

}  // namespace pier
