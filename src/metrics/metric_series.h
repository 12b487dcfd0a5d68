// MetricSeries: the storage of one series (see pier/metrics.h); updated with
// relaxed atomics from any thread, read by Metrics::Collect.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace pier::internal {

struct MetricSeries {
  std::atomic<double> value{0};  // counters and gauges; histograms: the sum
  std::atomic<uint64_t> count{0};
  // Histograms: the family's bounds, and one count per bucket (not
  // cumulative), the last for values above every bound.
  std::shared_ptr<const std::vector<double>> bounds;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets;
};

}  // namespace pier::internal
