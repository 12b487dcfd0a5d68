#include "manager/plugin_manager.h"

#include <spdlog/spdlog.h>

#include <atomic>

#include "pier/capabilities/callers.h"
#include "pier/services/host_services.h"
#include "manager/host_call_metrics.h"
#include "manager/plugin_services.h"
#include "services/config/config_service.h"
#include "services/taskqueue/task_service.h"

namespace pier {

namespace {

// A plugin's services, as background work: stopped before the plugin goes.
class ServiceWork final : public BackgroundWork {
 public:
  explicit ServiceWork(PluginServices& services) : services_(services) {}
  void Stop() override { services_.Stop(); }

 private:
  PluginServices& services_;
};

}  // namespace

void LoadedPlugin::StopBackground() {
  while (!background.empty()) {
    background.back()->Stop();
    background.pop_back();
  }
}

LoadedPlugin::~LoadedPlugin() { StopBackground(); }

Status CheckEnableGates(const Manifest& manifest, const PluginSettings& settings) {
  if (manifest.permissions.users && !settings.all_users && settings.users.empty()) {
    return FailedPreconditionError(
        "users permission requires configuration: select users or enable 'all users' access");
  }
  if (manifest.permissions.library && !settings.all_libraries && settings.libraries.empty()) {
    return FailedPreconditionError(
        "library permission requires configuration: select libraries or enable 'all libraries' access");
  }
  return OkStatus();
}

PluginManager::PluginManager(Runtime& runtime, ManagerOptions options)
    : runtime_(runtime), options_(std::move(options)) {}

Result<std::shared_ptr<LoadedPlugin>> PluginManager::Load(const std::filesystem::path& path,
                                                         const PluginSettings& settings) {
  auto loaded = LoadPackage(path, settings);
  // The plugin's ID, or (a package that could not be read) its file name without the extension.
  const std::string plugin = loaded.ok() ? (*loaded)->id : path.stem().string();
  runtime_.metrics()
      ->GetCounter("pier_plugin_loads_total", "Loads of a plugin (reloads included), by outcome.",
                   {{"plugin", plugin}, {"outcome", loaded.ok() ? "ok" : "error"}})
      .Add();
  return loaded;
}

Result<std::shared_ptr<LoadedPlugin>> PluginManager::LoadPackage(const std::filesystem::path& path,
                                                                const PluginSettings& settings) {
  // 1. Configuration.
  PIER_ASSIGN_OR_RETURN(auto config, services::PluginConfigValues(settings.config_json));

  // 2. The package.
  auto package = OpenPackage(path);
  if (!package.ok()) return Status(package.status().code(), "opening package: " + package.status().message());
  auto loaded = std::make_shared<LoadedPlugin>();
  loaded->id = package->id;
  loaded->path = path;
  loaded->sha256 = package->sha256;
  loaded->manifest = package->manifest;
  loaded->settings = settings;
  const Manifest& manifest = loaded->manifest;

  // 3. Limits and allowed hosts; 5. host services granted by permissions.
  PluginOptions options;
  options.name = loaded->id;
  options.config = config;
  options.timeout = options_.call_timeout;
  options.instance_mode = options_.instance_mode;
  options.log_level = options_.log_level;
  options.log_sink = options_.log_sink;
  if (manifest.permissions.http) options.allowed_hosts = manifest.permissions.http->required_hosts;
  ServiceSettings service_settings{.data_dir = options_.data_dir,
                                   .call_timeout = options_.call_timeout,
                                   .cache_max_bytes = options_.cache_max_bytes,
                                   .ca_file = options_.ca_file,
                                   .node_id = options_.node_id,
                                   .task_shutdown_grace = options_.task_shutdown_grace,
                                   .task_lease_slack = options_.task_lease_slack,
                                   .task_recovery_interval = options_.task_recovery_interval,
                                   .task_durability_full = options_.task_durability_full,
                                   .storage = options_.storage,
                                   .log_sink = options_.log_sink,
                                   .music = options_.music,
                                   .metrics = runtime_.metrics()};
  service_settings.queue_overrides_json = settings.queues_json;
  const MusicScope scope{.all_users = settings.all_users,
                         .users = settings.users,
                         .all_libraries = settings.all_libraries,
                         .libraries = settings.libraries,
                         .allow_write_access = settings.allow_write_access};
  auto services = PluginServices::Create(loaded->id, manifest, config, service_settings, scope, &options);
  if (!services.ok()) return services.status();
  loaded->services = std::move(*services);
  loaded->tasks = loaded->services->tasks();
  services::HostServices host = loaded->services->Bindings();
  // Host-service errors seen while nd_on_init runs are kept for init_error.
  struct InitWatch {
    std::atomic<bool> active{false};
    Mutex mu;
    std::string first PIER_GUARDED_BY(mu);
  };
  auto watch = std::make_shared<InitWatch>();
  auto counts = std::make_shared<HostCallMetrics>(*runtime_.metrics(), loaded->id);
  host.observer = [watch, counts, metrics = runtime_.metrics()](std::string_view function, std::string_view error) {
    counts->Observe(function, error);
    if (error.empty() || !watch->active.load(std::memory_order_relaxed)) return;
    MutexLock lock(watch->mu);
    if (watch->first.empty()) watch->first = std::string(function) + ": " + std::string(error);
  };
  const std::set<std::string> granted = manifest.permissions.Granted();
  options.host_functions = services::BindHostServices(host, granted);
  options.explain_missing_import = services::MissingImportExplainer(granted);

  // 6. Compile (module cache) and link.
  auto plugin = runtime_.Load(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(package->wasm.data()),
                                                      package->wasm.size()),
                              std::move(options));
  if (!plugin.ok()) {
    const char* prefix = plugin.status().code() == StatusCode::kNotFound ? "creating instance: " : "compiling plugin: ";
    return Status(plugin.status().code(), prefix + plugin.status().message());
  }
  loaded->plugin = std::move(*plugin);

  // 7. Capabilities, from exports alone; 8. their rules.
  loaded->capabilities = capabilities::DetectCapabilities(*loaded->plugin);
  PIER_RETURN_IF_ERROR(CheckCapabilityRules(manifest, loaded->capabilities,
                                            [&](std::string_view e) { return loaded->plugin->HasExport(e); }));

  // 9. Registration, replacing a previous version whose work stops first.
  std::shared_ptr<LoadedPlugin> previous;
  {
    MutexLock lock(mu_);
    if (auto it = loaded_.find(loaded->id); it != loaded_.end()) previous = it->second;
  }
  if (previous) previous->StopBackground();
  {
    MutexLock lock(mu_);
    loaded_[loaded->id] = loaded;
  }
  loaded->background.push_back(std::make_unique<ServiceWork>(*loaded->services));
  if (options_.run_init) loaded->services->Start(*loaded->plugin);
  if (options_.start_background) {
    for (auto& work : options_.start_background(*loaded)) loaded->background.push_back(std::move(work));
  }

  // 10. nd_on_init: failures are logged, the plugin stays loaded.
  if (options_.run_init && loaded->plugin->HasExport("nd_on_init")) {
    watch->active = true;
    auto init = capabilities::CallLifecycleOnInit(*loaded->plugin, {});
    watch->active = false;
    if (!init.ok()) {
      loaded->init_error = "nd_on_init: " + init.status().message();
    } else if (!init->ok() && init->kind != capabilities::CallKind::kNotImplemented) {
      loaded->init_error = "nd_on_init failed: " + init->error;
    } else {
      MutexLock lock(watch->mu);
      if (!watch->first.empty()) loaded->init_error = "during nd_on_init, " + watch->first;
    }
    if (!loaded->init_error.empty()) spdlog::error("plugin {}: {}", loaded->id, loaded->init_error);
  }
  spdlog::info("plugin {} loaded (capabilities: {})", loaded->id, fmt::join(loaded->capabilities, ", "));
  return loaded;
}

Status PluginManager::Unload(std::string_view id) {
  std::shared_ptr<LoadedPlugin> gone;
  {
    MutexLock lock(mu_);
    auto it = loaded_.find(id);
    if (it == loaded_.end()) return NotFoundError("plugin " + std::string(id) + " is not loaded");
    gone = it->second;
  }
  gone->StopBackground();  // while still registered: the work may still look the plugin up
  {
    MutexLock lock(mu_);
    if (auto it = loaded_.find(id); it != loaded_.end() && it->second == gone) loaded_.erase(it);
  }
  spdlog::info("plugin {} unloaded", gone->id);
  return OkStatus();
}

std::shared_ptr<LoadedPlugin> PluginManager::Get(std::string_view id) const {
  MutexLock lock(mu_);
  auto it = loaded_.find(id);
  return it == loaded_.end() ? nullptr : it->second;
}

std::vector<std::string> PluginManager::loaded() const {
  MutexLock lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, p] : loaded_) ids.push_back(id);
  return ids;
}

}  // namespace pier
