#include "admin/queue_history.h"

#include "common/thread.h"

namespace pier {

namespace {

using Key = std::pair<std::string, std::string>;

std::string LabelOf(const MetricLabels& labels, std::string_view name) {
  for (const auto& [k, v] : labels) {
    if (k == name) return v;
  }
  return "";
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void QueueHistory::Start() {
  sampler_ = StartThread("pier-history", [this] {
    MutexLock lock(mu_);
    while (!stopping_) {
      if (cv_.WaitFor(mu_, kHourStep, [&]() PIER_REQUIRES(mu_) { return stopping_; })) break;
      lock.Unlock();
      Sample(NowMs());
      lock.Lock();
    }
  });
}

void QueueHistory::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.NotifyAll();
  }
  if (sampler_.joinable()) sampler_.join();
}

void QueueHistory::Sample(int64_t now_ms) {
  // The registry's own series only: collectors (store reads) are not run.
  std::map<Key, Totals> now;
  for (const MetricFamily& f : metrics_->Collect(/*with_collectors=*/false)) {
    const bool finished = f.name == "pier_task_finished_total";
    const bool wait = f.name == "pier_task_wait_seconds", run = f.name == "pier_task_run_seconds";
    if (!finished && !wait && !run) continue;
    for (const MetricSample& s : f.samples) {
      Totals& t = now[{LabelOf(s.labels, "plugin"), LabelOf(s.labels, "queue")}];
      if (finished) {
        const std::string status = LabelOf(s.labels, "status");
        if (status == "completed") t.completed += s.value;
        if (status == "failed") t.failed += s.value;
      } else if (wait) {
        t.wait_sum += s.sum;
        t.wait_count += static_cast<double>(s.count);
      } else {
        t.run_sum += s.sum;
        t.run_count += static_cast<double>(s.count);
      }
    }
  }
  MutexLock lock(mu_);
  for (const auto& [key, totals] : now) {
    auto it = series_.find(key);
    if (it == series_.end()) {
      if (series_.size() >= kMaxQueues) continue;
      it = series_.emplace(key, Series{}).first;
    }
    Series& s = it->second;
    if (!s.seen) {  // the first sample is the starting line
      s.last = totals;
      s.seen = true;
      s.day_started = now_ms;
      continue;
    }
    Point p{.t = now_ms};
    p.delta = {totals.completed - s.last.completed, totals.failed - s.last.failed, totals.wait_sum - s.last.wait_sum,
               totals.wait_count - s.last.wait_count, totals.run_sum - s.last.run_sum, totals.run_count - s.last.run_count};
    s.last = totals;
    s.hour.push_back(p);
    if (s.hour.size() > kHourPoints) s.hour.pop_front();
    Totals& d = s.day_pending;
    d = {d.completed + p.delta.completed, d.failed + p.delta.failed, d.wait_sum + p.delta.wait_sum,
         d.wait_count + p.delta.wait_count, d.run_sum + p.delta.run_sum, d.run_count + p.delta.run_count};
    if (now_ms - s.day_started >= std::chrono::duration_cast<std::chrono::milliseconds>(kDayStep).count()) {
      s.day.push_back(Point{.t = now_ms, .delta = d});
      if (s.day.size() > kDayPoints) s.day.pop_front();
      d = {};
      s.day_started = now_ms;
    }
  }
}

nlohmann::json QueueHistory::Chart(const std::string& plugin, const std::string& queue, Window window) const {
  nlohmann::json t = nlohmann::json::array(), completed = t, failed = t, wait = t, run = t;
  MutexLock lock(mu_);
  if (auto it = series_.find({plugin, queue}); it != series_.end()) {
    for (const Point& p : window == kHour ? it->second.hour : it->second.day) {
      t.push_back(p.t);
      completed.push_back(p.delta.completed);
      failed.push_back(p.delta.failed);
      wait.push_back(p.delta.wait_count > 0 ? nlohmann::json(1000 * p.delta.wait_sum / p.delta.wait_count) : nlohmann::json(nullptr));
      run.push_back(p.delta.run_count > 0 ? nlohmann::json(1000 * p.delta.run_sum / p.delta.run_count) : nlohmann::json(nullptr));
    }
  }
  const auto step = window == kHour ? kHourStep : kDayStep;
  return {{"stepMs", std::chrono::duration_cast<std::chrono::milliseconds>(step).count()},
          {"t", t}, {"completed", completed}, {"failed", failed}, {"waitAvgMs", wait}, {"runAvgMs", run}};
}

std::vector<double> QueueHistory::Finished(const std::string& plugin, size_t points) const {
  std::vector<double> out;
  MutexLock lock(mu_);
  // Every queue is sampled at the same moments: steps line up from the newest.
  for (auto it = series_.lower_bound({plugin, ""}); it != series_.end() && it->first.first == plugin; ++it) {
    const auto& hour = it->second.hour;
    const size_t n = std::min(points, hour.size());
    if (n > out.size()) out.insert(out.begin(), n - out.size(), 0.0);
    for (size_t i = 0; i < n; ++i) {
      const Point& p = hour[hour.size() - n + i];
      out[out.size() - n + i] += p.delta.completed + p.delta.failed;
    }
  }
  return out;
}

}  // namespace pier
