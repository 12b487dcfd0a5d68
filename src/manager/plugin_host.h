// PluginHost: a folder of packages, the registry and the loaded plugins, kept
// consistent — what `pier serve` runs.
//
//   auto host = PluginHost::Start(runtime, {.plugins_dir = "plugins", .data_dir = "data"}).value();
//   host->Enable("hello");
//   host->Refresh("hello");   // after the package file changed (the watcher calls this)
//
// At start: sync the folder, load every enabled plugin
// (one that fails is disabled with its error recorded). Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "manager/plugin_manager.h"
#include "manager/plugin_registry.h"

namespace pier {

struct HostConfig {
  std::filesystem::path plugins_dir;
  std::filesystem::path data_dir;
  ManagerOptions manager;
  bool load_enabled = true;  // false: start without loading (administration tools)
};

struct PluginState {
  RegistryEntry entry;
  bool loaded = false;
  std::vector<std::string> capabilities;
};

class PluginHost {
 public:
  static Result<std::unique_ptr<PluginHost>> Start(Runtime& runtime, HostConfig config);

  // Spec §1.5: gates, then load; the outcome is recorded in the registry.
  Status Enable(std::string_view id);
  Status Disable(std::string_view id);
  // Validates `settings.config_json` against the manifest's schema, stores the
  // settings and, when enabled, reloads (or disables when a gate fails).
  Status Configure(std::string_view id, const PluginSettings& settings);
  // Re-reads one package after a change: a changed valid package of an
  // enabled plugin is reloaded; a broken one leaves the running version and
  // records the error; a removed one is unloaded.
  Status Refresh(std::string_view id);
  Status Rescan();
  // Brings the loaded set in line with the registry after another process
  // changed it: loads newly enabled plugins, unloads disabled ones, reloads
  // those whose settings changed.
  Status Reconcile();
  Result<std::vector<PluginState>> States();
  // Whether the registry has a row for `id`.
  bool Known(std::string_view id);
  std::shared_ptr<LoadedPlugin> Get(std::string_view id) const { return manager_.Get(id); }
  // Unloads everything (plugins stop before they are unregistered).
  void Shutdown();

  const HostConfig& config() const { return config_; }

 private:
  PluginHost(Runtime& runtime, HostConfig config, std::unique_ptr<PluginRegistry> registry)
      : config_(std::move(config)), manager_(runtime, WithDataDir(config_.manager, config_.data_dir)), registry_(std::move(registry)) {}
  static ManagerOptions WithDataDir(ManagerOptions options, const std::filesystem::path& data_dir) {
    if (options.data_dir.empty()) options.data_dir = data_dir;
    return options;
  }
  Status LoadLocked(const RegistryEntry& entry) PIER_REQUIRES(mu_);
  void CollectStates(MetricWriter& w) PIER_EXCLUDES(mu_);
  Status ApplyChange(const SyncChange& change) PIER_REQUIRES(mu_);

  const HostConfig config_;
  PluginManager manager_;
  Mutex mu_;                              // serialises registry access and loads
  std::unique_ptr<PluginRegistry> registry_ PIER_GUARDED_BY(mu_);
  // pier_plugin_up/enabled/failed, from States(); last, so it goes first.
  Metrics::Collector state_metrics_;
};

}  // namespace pier
