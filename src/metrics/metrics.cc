#include "pier/metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "metrics/metric_series.h"

namespace pier {

using internal::MetricSeries;

void Counter::Add(double v) const {
  if (s_ != nullptr && v > 0) s_->value.fetch_add(v, std::memory_order_relaxed);
}
double Counter::value() const { return s_ == nullptr ? 0 : s_->value.load(std::memory_order_relaxed); }

void Gauge::Set(double v) const {
  if (s_ != nullptr) s_->value.store(v, std::memory_order_relaxed);
}
void Gauge::Add(double v) const {
  if (s_ != nullptr) s_->value.fetch_add(v, std::memory_order_relaxed);
}
double Gauge::value() const { return s_ == nullptr ? 0 : s_->value.load(std::memory_order_relaxed); }

void Histogram::Observe(double v) const {
  if (s_ == nullptr || std::isnan(v)) return;
  const std::vector<double>& bounds = *s_->bounds;
  const size_t i = std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin();  // le: v <= bound
  s_->buckets[i].fetch_add(1, std::memory_order_relaxed);
  s_->value.fetch_add(v, std::memory_order_relaxed);  // the sum
  s_->count.fetch_add(1, std::memory_order_relaxed);
}
uint64_t Histogram::count() const { return s_ == nullptr ? 0 : s_->count.load(std::memory_order_relaxed); }

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10,
                                              30,     60};
  return kBounds;
}

struct Metrics::Family {
  MetricType type;
  std::string help;
  std::shared_ptr<const std::vector<double>> bounds;
  std::map<MetricLabels, std::unique_ptr<MetricSeries>> series;
};

// A collector's function runs under its own mutex, never under the list's:
// a collection may then wait for locks the function takes (a plugin host's)
// while another thread holding them adds or removes other collectors.
struct CollectorEntry {
  std::mutex run_mu;
  bool alive = true;  // guarded by run_mu
  std::function<void(MetricWriter&)> collect;
};

struct Metrics::Collector::Owner {
  std::mutex mu;  // guards the list only
  uint64_t next = 1;
  std::map<uint64_t, std::shared_ptr<CollectorEntry>> entries;
};

Metrics::Collector& Metrics::Collector::operator=(Collector&& other) noexcept {
  if (this != &other) {
    Reset();
    owner_ = std::move(other.owner_);
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

void Metrics::Collector::Reset() {
  if (owner_ == nullptr) return;
  std::shared_ptr<CollectorEntry> entry;
  {
    std::lock_guard lock(owner_->mu);
    if (auto it = owner_->entries.find(id_); it != owner_->entries.end()) {
      entry = std::move(it->second);
      owner_->entries.erase(it);
    }
  }
  if (entry != nullptr) {
    std::lock_guard run(entry->run_mu);  // waits for a collection running it
    entry->alive = false;
  }
  owner_.reset();
  id_ = 0;
}

Metrics::Metrics(size_t max_series) : max_series_(max_series), collectors_(std::make_shared<Collector::Owner>()) {}
Metrics::~Metrics() = default;

MetricSeries* Metrics::Series(MetricType type, std::string_view name, std::string_view help,
                              const std::vector<double>* bounds, const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->type = type;
    f->help = std::string(help);
    if (bounds != nullptr) f->bounds = std::make_shared<const std::vector<double>>(*bounds);
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  Family& f = *it->second;
  if (f.type != type || (bounds != nullptr && (f.bounds == nullptr || *f.bounds != *bounds))) {
    spdlog::warn("metrics: {} is already registered with another type or other buckets; this use is ignored", name);
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (auto s = f.series.find(labels); s != f.series.end()) return s->second.get();
  if (series_ >= max_series_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  auto s = std::make_unique<MetricSeries>();
  if (f.bounds != nullptr) {
    s->bounds = f.bounds;
    s->buckets = std::make_unique<std::atomic<uint64_t>[]>(f.bounds->size() + 1);
  }
  ++series_;
  return f.series.emplace(labels, std::move(s)).first->second.get();
}

Counter Metrics::GetCounter(std::string_view name, std::string_view help, const MetricLabels& labels) {
  return Counter(Series(MetricType::kCounter, name, help, nullptr, labels));
}

Gauge Metrics::GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  return Gauge(Series(MetricType::kGauge, name, help, nullptr, labels));
}

Histogram Metrics::GetHistogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                                const MetricLabels& labels) {
  if (!std::is_sorted(bounds.begin(), bounds.end()) || std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end()) {
    spdlog::warn("metrics: {} needs ascending, distinct bucket bounds; this use is ignored", name);
    return Histogram();
  }
  return Histogram(Series(MetricType::kHistogram, name, help, &bounds, labels));
}

Metrics::Collector Metrics::AddCollector(std::function<void(MetricWriter&)> collect) {
  auto entry = std::make_shared<CollectorEntry>();
  entry->collect = std::move(collect);
  std::lock_guard lock(collectors_->mu);
  const uint64_t id = collectors_->next++;
  collectors_->entries.emplace(id, std::move(entry));
  return Collector(collectors_, id);
}

namespace {

// Gathers what collectors write, bounded by the series the registry has room for.
class CollectWriter final : public MetricWriter {
 public:
  CollectWriter(std::map<std::string, MetricFamily>& out, size_t room, std::atomic<uint64_t>& dropped)
      : out_(out), room_(room), dropped_(dropped) {}
  void Gauge(std::string_view name, std::string_view help, const MetricLabels& labels, double value) override {
    Write(MetricType::kGauge, name, help, labels, value);
  }
  void Counter(std::string_view name, std::string_view help, const MetricLabels& labels, double value) override {
    Write(MetricType::kCounter, name, help, labels, value);
  }

 private:
  void Write(MetricType type, std::string_view name, std::string_view help, const MetricLabels& labels, double value) {
    auto it = out_.find(std::string(name));
    if (it == out_.end()) {
      it = out_.emplace(std::string(name), MetricFamily{.name = std::string(name), .help = std::string(help), .type = type})
               .first;
    }
    if (it->second.type != type || room_ == 0) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    --room_;
    it->second.samples.push_back(MetricSample{.labels = labels, .value = value});
  }
  std::map<std::string, MetricFamily>& out_;
  size_t room_;
  std::atomic<uint64_t>& dropped_;
};

}  // namespace

std::vector<MetricFamily> Metrics::Collect(bool with_collectors) const {
  std::map<std::string, MetricFamily> out;
  size_t room = 0;
  {
    std::lock_guard lock(mu_);
    room = max_series_ > series_ ? max_series_ - series_ : 0;
    for (const auto& [name, f] : families_) {
      if (f->series.empty()) continue;
      MetricFamily mf{.name = name, .help = f->help, .type = f->type};
      if (f->bounds != nullptr) mf.bounds = *f->bounds;
      for (const auto& [labels, s] : f->series) {
        MetricSample sample{.labels = labels, .value = s->value.load(std::memory_order_relaxed)};
        if (f->bounds != nullptr) {
          uint64_t running = 0;
          for (size_t i = 0; i <= f->bounds->size(); ++i) {
            running += s->buckets[i].load(std::memory_order_relaxed);
            sample.buckets.push_back(running);
          }
          // Bucket counts and the count are read apart from each other; the
          // +Inf bucket is the count, so the two always agree.
          sample.count = running;
          sample.sum = sample.value;
          sample.value = 0;
        }
        mf.samples.push_back(std::move(sample));
      }
      out.emplace(name, std::move(mf));
    }
  }
  if (with_collectors) {
    std::vector<std::shared_ptr<CollectorEntry>> entries;
    {
      std::lock_guard lock(collectors_->mu);
      for (const auto& [id, e] : collectors_->entries) entries.push_back(e);
    }
    CollectWriter writer(out, room, dropped_);
    for (const auto& e : entries) {
      std::lock_guard run(e->run_mu);
      if (e->alive) e->collect(writer);
    }
  }
  MetricFamily dropped{.name = "pier_metrics_series_dropped_total",
                       .help = "Series not kept or not reported because the registry was at its cap, or a name was "
                               "reused with another type.",
                       .type = MetricType::kCounter};
  dropped.samples.push_back(MetricSample{.value = static_cast<double>(dropped_.load(std::memory_order_relaxed))});
  out.insert_or_assign(dropped.name, std::move(dropped));

  std::vector<MetricFamily> families;
  families.reserve(out.size());
  for (auto& [name, f] : out) {
    if (f.samples.empty()) continue;
    std::sort(f.samples.begin(), f.samples.end(),
              [](const MetricSample& a, const MetricSample& b) { return a.labels < b.labels; });
    // A collector reporting one series twice: the first is kept.
    f.samples.erase(std::unique(f.samples.begin(), f.samples.end(),
                                [](const MetricSample& a, const MetricSample& b) { return a.labels == b.labels; }),
                    f.samples.end());
    families.push_back(std::move(f));
  }
  return families;
}

}  // namespace pier
