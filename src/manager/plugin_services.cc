#include "manager/plugin_services.h"

#include <spdlog/spdlog.h>

#include "common/byte_size.h"
#include "common/go_quote.h"
#include "common/plugin_id.h"
#include "pier/capabilities/callers.h"
#include "services/cache/cache_service.h"
#include "services/config/config_service.h"
#include "services/http/http_service.h"
#include "services/kvstore/kvstore_service.h"
#include "services/kvstore/postgres_kv_store.h"
#include "services/kvstore/sqlite_kv_store.h"
#include "services/scheduler/scheduler_service.h"
#include "services/storage/storage_service.h"
#include "services/taskqueue/plugin_executor.h"
#include "services/taskqueue/postgres_task_store.h"
#include "services/taskqueue/sqlite_task_store.h"
#include "services/taskqueue/task_service.h"
#include "services/websocket/websocket_service.h"

namespace pier {

namespace {

// Callbacks of background work: failures are only logged (as the original does).
// Returns what went wrong ("" when the call succeeded).
template <typename R>
std::string LogOutcome(const LogSink& sink, const std::string& id, std::string_view export_name, const Result<R>& r) {
  std::string message;
  if (!r.ok()) {
    message = std::string(export_name) + ": " + r.status().message();
  } else if (r->kind == capabilities::CallKind::kFailed) {
    message = std::string(export_name) + " failed: " + r->error;
  } else {
    return "";
  }
  if (sink) {
    sink(LogLevel::kWarn, id, message);
  } else {
    spdlog::warn("plugin {}: {}", id, message);
  }
  return message;
}

}  // namespace

PluginServices::~PluginServices() { Stop(); }

Result<std::unique_ptr<PluginServices>> PluginServices::Create(const std::string& id, const Manifest& manifest,
                                                               const std::map<std::string, std::string>& config,
                                                               const ServiceSettings& settings, const MusicScope& scope,
                                                               PluginOptions* options) {
  std::unique_ptr<PluginServices> s(new PluginServices());
  s->id_ = id;
  s->settings_ = settings;
  s->config_ = std::make_unique<services::MapConfigService>(config);
  const Permissions& p = manifest.permissions;
  auto data_dir = [&]() -> Result<std::filesystem::path> {
    if (settings.data_dir.empty()) return FailedPreconditionError("no data folder is configured");
    return PluginDataDir(settings.data_dir, id);
  };
  if (p.kvstore) {
    int64_t quota = kvstore::kDefaultQuota;
    if (!p.kvstore->max_size.empty()) {
      auto parsed = ParseByteSize(p.kvstore->max_size);
      if (!parsed.ok()) {
        return InvalidArgumentError("kvstore: invalid maxSize " + GoQuote(p.kvstore->max_size) + ": " +
                                    parsed.status().message());
      }
      quota = *parsed;
    }
    std::unique_ptr<kvstore::KVStore> store;
    if (settings.storage) {
      store = std::make_unique<kvstore::PostgresKVStore>(settings.storage, id);
    } else {
      auto dir = data_dir();
      if (!dir.ok()) return dir.status().WithContext("kvstore");
      auto file = kvstore::SqliteKVStore::Open(*dir / "kvstore.db");
      if (!file.ok()) return file.status().WithContext("kvstore database");
      store = std::move(*file);
    }
    s->kvstore_ = std::make_unique<kvstore::KVStoreService>(std::move(store), kvstore::KVStoreOptions{.quota = quota});
  }
  if (p.cache) s->cache_ = std::make_unique<cache::CacheService>(cache::CacheOptions{.max_bytes = settings.cache_max_bytes});
  if (p.scheduler) {
    scheduler::SchedulerOptions o;
    if (settings.metrics) {
      const MetricLabels labels = {{"plugin", id}};
      o.lag = settings.metrics->GetHistogram("pier_schedule_lag_seconds",
                                             "Time from a schedule being due to its callback starting, in seconds.",
                                             LatencyBuckets(), labels);
      o.skipped = settings.metrics->GetCounter(
          "pier_schedule_skipped_total", "Firings skipped because too many callbacks were already waiting.", labels);
    }
    s->scheduler_ = std::make_unique<scheduler::SchedulerService>(o);
  }
  if (p.http) {
    s->http_ = std::make_unique<services::HttpService>(
        services::HttpServiceOptions{.required_hosts = p.http->required_hosts, .ca_file = settings.ca_file});
  }
  if (p.websocket) {
    s->websocket_ = std::make_unique<websocket::WebSocketService>(
        websocket::WebSocketOptions{.required_hosts = p.websocket->required_hosts, .ca_file = settings.ca_file});
  }
  if (p.storage) {
    auto dir = data_dir();
    if (!dir.ok()) return dir.status().WithContext("storage");
    auto mount = services::PluginStorageService::MountFor(*dir / "storage");
    if (!mount.ok()) return mount.status();
    options->mounts.push_back(*mount);
    s->storage_ = std::make_unique<services::PluginStorageService>();
  }
  if (p.library || p.users || p.artwork || p.subsonicapi || p.matcher || p.scrobble_retriever) {
    if (settings.music) {
      MusicScope music_scope = scope;
      music_scope.plugin_id = id;
      music_scope.granted = p.Granted();
      music_scope.library_filesystem = p.library && p.library->filesystem;
      auto set = settings.music->ForPlugin(music_scope);
      if (!set.ok()) return set.status().WithContext("music services");
      s->music_ = std::move(*set);
      for (auto& m : s->music_.mounts) options->mounts.push_back(std::move(m));
      s->music_.mounts.clear();
    }
  }
  if (p.taskqueue) {
    std::unique_ptr<taskqueue::TaskStore> store;
    if (settings.storage) {
      store = std::make_unique<taskqueue::PostgresTaskStore>(settings.storage, id);
    } else {
      auto dir = data_dir();
      if (!dir.ok()) return dir.status().WithContext("taskqueue");
      auto file = taskqueue::SqliteTaskStore::Open(
          *dir / "taskqueue.db",
          settings.task_durability_full ? taskqueue::Durability::kFull : taskqueue::Durability::kNormal);
      if (!file.ok()) return Status(file.status().code(), "task queue database: " + file.status().message());
      store = std::move(*file);
    }
    taskqueue::TaskServiceOptions task_options;
    task_options.max_concurrency = p.taskqueue->max_concurrency;
    task_options.node = settings.node_id;
    task_options.dispatch.call_timeout = settings.call_timeout;
    task_options.dispatch.shutdown_grace = settings.task_shutdown_grace;
    task_options.dispatch.lease_slack = settings.task_lease_slack;
    task_options.maintenance_interval = settings.task_recovery_interval;
    task_options.metrics = settings.metrics;
    task_options.plugin = id;
    if (auto overrides = taskqueue::ParseQueueOverrides(settings.queue_overrides_json, p.taskqueue->max_concurrency);
        overrides.ok()) {
      task_options.overrides = std::move(*overrides);
    } else {  // stored by hand, or under a manifest with a smaller budget now: the plugin's own settings
      spdlog::warn("plugin {}: stored queue settings ignored: {}", id, overrides.status().message());
    }
    s->tasks_ = std::make_unique<taskqueue::TaskQueueService>(std::move(store), std::move(task_options));
  }
  if (settings.metrics && (s->cache_ || s->kvstore_)) {
    s->service_metrics_ = settings.metrics->AddCollector([p = s.get()](MetricWriter& w) { p->CollectServices(w); });
  }
  return s;
}

void PluginServices::CollectServices(MetricWriter& w) {
  const MetricLabels labels = {{"plugin", id_}};
  if (cache_) {
    const cache::CacheStats c = cache_->stats();
    w.Gauge("pier_cache_entries", "Entries in a plugin's cache.", labels, static_cast<double>(c.entries));
    w.Gauge("pier_cache_bytes", "Bytes held by a plugin's cache (keys and values).", labels, static_cast<double>(c.bytes));
    w.Counter("pier_cache_hits_total", "Cache reads that found their key.", labels, static_cast<double>(c.hits));
    w.Counter("pier_cache_misses_total", "Cache reads that did not.", labels, static_cast<double>(c.misses));
    w.Counter("pier_cache_evictions_total", "Entries evicted to stay under the cache's size cap.", labels,
              static_cast<double>(c.evictions));
    w.Counter("pier_cache_expirations_total", "Entries dropped when their TTL passed.", labels,
              static_cast<double>(c.expirations));
  }
  if (kvstore_) {
    if (auto used = kvstore_->UsedBytes(); used.ok()) {
      w.Gauge("pier_kvstore_used_bytes", "Bytes a plugin's KVStore counts against its quota.", labels,
              static_cast<double>(*used));
    }
    w.Gauge("pier_kvstore_quota_bytes", "A plugin's KVStore quota (the manifest's maxSize).", labels,
            static_cast<double>(kvstore_->quota()));
  }
}

services::HostServices PluginServices::Bindings() const {
  services::HostServices host;
  host.config = config_.get();
  host.kvstore = kvstore_.get();
  host.cache = cache_.get();
  host.scheduler = scheduler_.get();
  host.http = http_.get();
  host.websocket = websocket_.get();
  host.storage = storage_.get();
  host.task = tasks_.get();
  host.library = music_.library.get();
  host.users = music_.users.get();
  host.artwork = music_.artwork.get();
  host.subsonicapi = music_.subsonicapi.get();
  host.matcher = music_.matcher.get();
  host.scrobbleretriever = music_.scrobbleretriever.get();
  return host;
}

void PluginServices::Start(Plugin& plugin) {
  if (started_ || stopped_) return;
  started_ = true;
  const std::string id = id_;
  const LogSink sink = settings_.log_sink;
  const auto timeout = settings_.call_timeout;
  auto options = [timeout](const CancelToken& token) {
    CallOptions o;
    o.cancel = token;
    o.timeout = timeout;
    return o;
  };
  if (tasks_) tasks_->Start(taskqueue::PluginExecutor(plugin));
  if (kvstore_) kvstore_->Start();
  if (cache_) cache_->Start();
  if (scheduler_) {
    Counter ok, failed;
    if (settings_.metrics) {
      static constexpr std::string_view kHelp = "Schedule firings whose callback ran, by outcome.";
      ok = settings_.metrics->GetCounter("pier_schedule_runs_total", kHelp, {{"plugin", id}, {"outcome", "ok"}});
      failed = settings_.metrics->GetCounter("pier_schedule_runs_total", kHelp, {{"plugin", id}, {"outcome", "error"}});
    }
    scheduler_->Start([&plugin, id, options, sink, ok, failed](const wire::SchedulerCallbackRequest& r,
                                                               const CancelToken& token) {
      CallOptions o = options(token);
      o.label = "schedule " + r.schedule_id;
      std::string error = LogOutcome(sink, id, "nd_scheduler_callback",
                                     capabilities::CallSchedulerCallbackOnCallback(plugin, r, o));
      (error.empty() ? ok : failed).Add();
      return error;
    });
  }
  if (websocket_) {
    websocket::Callbacks c;
    c.text = [&plugin, id, options, sink](const wire::TextMessageRequest& r, const CancelToken& t) {
      if (plugin.HasExport("nd_websocket_on_text_message")) {
        LogOutcome(sink, id, "nd_websocket_on_text_message", capabilities::CallWebSocketCallbacksOnTextMessage(plugin, r, options(t)));
      }
    };
    c.binary = [&plugin, id, options, sink](const wire::BinaryMessageRequest& r, const CancelToken& t) {
      if (plugin.HasExport("nd_websocket_on_binary_message")) {
        LogOutcome(sink, id, "nd_websocket_on_binary_message",
                   capabilities::CallWebSocketCallbacksOnBinaryMessage(plugin, r, options(t)));
      }
    };
    c.error = [&plugin, id, options, sink](const wire::ErrorRequest& r, const CancelToken& t) {
      if (plugin.HasExport("nd_websocket_on_error")) {
        LogOutcome(sink, id, "nd_websocket_on_error", capabilities::CallWebSocketCallbacksOnError(plugin, r, options(t)));
      }
    };
    c.close = [&plugin, id, options, sink](const wire::CloseRequest& r, const CancelToken& t) {
      if (plugin.HasExport("nd_websocket_on_close")) {
        LogOutcome(sink, id, "nd_websocket_on_close", capabilities::CallWebSocketCallbacksOnClose(plugin, r, options(t)));
      }
    };
    websocket_->Start(std::move(c));
  }
}

void PluginServices::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (scheduler_) scheduler_->Stop();
  if (websocket_) websocket_->Stop();
  if (cache_) cache_->Stop();
  if (kvstore_) kvstore_->Stop();
  if (tasks_) tasks_->Stop();
}

}  // namespace pier
