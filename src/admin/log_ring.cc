#include "admin/log_ring.h"

#include <algorithm>
#include <chrono>

namespace pier {

LogRing::LogRing(size_t per_plugin, size_t max_line, Metrics* metrics)
    : per_plugin_(std::max<size_t>(1, per_plugin)), max_line_(max_line), metrics_(metrics) {}

void LogRing::Add(LogLevel level, std::string_view plugin, std::string_view message) {
  Line line;
  line.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
  line.level = level;
  line.plugin = std::string(plugin);
  if (message.size() > max_line_) {
    line.message = std::string(message.substr(0, max_line_)) + " … (" + std::to_string(message.size()) + " bytes)";
  } else {
    line.message = std::string(message);
  }
  MutexLock lock(mu_);
  line.seq = next_seq_++;
  auto it = plugins_.find(plugin);
  if (it == plugins_.end()) {
    it = plugins_.emplace(std::string(plugin), PerPlugin{}).first;
    if (metrics_ != nullptr) {
      it->second.dropped_metric = metrics_->GetCounter(
          "pier_plugin_log_lines_dropped_total", "Plugin log lines pushed out of the dashboard's bounded ring.",
          {{"plugin", std::string(plugin)}});
    }
  }
  PerPlugin& p = it->second;
  p.lines.push_back(std::move(line));
  if (p.lines.size() > per_plugin_) {
    p.lines.pop_front();
    ++p.dropped;
    p.dropped_metric.Add();
  }
}

LogSink LogRing::Sink(LogSink next) {
  return [this, next = std::move(next)](LogLevel level, std::string_view plugin, std::string_view message) {
    Add(level, plugin, message);
    if (next) next(level, plugin, message);
  };
}

LogRing::Page LogRing::Since(uint64_t after, std::string_view plugin, LogLevel min_level, size_t limit) const {
  Page page;
  MutexLock lock(mu_);
  page.last_seq = next_seq_ - 1;
  for (const auto& [name, p] : plugins_) {
    if (!plugin.empty() && name != plugin) continue;
    page.dropped += p.dropped;
    // Lines are in seq order within a plugin: skip to the first after `after`.
    auto first = std::upper_bound(p.lines.begin(), p.lines.end(), after,
                                  [](uint64_t s, const Line& l) { return s < l.seq; });
    for (auto it = first; it != p.lines.end(); ++it) {
      if (static_cast<int>(it->level) >= static_cast<int>(min_level)) page.lines.push_back(*it);
    }
  }
  std::sort(page.lines.begin(), page.lines.end(), [](const Line& a, const Line& b) { return a.seq < b.seq; });
  if (page.lines.size() > limit) page.lines.erase(page.lines.begin(), page.lines.end() - static_cast<long>(limit));
  return page;
}

}  // namespace pier
