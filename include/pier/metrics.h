// Metrics: counters, gauges and histograms that Pier keeps about its plugins,
// host services, task queues, schedules and admin API, readable by the
// application (Collect) and as Prometheus text (`pier serve`'s /metrics).
//
//   auto metrics = std::make_shared<pier::Metrics>();
//   auto runtime = pier::Runtime::Create({.metrics = metrics}).value();
//   ... calls ...
//   for (const pier::MetricFamily& f : metrics->Collect()) { ... }
//   std::string text = metrics->PrometheusText();
//
// A series is one family name and one set of label values. Series are made
// on first use and live as long as the registry; at most `max_series` exist,
// and a use that would make one more is dropped and counted in
// pier_metrics_series_dropped_total. Labels only ever carry bounded sets
// (plugin IDs, export, queue and service names, outcomes), never task IDs,
// keys or error text.
//
// Handles (Counter, Gauge, Histogram) are cheap to copy and to use from any
// thread (one atomic operation per update); they stay valid while the
// registry lives. A default-constructed or dropped handle does nothing.
//
// Collectors report figures read from elsewhere at collection time (queue
// depths from a store, cache sizes); a Collector handle removes its
// function when destroyed or reset, after a collection running it has
// finished.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pier {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

struct MetricSample {
  MetricLabels labels;
  double value = 0;  // counters and gauges
  // Histograms: cumulative counts, one per bound of the family and the last for +Inf.
  std::vector<uint64_t> buckets;
  double sum = 0;
  uint64_t count = 0;
};

struct MetricFamily {
  std::string name;  // counters end in _total
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<double> bounds;  // histograms: the buckets' upper bounds, ascending
  std::vector<MetricSample> samples;
};

namespace internal {
struct MetricSeries;
}

class Counter {
 public:
  Counter() = default;
  void Add(double v = 1) const;
  double value() const;

 private:
  friend class Metrics;
  explicit Counter(internal::MetricSeries* s) : s_(s) {}
  internal::MetricSeries* s_ = nullptr;
};

class Gauge {
 public:
  Gauge() = default;
  void Set(double v) const;
  void Add(double v) const;
  double value() const;

 private:
  friend class Metrics;
  explicit Gauge(internal::MetricSeries* s) : s_(s) {}
  internal::MetricSeries* s_ = nullptr;
};

class Histogram {
 public:
  Histogram() = default;
  void Observe(double v) const;
  uint64_t count() const;

 private:
  friend class Metrics;
  explicit Histogram(internal::MetricSeries* s) : s_(s) {}
  internal::MetricSeries* s_ = nullptr;
};

// What a collector writes into at collection time.
class MetricWriter {
 public:
  virtual ~MetricWriter() = default;
  virtual void Gauge(std::string_view name, std::string_view help, const MetricLabels& labels, double value) = 0;
  virtual void Counter(std::string_view name, std::string_view help, const MetricLabels& labels, double value) = 0;
};

// Bucket bounds for durations in seconds: 100 µs to 60 s.
const std::vector<double>& LatencyBuckets();

class Metrics {
 public:
  static constexpr size_t kDefaultMaxSeries = 20000;
  explicit Metrics(size_t max_series = kDefaultMaxSeries);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The series `name{labels}`, made on first use. A name used with another
  // type, or a histogram with other bounds, gets a dropped handle (and a log line).
  Counter GetCounter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Histogram GetHistogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                         const MetricLabels& labels = {});

  class Collector {
   public:
    Collector() = default;
    Collector(Collector&& other) noexcept : owner_(std::move(other.owner_)), id_(other.id_) { other.id_ = 0; }
    Collector& operator=(Collector&& other) noexcept;
    ~Collector() { Reset(); }
    void Reset();

   private:
    friend class Metrics;
    struct Owner;
    Collector(std::shared_ptr<Owner> owner, uint64_t id) : owner_(std::move(owner)), id_(id) {}
    std::shared_ptr<Owner> owner_;
    uint64_t id_ = 0;
  };
  // `collect` runs on the collecting thread (never twice at once); it must
  // not call Collect, and the collector must not be reset while holding a
  // lock `collect` takes. Collected series count against the cap as well.
  [[nodiscard]] Collector AddCollector(std::function<void(MetricWriter&)> collect);

  // Every family, sorted by name, its series sorted by labels. Families
  // without a series are left out.
  std::vector<MetricFamily> Collect() const { return Collect(true); }
  // Without running the collectors: only the series kept in the registry (cheap, for samplers).
  std::vector<MetricFamily> Collect(bool with_collectors) const;
  // Collect() in the Prometheus text exposition format (version 0.0.4).
  std::string PrometheusText() const;
  uint64_t dropped_series() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Family;
  internal::MetricSeries* Series(MetricType type, std::string_view name, std::string_view help,
                                 const std::vector<double>* bounds, const MetricLabels& labels);

  const size_t max_series_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // guarded by mu_
  size_t series_ = 0;                                                    // guarded by mu_
  mutable std::atomic<uint64_t> dropped_{0};
  std::shared_ptr<Collector::Owner> collectors_;
};

// Prometheus text helpers (exposed for tests and other writers).
// A label value with backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view v);
// A sample value: integers without a fraction, +Inf, -Inf, NaN.
std::string FormatMetricValue(double v);

}  // namespace pier
