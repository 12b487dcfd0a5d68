// `pier call PACKAGE EXPORT`: a package loaded as `pier serve` loads it, on a
// data folder, or the call sent to the server that runs on that folder.
#include <httplib.h>
#include <unistd.h>

#include <iostream>
#include <map>

#include "cli/call_command.h"
#include "cli/server_files.h"
#include "common/logging.h"
#include "cli/music_setup.h"
#include "manager/plugin_manager.h"
#include "manager/plugin_registry.h"
#include "package/package.h"
#include "pier/json.h"
#include "storage/sqlite/database.h"

namespace pier::cli {

namespace {

// The data folder, made and removed here when the caller gave none.
class DataFolder {
 public:
  explicit DataFolder(const std::string& given) {
    if (!given.empty()) {
      path_ = std::filesystem::absolute(given);
      return;
    }
    char tmpl[] = "/tmp/pier-call-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) {
      path_ = tmpl;
      temporary_ = true;
    }
  }
  ~DataFolder() {
    std::error_code ec;
    if (temporary_) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  bool temporary() const { return temporary_; }

 private:
  std::filesystem::path path_;
  bool temporary_ = false;
};

// Sends the call to the running server's loaded plugin.
int ViaServer(const RunningServer& server, const std::string& id, const CallArgs& a, const std::string& input) {
  if (server.admin_url.empty()) {
    std::cerr << "pier call: a pier serve (pid " << server.pid << ") runs on this data folder without its admin API; "
              << "give it admin_listen, or stop it\n";
    return kExitHostError;
  }
  httplib::Client client(server.admin_url);
  client.set_bearer_token_auth(server.token);
  client.set_read_timeout(std::chrono::milliseconds(std::max<int64_t>(a.timeout_ms, 1000) + 60000));
  auto res = client.Post("/api/plugins/" + id + "/call/" + a.export_name, input, "application/octet-stream");
  if (!res) {
    std::cerr << "pier call: the server at " << server.admin_url << " did not answer (" << httplib::to_string(res.error())
              << ")\n";
    return kExitHostError;
  }
  const std::string outcome = res->get_header_value("X-Pier-Outcome");
  if (res->status != 200 || outcome.empty()) {
    auto j = ParseJsonOrNull(res->body);
    std::cerr << "pier call: " << (j.is_object() ? j.value("error", res->body) : res->body) << "\n";
    return kExitHostError;
  }
  if (outcome == "output") return Report(CallResult::Output(res->body));
  if (outcome == "plugin-error") {
    return Report(CallResult::Error(PluginError{res->body, std::atoi(res->get_header_value("X-Pier-Code").c_str())}));
  }
  std::cerr << "pier call: trap (" << res->get_header_value("X-Pier-Trap") << "): " << res->body << "\n";
  return kExitTrap;
}

}  // namespace

int RunCallPackage(const CallArgs& a) {
  const std::filesystem::path package_path = std::filesystem::absolute(a.plugin);
  const std::string id = PluginIdFor(package_path);
  if (Status st = ValidatePluginId(id); !st.ok()) {
    std::cerr << "pier call: " << st.message() << " (the plugin ID is the package's file or folder name)\n";
    return kExitHostError;
  }
  auto in = PrepareCall(a);
  if (!in) return kExitHostError;
  if (!in->mounts.empty()) {
    std::cerr << "pier call: --allow-path is for bare .wasm files; a package's folders come from its "
                 "manifest's permissions\n";
    return kExitHostError;
  }

  DataFolder data(a.data);
  if (data.path().empty()) {
    std::cerr << "pier call: cannot make a temporary data folder\n";
    return kExitHostError;
  }
  if (!data.temporary()) {
    if (auto server = FindRunningServer(data.path())) {
      if (in->loop > 1) {
        std::cerr << "pier call: --loop needs one instance of its own; a running pier serve owns the plugin "
                     "in this data folder\n";
        return kExitHostError;
      }
      return ViaServer(*server, id, a, in->input);
    }
  }

  // Settings from the data folder's registry, --config on top.
  PluginSettings settings;
  nlohmann::json config = nlohmann::json::object();
  const auto registry_file = data.path() / "registry.db";
  if (std::filesystem::exists(registry_file)) {
    auto registry = PluginRegistry::Open(registry_file);
    if (!registry.ok()) {
      std::cerr << "pier call: " << registry.status().message() << "\n";
      return kExitHostError;
    }
    if (auto entry = (*registry)->Get(id); entry.ok() && entry->has_value()) {
      settings = (*entry)->settings;
      if (!settings.config_json.empty()) config = ParseJsonOrNull(settings.config_json);
      if (!config.is_object()) config = nlohmann::json::object();
    }
  }
  for (auto& [key, value] : in->config) config[key] = value;
  if (!a.users.empty()) settings.users = a.users;
  if (a.all_users) settings.all_users = true;
  if (!a.libraries.empty()) settings.libraries = a.libraries;
  if (a.all_libraries) settings.all_libraries = true;
  if (a.allow_write_access) settings.allow_write_access = true;
  settings.config_json = config.empty() ? "" : config.dump();

  auto runtime = CreateCallRuntime(a);
  if (!runtime) return kExitHostError;
  ManagerOptions options;
  options.data_dir = data.path();
  options.call_timeout = std::chrono::milliseconds(a.timeout_ms);
  options.instance_mode = in->mode;
  options.log_level = in->log_level;
  options.task_shutdown_grace = std::chrono::seconds(2);
  // The music services read the data folder's catalog (`pier library scan`).
  PierConfig catalog_config;
  catalog_config.data_folder = data.path();
  auto catalog = OpenCatalog(catalog_config, /*sync=*/false);
  if (!catalog.ok()) {
    std::cerr << "pier call: catalog: " << catalog.status().message() << "\n";
    return kExitHostError;
  }
  auto music = MakeMusicHost(*catalog, data.path(), [] { return std::string(); });
  if (!music.ok()) {
    std::cerr << "pier call: " << music.status().message() << "\n";
    return kExitHostError;
  }
  options.music = music->host;
  PluginManager manager(*runtime, options);
  auto loaded = manager.Load(package_path, settings);
  if (!loaded.ok()) {
    std::cerr << "pier call: " << loaded.status().message() << "\n";
    return kExitHostError;
  }
  const int rc = CallAndReport(*(*loaded)->plugin, a.export_name, *in);
  manager.Unload(id).IgnoreError();
  return rc;
}

}  // namespace pier::cli
