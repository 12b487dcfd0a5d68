#include "manager/plugin_host.h"
#include "pier/json.h"

#include <spdlog/spdlog.h>

namespace pier {

Result<std::unique_ptr<PluginHost>> PluginHost::Start(Runtime& runtime, HostConfig config) {
  std::error_code ec;
  std::filesystem::create_directories(config.plugins_dir, ec);
  std::filesystem::create_directories(config.data_dir, ec);
  PIER_ASSIGN_OR_RETURN(auto registry, PluginRegistry::Open(config.data_dir / "registry.db"));
  std::unique_ptr<PluginHost> host(new PluginHost(runtime, std::move(config), std::move(registry)));
  MutexLock lock(host->mu_);
  // Recorded errors stay until a load succeeds (a plugin whose enable failed
  // keeps showing why, also once a server runs).
  PIER_ASSIGN_OR_RETURN(auto changes, host->registry_->Sync(host->config_.plugins_dir));
  for (const SyncChange& c : changes) {
    if (c.kind == SyncChange::Kind::kAdded) spdlog::info("plugin {} discovered (disabled until enabled)", c.id);
    if (c.kind == SyncChange::Kind::kInvalid) spdlog::error("plugin {}: {}", c.id, c.error);
  }
  PIER_ASSIGN_OR_RETURN(auto rows, host->registry_->List());
  if (!host->config_.load_enabled) rows.clear();
  for (const RegistryEntry& e : rows) {
    if (!e.enabled) continue;
    if (Status st = host->LoadLocked(e); !st.ok()) {
      spdlog::error("plugin {} failed to load and was disabled: {}", e.id, st.message());
      PIER_RETURN_IF_ERROR(host->registry_->SetEnabled(e.id, false));
    }
  }
  host->state_metrics_ = runtime.metrics()->AddCollector([h = host.get()](MetricWriter& w) { h->CollectStates(w); });
  return host;
}

void PluginHost::CollectStates(MetricWriter& w) {
  auto states = States();
  if (!states.ok()) return;
  for (const PluginState& s : *states) {
    const MetricLabels labels = {{"plugin", s.entry.id}};
    w.Gauge("pier_plugin_up", "1 when the plugin is loaded and serving, else 0.", labels, s.loaded ? 1 : 0);
    w.Gauge("pier_plugin_enabled", "1 when the plugin is enabled, else 0.", labels, s.entry.enabled ? 1 : 0);
    w.Gauge("pier_plugin_failed", "1 when the plugin's last load or initialisation recorded an error, else 0.",
            labels, s.entry.last_error.empty() ? 0 : 1);
  }
}

Status PluginHost::LoadLocked(const RegistryEntry& e) {
  std::string init_error;
  Status st = [&]() -> Status {
    if (e.manifest_json.empty()) {
      return FailedPreconditionError(e.last_error.empty() ? "the package has not been read" : e.last_error);
    }
    auto manifest = ParseManifest(e.manifest_json);
    if (!manifest.ok()) return manifest.status();
    PIER_RETURN_IF_ERROR(CheckEnableGates(*manifest, e.settings));
    PIER_ASSIGN_OR_RETURN(auto loaded, manager_.Load(e.path, e.settings));
    init_error = loaded->init_error;
    return OkStatus();
  }();
  // A load that succeeded but whose initialisation went wrong keeps the plugin
  // running and still records why.
  PIER_RETURN_IF_ERROR(registry_->SetLastError(e.id, st.ok() ? init_error : st.message()));
  return st;
}

Status PluginHost::Enable(std::string_view id) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto e, registry_->Get(id));
  if (!e) return NotFoundError("no plugin " + std::string(id));
  if (e->enabled && manager_.Get(id)) return OkStatus();
  PIER_RETURN_IF_ERROR(LoadLocked(*e));
  return registry_->SetEnabled(id, true);
}

Status PluginHost::Disable(std::string_view id) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto e, registry_->Get(id));
  if (!e) return NotFoundError("no plugin " + std::string(id));
  if (manager_.Get(id)) manager_.Unload(id).IgnoreError();
  return registry_->SetEnabled(id, false);
}

Status PluginHost::Configure(std::string_view id, const PluginSettings& settings) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto e, registry_->Get(id));
  if (!e) return NotFoundError("no plugin " + std::string(id));
  PIER_ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(e->manifest_json));
  if (!settings.config_json.empty()) {
    auto config = ParseJson(settings.config_json);
    if (!config.ok()) return InvalidArgumentError("config: " + config.status().message());
    if (!config->is_object()) return InvalidArgumentError("config must be a JSON object");
    PIER_RETURN_IF_ERROR(ValidateConfig(manifest, *config));
  }
  PIER_RETURN_IF_ERROR(registry_->SetSettings(id, settings));
  if (!e->enabled) return OkStatus();
  e->settings = settings;
  if (Status gate = CheckEnableGates(manifest, settings); !gate.ok()) {
    manager_.Unload(id).IgnoreError();
    PIER_RETURN_IF_ERROR(registry_->SetEnabled(id, false));
    PIER_RETURN_IF_ERROR(registry_->SetLastError(id, gate.message()));
    return gate;
  }
  return LoadLocked(*e);  // unload-and-reload with the new settings
}

Status PluginHost::ApplyChange(const SyncChange& change) {
  switch (change.kind) {
    case SyncChange::Kind::kAdded:
      spdlog::info("plugin {} discovered (disabled until enabled)", change.id);
      return OkStatus();
    case SyncChange::Kind::kInvalid:
      spdlog::error("plugin {}: package rejected, previous version (if any) keeps running: {}", change.id,
                    change.error);
      return OkStatus();
    case SyncChange::Kind::kRemoved:
      if (manager_.Get(change.id)) manager_.Unload(change.id).IgnoreError();
      spdlog::info("plugin {} removed", change.id);
      return OkStatus();
    case SyncChange::Kind::kChanged: {
      PIER_ASSIGN_OR_RETURN(auto e, registry_->Get(change.id));
      if (!e || !e->enabled) return OkStatus();
      spdlog::info("plugin {} changed on disk: reloading", change.id);
      if (Status st = LoadLocked(*e); !st.ok()) {
        spdlog::error("plugin {}: reload failed, previous version keeps running: {}", change.id, st.message());
      }
      return OkStatus();
    }
  }
  return OkStatus();
}

Status PluginHost::Refresh(std::string_view id) {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto change, registry_->SyncOne(config_.plugins_dir, id));
  return change ? ApplyChange(*change) : OkStatus();
}

Status PluginHost::Rescan() {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto changes, registry_->Sync(config_.plugins_dir));
  for (const SyncChange& c : changes) PIER_RETURN_IF_ERROR(ApplyChange(c));
  return OkStatus();
}

Status PluginHost::Reconcile() {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto rows, registry_->List());
  for (const RegistryEntry& e : rows) {
    auto loaded = manager_.Get(e.id);
    if (!e.enabled && loaded) {
      manager_.Unload(e.id).IgnoreError();
    } else if (e.enabled && (!loaded || !(loaded->settings == e.settings))) {
      if (Status st = LoadLocked(e); !st.ok()) spdlog::error("plugin {}: {}", e.id, st.message());
    }
  }
  return OkStatus();
}

Result<std::vector<PluginState>> PluginHost::States() {
  MutexLock lock(mu_);
  PIER_ASSIGN_OR_RETURN(auto rows, registry_->List());
  std::vector<PluginState> out;
  for (RegistryEntry& e : rows) {
    PluginState s;
    if (auto loaded = manager_.Get(e.id)) {
      s.loaded = true;
      s.capabilities = loaded->capabilities;
    }
    s.entry = std::move(e);
    out.push_back(std::move(s));
  }
  return out;
}

bool PluginHost::Known(std::string_view id) {
  MutexLock lock(mu_);
  auto e = registry_->Get(id);
  return e.ok() && e->has_value();
}

void PluginHost::Shutdown() {
  MutexLock lock(mu_);
  for (const std::string& id : manager_.loaded()) manager_.Unload(id).IgnoreError();
}

}  // namespace pier
