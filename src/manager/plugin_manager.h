// PluginManager: loads packages into running plugins with the original host's
// load sequence (spec §1.6) and keeps the loaded set.
//
//   PluginManager manager(runtime, {.call_timeout = 30s});
//   auto loaded = manager.Load("/srv/plugins/hello.ndp", {.config_json = R"({"greeting":"Hi"})"});
//   loaded.value()->plugin->Call("greet", "{}");
//   manager.Unload("hello");
//
// Load order: config -> package -> limits and allowed hosts -> host services
// granted by permissions (others are not linked, so an import of one fails
// the load naming the permission) -> compile (module cache) -> capability
// detection -> permission/capability validation -> registration -> task
// workers and other background work -> nd_on_init. With run_init off
// (administration loads) neither task workers nor nd_on_init run.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "manifest/manifest.h"
#include "package/package.h"
#include "pier/music_host.h"
#include "pier/runtime.h"

namespace pier {

// An administrator's settings for one plugin (spec §1.4).
struct PluginSettings {
  bool operator==(const PluginSettings&) const = default;
  std::string config_json;  // a JSON object as text; empty = no config
  std::vector<std::string> users;
  bool all_users = false;
  std::vector<int32_t> libraries;
  bool all_libraries = false;
  bool allow_write_access = false;
  // An administrator's settings of the plugin's task queues over what the
  // plugin asks for (taskqueue::ParseQueueOverrides); empty: none.
  std::string queues_json;
};

// Work a plugin's host services run on their own (task workers, timers,
// connections). Stopped, newest first, before the plugin is unregistered.
class BackgroundWork {
 public:
  virtual ~BackgroundWork() = default;
  // Stops the work; returns once nothing of it will call the plugin again.
  virtual void Stop() = 0;
};

struct LoadedPlugin;

namespace pg {
class Database;
}

struct ManagerOptions {
  std::chrono::milliseconds call_timeout{30000};
  InstanceMode instance_mode = InstanceMode::kPooled;
  LogLevel log_level = LogLevel::kInfo;
  LogSink log_sink;  // unset: Pier's logger
  // Call nd_on_init after loading. Administration tools that load only to
  // check a plugin turn it off: initialisation belongs to the serving process.
  bool run_init = true;
  // Where plugins keep their data (`<data_dir>/plugins/<id>/kvstore.db`,
  // `taskqueue.db`, `storage/`): plugins with those permissions cannot load
  // without it.
  std::filesystem::path data_dir;
  // Task queues: lease owner prefix (empty: the host name) and how long
  // stopping a plugin waits for its running tasks before interrupting them.
  std::string node_id;
  std::chrono::milliseconds task_shutdown_grace{10000};
  std::chrono::milliseconds task_lease_slack{60000};        // a task's lease outlasts its call by this
  std::chrono::milliseconds task_recovery_interval{60000};  // expired leases and retention, this often
  // SQLite task stores: every commit synced to disk ([taskqueue] durability
  // = "full"), or only at checkpoints ("normal": safe from a process crash,
  // not from power loss).
  bool task_durability_full = true;
  // Task queues and KVStore in a PostgreSQL database shared with other
  // nodes (give each node its own node_id); unset: SQLite files in data_dir.
  std::shared_ptr<pg::Database> storage;
  // Host-wide service settings (cache cap, extra CA file).
  int64_t cache_max_bytes = 64 << 20;
  std::string ca_file;
  // The music services (Library, Users, Artwork, SubsonicAPI, Matcher) and
  // library mounts; unset: plugins importing them fail to load.
  std::shared_ptr<MusicHost> music;
  // Starts a plugin's background work once it is loaded and registered (and
  // before nd_on_init, which may create queues or schedules). Optional.
  std::function<std::vector<std::unique_ptr<BackgroundWork>>(LoadedPlugin& plugin)> start_background;
};

class PluginServices;
namespace taskqueue {
class TaskQueueService;
}

struct LoadedPlugin {
  std::string id;
  std::filesystem::path path;
  std::string sha256;
  Manifest manifest;
  PluginSettings settings;  // what it was loaded with
  std::vector<std::string> capabilities;
  // Its host services (before `plugin`: they outlive it); their work is
  // stopped, as background work, before the plugin goes.
  std::unique_ptr<PluginServices> services;
  taskqueue::TaskQueueService* tasks = nullptr;  // in `services`, when granted
  std::unique_ptr<Plugin> plugin;
  std::vector<std::unique_ptr<BackgroundWork>> background;
  // Why initialisation went wrong ("" when it did not): nd_on_init's failure,
  // or the first host-service error a call made during nd_on_init received
  // (a queue that could not be created, say). The plugin stays loaded.
  std::string init_error;
  // Stops the background work (newest first); idempotent.
  void StopBackground();
  ~LoadedPlugin();
};

// Spec §1.5 gates checked before enabling: a plugin declaring `users` needs a
// user selection, one declaring `library` a library selection.
Status CheckEnableGates(const Manifest& manifest, const PluginSettings& settings);

class PluginManager {
 public:
  PluginManager(Runtime& runtime, ManagerOptions options);  // `runtime` must outlive the manager

  // Loads (or reloads: a loaded plugin of the same ID is unloaded first).
  Result<std::shared_ptr<LoadedPlugin>> Load(const std::filesystem::path& package, const PluginSettings& settings);
  // NotFound when `id` is not loaded. In-flight calls finish on their own reference.
  Status Unload(std::string_view id);
  std::shared_ptr<LoadedPlugin> Get(std::string_view id) const;
  std::vector<std::string> loaded() const;

 private:
  Result<std::shared_ptr<LoadedPlugin>> LoadPackage(const std::filesystem::path& package,
                                                    const PluginSettings& settings);

  Runtime& runtime_;
  const ManagerOptions options_;
  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<LoadedPlugin>, std::less<>> loaded_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier
