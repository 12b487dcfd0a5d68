#include "admin/overview.h"

#include "pier/json.h"

#include <nlohmann/json.hpp>

#include "manager/plugin_services.h"
#include "services/scheduler/scheduler_service.h"
#include "services/taskqueue/task_service.h"

namespace pier {

using Json = nlohmann::json;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Json OverviewQueues(taskqueue::TaskQueueService& tasks, int64_t now) {
  Json out = Json::array();
  auto all = tasks.AllQueueStats();
  if (!all.ok()) return out;
  for (const wire::QueueStats& s : *all) {
    auto due = tasks.store().NextRunAt(s.name);
    const int64_t waited = due.ok() && due->has_value() ? std::max<int64_t>(0, now - **due) : 0;
    out.push_back({{"name", s.name},
                   {"active", s.active},
                   {"paused", s.paused},
                   {"concurrency", s.concurrency},
                   {"pending", s.pending},
                   {"running", s.running},
                   {"completed", s.completed},
                   {"failed", s.failed},
                   {"cancelled", s.cancelled},
                   {"oldestDueMs", waited}});
  }
  return out;
}

Overview::Overview(PluginHost& host, Metrics* metrics, const QueueHistory* history)
    : host_(host), history_(history) {
  if (metrics != nullptr) {
    builds_ = metrics->GetCounter("pier_dashboard_snapshots_total", "Overview documents built for the dashboard.");
    build_seconds_ = metrics->GetHistogram("pier_dashboard_snapshot_seconds", "Time an overview document took to build.",
                                           LatencyBuckets());
  }
}

Overview::Snapshot Overview::Current() {
  MutexLock lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (last_.empty() || now - built_ >= kMaxAge) {
    const auto start = std::chrono::steady_clock::now();
    const Json plugins = Plugins();
    std::string part = plugins.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (part != last_plugins_ || last_.empty()) {
      ++revision_;
      last_plugins_ = std::move(part);
    }
    last_ = Document(plugins);
    built_ = std::chrono::steady_clock::now();
    builds_.Add();
    build_seconds_.Observe(std::chrono::duration<double>(built_ - start).count());
  }
  return {last_, revision_};
}

std::string Overview::Document(const Json& plugins) {
  const Json doc = {{"builtAt", NowMs()}, {"plugins", plugins}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json Overview::Plugins() {
  const int64_t now = NowMs();
  Json plugins = Json::array();
  auto states = host_.States();
  if (states.ok()) {
    for (const PluginState& s : *states) {
      Json p = {{"id", s.entry.id},
                {"enabled", s.entry.enabled},
                {"loaded", s.loaded},
                {"lastError", s.entry.last_error},
                {"capabilities", s.capabilities},
                {"queues", Json::array()},
                {"nextSchedule", nullptr},
                {"schedules", 0}};
      auto m = ParseJson(s.entry.manifest_json);
      if (m.ok() && m->is_object()) {
        for (const char* key : {"name", "version", "description", "author"}) {
          auto it = m->find(key);
          p[key] = it != m->end() && it->is_string() ? it->get<std::string>() : "";
        }
      }
      if (auto loaded = host_.Get(s.entry.id)) {
        const PluginStats st = loaded->plugin->stats();
        p["instances"] = {{"idle", st.idle_instances}, {"busy", st.calls_in_progress}};
        p["calls"] = st.calls;
        p["initError"] = loaded->init_error;
        if (loaded->tasks != nullptr) p["queues"] = OverviewQueues(*loaded->tasks, now);
        if (auto* scheduler = loaded->services ? loaded->services->scheduler() : nullptr) {
          const auto schedules = scheduler->Schedules();
          p["schedules"] = schedules.size();
          const scheduler::ScheduleInfo* next = nullptr;
          for (const auto& i : schedules) {
            if (i.next_ms > 0 && (next == nullptr || i.next_ms < next->next_ms)) next = &i;
          }
          if (next != nullptr) p["nextSchedule"] = {{"id", next->id}, {"at", next->next_ms}, {"cron", next->cron}};
        }
      }
      if (history_ != nullptr) p["finished"] = history_->Finished(s.entry.id, kSparklinePoints);
      plugins.push_back(std::move(p));
    }
  }
  return plugins;
}

}  // namespace pier
