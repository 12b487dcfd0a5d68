// PluginServices: the host services of one loaded plugin, made from its
// manifest's permissions (Config always; KVStore, Cache, Scheduler, HTTP,
// WebSocket, Storage and Task when granted), bound to its imports, started
// once the plugin is registered and stopped before it goes.
//
//   auto services = PluginServices::Create("my-plugin", manifest, config, settings, scope, &options).value();
//   options.host_functions = BindHostServices(services->Bindings(), granted);
//   ... load the plugin ...
//   services->Start(*plugin);     // timers, sweepers, workers, connections: may call the plugin now
//   services->Stop();             // Scheduler, WebSocket, Cache, KVStore, Task — the original's order
//
// Create and Start/Stop from one thread; the services themselves are
// thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "manifest/manifest.h"
#include "pier/log_level.h"
#include "pier/metrics.h"
#include "pier/music_host.h"
#include "pier/plugin.h"
#include "pier/services/host_services.h"

namespace pier {

namespace services {
class MapConfigService;
class HttpService;
class PluginStorageService;
}  // namespace services
namespace kvstore {
class KVStoreService;
}
namespace cache {
class CacheService;
}
namespace scheduler {
class SchedulerService;
}
namespace websocket {
class WebSocketService;
}
namespace taskqueue {
class TaskQueueService;
}

// Host-wide settings of the services (pier.toml and the command line).
namespace pg {
class Database;
}

struct ServiceSettings {
  std::filesystem::path data_dir;  // <data>/plugins/<id>/ holds each plugin's files
  std::chrono::milliseconds call_timeout{30000};
  int64_t cache_max_bytes = 64 << 20;
  std::string ca_file;  // extra trust anchors for plugins' https and wss
  std::string node_id;  // task leases: "<node>/<run>"; empty = the host name
  std::string queue_overrides_json;  // this plugin's PluginSettings::queues_json
  std::chrono::milliseconds task_shutdown_grace{10000};
  std::chrono::milliseconds task_lease_slack{60000};
  std::chrono::milliseconds task_recovery_interval{60000};
  bool task_durability_full = true;  // SQLite task stores: synchronous=FULL, else NORMAL
  // Shared PostgreSQL storage for task queues and KVStore; unset: SQLite files.
  std::shared_ptr<pg::Database> storage;
  // Where failures of callbacks (scheduler, websocket) are reported, tagged
  // with the plugin; unset: Pier's logger.
  LogSink log_sink;
  // Library, Users, Artwork, SubsonicAPI, Matcher; unset: not available.
  std::shared_ptr<MusicHost> music;
  // Where task queues, schedules, the cache and the KVStore are counted; unset: not counted.
  std::shared_ptr<Metrics> metrics;
};

class PluginServices {
 public:
  // Creates what the manifest grants; adds the Storage and library mounts to
  // `options`. `scope` is what the plugin's administrator let it see (music
  // services). Errors name the service ("kvstore: invalid maxSize \"x\": ...").
  static Result<std::unique_ptr<PluginServices>> Create(const std::string& id, const Manifest& manifest,
                                                        const std::map<std::string, std::string>& config,
                                                        const ServiceSettings& settings, const MusicScope& scope,
                                                        PluginOptions* options);
  ~PluginServices();
  PluginServices(const PluginServices&) = delete;
  PluginServices& operator=(const PluginServices&) = delete;

  services::HostServices Bindings() const;
  // Starts the work that calls the plugin back (`plugin` outlives Stop).
  void Start(Plugin& plugin);
  // Stops it all, newest kinds first; idempotent. Nothing calls the plugin afterwards.
  void Stop();

  taskqueue::TaskQueueService* tasks() const { return tasks_.get(); }
  scheduler::SchedulerService* scheduler() const { return scheduler_.get(); }
  cache::CacheService* cache() const { return cache_.get(); }
  kvstore::KVStoreService* kvstore() const { return kvstore_.get(); }
  websocket::WebSocketService* websocket() const { return websocket_.get(); }

 private:
  PluginServices() = default;
  // Cache and KVStore figures, when metrics are read.
  void CollectServices(MetricWriter& w);

  std::string id_;
  ServiceSettings settings_;
  std::unique_ptr<services::MapConfigService> config_;
  std::unique_ptr<kvstore::KVStoreService> kvstore_;
  std::unique_ptr<cache::CacheService> cache_;
  std::unique_ptr<scheduler::SchedulerService> scheduler_;
  std::unique_ptr<services::HttpService> http_;
  std::unique_ptr<websocket::WebSocketService> websocket_;
  std::unique_ptr<services::PluginStorageService> storage_;
  std::unique_ptr<taskqueue::TaskQueueService> tasks_;
  MusicServiceSet music_;
  bool started_ = false, stopped_ = false;
  // Last: goes first, before the services it reads.
  Metrics::Collector service_metrics_;
};

}  // namespace pier
