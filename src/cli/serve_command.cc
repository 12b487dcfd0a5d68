#include "cli/serve_command.h"

#include <signal.h>
#include <sys/resource.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <iostream>

#include "admin/admin_server.h"
#include "cli/config_args.h"
#include "common/random_id.h"
#include "cli/music_setup.h"
#include "cli/plugins_command.h"
#include "cli/server_files.h"
#include "common/listen_address.h"
#include "common/mutex.h"
#include "common/logging.h"
#include "common/thread.h"
#include "config/pier_config.h"
#include "manager/folder_watcher.h"
#include "manager/plugin_host.h"
#include "metrics/process_metrics.h"
#include "music/agents.h"
#include "music/music_admin.h"
#include "music/scrobbling.h"
#include "music/share_image.h"
#include "music/track_queries.h"
#include "storage/sqlite/database.h"

namespace pier::cli {

namespace {
// Admin request bodies: a batch of 10,000 tasks of typical size, not a disk.
constexpr size_t kAdminMaxBody = 16 << 20;
}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeArgs& a) {
  CLI::App* cmd = app.add_subcommand("serve", "Run a folder of plugins as a service until SIGINT/SIGTERM");
  cmd->add_option("--config", a.config, "Pier configuration file (TOML)");
  cmd->add_option("--plugins", a.plugins, "Plugins folder (.ndp files and plugin folders); overrides the file");
  cmd->add_option("--data", a.data, "Data folder (registry, plugin data, module cache); overrides the file");
  cmd->add_option("--log-level", a.log_level, "trace, debug, info, warn, error or off; overrides the file");
  cmd->add_flag("--no-watch", a.no_watch, "Do not reload packages that change on disk");
  cmd->add_option("--admin", a.admin, "Admin API address on loopback, host:port or [::1]:port (port 0 = any; \"\" = off)")
      ->each([&a](const std::string&) { a.admin_given = true; });
  cmd->add_flag("--start-over", a.start_over,
                "A database file that is empty, not SQLite or damaged is moved aside and started anew "
                "(default: refuse to start, naming the file)");
  cmd->add_option("--run-for", a.run_for_seconds, "Stop by itself after this many seconds (demos, tests)");
  cmd->add_option("--dashboard-dir", a.dashboard_dir,
                  "Serve the dashboard from this folder (its sources, while developing) instead of the built-in copy")
      ->check(CLI::ExistingDirectory);
  return cmd;
}

int RunServe(const ServeArgs& a) {
  auto resolved = ResolveConfig(a.config, a.plugins, a.data);
  if (!resolved.ok()) {
    std::cerr << "pier serve: " << resolved.status().message() << "\n";
    return 3;
  }
  PierConfig config = *resolved;
  if (!a.log_level.empty()) {
    auto level = ParseLogLevel(a.log_level);
    if (!level.ok()) {
      std::cerr << "pier serve: " << level.status().message() << "\n";
      return 3;
    }
    config.log_level = *level;
  }
  if (a.admin_given) config.admin_listen = a.admin;
  internal::SetHostLogLevel(config.log_level);
  std::optional<ListenAddress> admin_address;
  if (!config.admin_listen.empty()) {
    auto parsed = ParseListenAddress(config.admin_listen);
    if (!parsed.ok()) {
      std::cerr << "pier serve: the admin API listens on loopback only: " << parsed.status().message() << "\n";
      return 3;
    }
    admin_address = *parsed;
  }
  if (a.start_over) sqlite::SetBrokenFilePolicy(sqlite::BrokenFile::kStartOver);
  std::error_code ec;
  if (!std::filesystem::is_directory(config.plugins_folder, ec)) {
    std::cerr << "pier serve: the plugins folder " << config.plugins_folder.string()
              << " does not exist (create it, or point --plugins or plugins_folder at the right one)\n";
    return 3;
  }
  std::filesystem::create_directories(config.data_folder, ec);
  // One server per data folder; the lock also tells other commands one runs.
  auto lock = ServerLock::Acquire(config.data_folder);
  if (!lock.ok()) {
    std::cerr << "pier serve: " << lock.status().message() << "\n";
    return 3;
  }

  // Connections and plugin files need descriptors: take what the hard limit allows.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  // Signals are taken synchronously below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // `pier plugins` changed the registry
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto runtime = Runtime::Create({.cache_dir = config.cache_folder});
  if (!runtime.ok()) {
    std::cerr << "pier serve: " << runtime.status().message() << "\n";
    return 3;
  }
  spdlog::info("pier serve: plugins in {}, data in {}", config.plugins_folder.string(), config.data_folder.string());
  Metrics& metrics = *(*runtime)->metrics();
  const Metrics::Collector process_metrics = AddProcessMetrics(metrics);
  metrics.GetGauge("pier_build_info", "Always 1; the labels name the build.",
                   {{"version", PIER_VERSION}, {"wasmtime", std::string(Runtime::WasmtimeVersion())}})
      .Set(1);

  // The reference catalog behind the music services; artwork URLs name the
  // share URL, else the admin listener once it is known.
  auto catalog = OpenCatalog(config, /*sync=*/true);
  if (!catalog.ok()) {
    std::cerr << "pier serve: catalog: " << catalog.status().message() << "\n";
    return 3;
  }
  struct ShareBase {
    explicit ShareBase(std::string u) : url(std::move(u)) {}
    Mutex mu;
    std::string url PIER_GUARDED_BY(mu);
  };
  auto share_base = std::make_shared<ShareBase>(config.share_url);
  auto music = MakeMusicHost(*catalog, config.data_folder, [share_base] {
    MutexLock l(share_base->mu);
    return share_base->url;
  });
  if (!music.ok()) {
    std::cerr << "pier serve: " << music.status().message() << "\n";
    return 3;
  }
  std::atomic<bool> stopping{false};
  std::thread scanner;
  if (config.scan_on_start && !config.libraries.empty()) {
    scanner = StartThread("pier-scan", [c = *catalog, &stopping] {
      auto reports = ScanLibraries(*c, 0, false, {}, [&stopping] { return stopping.load(); });
      if (!reports.ok()) {
        spdlog::error("pier serve: library scan: {}", reports.status().message());
        return;
      }
      for (const auto& r : *reports) {
        spdlog::info("pier serve: library {} scanned: {} files ({} added, {} updated, {} removed, {} skipped) in {:.1f} s",
                     r.library_id, r.files, r.added, r.updated, r.removed, r.problems.size(), r.seconds);
        for (const auto& p : r.problems) spdlog::warn("library {}: skipped {}: {}", r.library_id, p.path, p.message);
      }
    });
  }
  auto stop_scanner = [&] {
    stopping = true;
    if (scanner.joinable()) scanner.join();
  };

  auto storage = OpenStorage(config, /*listen=*/true);
  if (!storage.ok()) {
    std::cerr << "pier serve: storage: " << storage.status().message() << "\n";
    stop_scanner();
    return 3;
  }
  // The plugins' log lines, kept for the dashboard's tail, then logged as before.
  LogRing plugin_logs(1000, 4096, &metrics);
  HostConfig host_config{config.plugins_folder, config.data_folder,
                         ManagerOptions{config.call_timeout, config.instance_mode, config.log_level,
                                        plugin_logs.Sink(internal::DefaultLogSink())}};
  host_config.manager.music = music->host;
  host_config.manager.storage = *storage;
  host_config.manager.node_id = NodeId(config);
  host_config.manager.task_lease_slack = config.task_lease_slack;
  host_config.manager.task_recovery_interval = config.task_recovery_interval;
  host_config.manager.task_durability_full = config.task_durability_full;
  if (*storage) {
    spdlog::info("pier serve: task queues and key-value data in PostgreSQL at {} (node {})", (*storage)->redacted_url(),
                 host_config.manager.node_id);
  }
  host_config.manager.cache_max_bytes = config.cache_max_bytes;
  host_config.manager.ca_file = config.ca_file.string();
  auto host = PluginHost::Start(**runtime, host_config);
  if (!host.ok()) {
    std::cerr << "pier serve: " << host.status().message() << "\n";
    stop_scanner();
    return 3;
  }
  // Plays reach the Scrobbler plugins; retry-later scrobbles wait in plays.db.
  PluginHost* plugin_host = host->get();
  music::ScrobblingOptions scrobbling_options;
  scrobbling_options.call_timeout = config.call_timeout;
  scrobbling_options.retry_backoff = config.scrobble_retry_backoff;
  scrobbling_options.retry_backoff_max = std::max(config.scrobble_retry_backoff_max, config.scrobble_retry_backoff);
  scrobbling_options.buffer_max_per_plugin = config.scrobble_buffer_max;
  auto loaded_plugins = [plugin_host] {
    std::vector<std::shared_ptr<LoadedPlugin>> out;
    auto states = plugin_host->States();
    if (!states.ok()) return out;
    for (const PluginState& s : *states) {
      if (auto p = plugin_host->Get(s.entry.id)) out.push_back(std::move(p));
    }
    return out;
  };
  music::Scrobbling scrobbling(*catalog, music->plays, loaded_plugins, scrobbling_options,
                               [plugin_host](std::string_view id) { return plugin_host->Known(id); });
  scrobbling.Start();
  music::TrackQueries track_queries(loaded_plugins, *catalog, config.call_timeout);
  music::AgentChain agents(
      [plugin_host](std::string_view id) { return plugin_host->Get(id); }, *catalog,
      music::AgentOptions{.order = config.agents,
                          .call_timeout = config.call_timeout,
                          .cache_ttl = config.agent_cache_ttl,
                          .failure_backoff = config.agent_failure_backoff});

  auto states = (*host)->States();
  if (states.ok()) {
    size_t loaded = 0;
    for (const PluginState& s : *states) loaded += s.loaded;
    spdlog::info("pier serve: {} plugin(s) known, {} loaded", states->size(), loaded);
  }

  std::unique_ptr<FolderWatcher> watcher;
  if (config.auto_reload && !a.no_watch) {
    watcher = std::make_unique<FolderWatcher>(config.plugins_folder, config.reload_debounce,
                                              [h = host->get()](const std::string& id) {
                                                if (Status st = h->Refresh(id); !st.ok()) {
                                                  spdlog::error("plugin {}: {}", id, st.message());
                                                }
                                              });
    if (Status st = watcher->Start(); !st.ok()) {
      spdlog::error("pier serve: not watching for changes: {}", st.message());
      watcher.reset();
    }
  }

  std::unique_ptr<AdminServer> admin;
  std::string admin_token;
  if (admin_address) {
    admin = std::make_unique<AdminServer>(**host, http::ServerOptions{.max_body_bytes = kAdminMaxBody});
    // A new token each run, readable only through the data folder (pier.admin, 0600).
    admin_token = NewRandomId() + NewRandomId();
    const std::string read_only_token = NewRandomId() + NewRandomId();
    admin->SetAccess({.token = admin_token, .read_only_token = read_only_token, .read_only = config.admin_read_only});
    admin->ServeMetrics((*runtime)->metrics());
    admin->ServeCharts();
    admin->ServeDashboard(a.dashboard_dir);
    admin->ServeLogs(&plugin_logs);
    if (Status st = admin->KeepAudit(config.data_folder / "admin-audit.jsonl"); !st.ok()) {
      spdlog::warn("pier serve: {}; the audit log is kept in memory only", st.message());
    }
    admin->ServeDirectory([c = *catalog]() -> Result<Directory> {
      Directory d;
      PIER_ASSIGN_OR_RETURN(auto users, c->Users());
      for (const auto& u : users) d.users.push_back({u.id, u.name.empty() ? u.user_name : u.name});
      PIER_ASSIGN_OR_RETURN(auto libraries, c->Libraries());
      for (const auto& l : libraries) d.libraries.push_back({std::to_string(l.id), l.name});
      return d;
    });
    music::AddShareImageRoute(admin->router(), *catalog, music->secret);
    music::AddMusicRoutes(admin->router(), scrobbling, agents, track_queries, *catalog, music->plays);
    if (Status st = admin->Start(admin_address->host, admin_address->port); !st.ok()) {
      std::cerr << "pier serve: admin API: " << st.message() << "\n";
      scrobbling.Stop();
      (*host)->Shutdown();
      stop_scanner();
      return 3;
    }
    const std::string url = "http://" + admin_address->ToString(admin->port());
    if (config.share_url.empty()) {
      MutexLock l(share_base->mu);
      share_base->url = url;
    }
    (*lock)->PublishAdminUrl(url, admin_token, read_only_token);
    spdlog::info("pier serve: admin API on {}/api/plugins{}", url, config.admin_read_only ? " (read-only)" : "");
    // The token rides in the fragment, which browsers never send: the page exchanges it for a session.
    spdlog::info("pier serve: dashboard at {}/#token={}", url, admin_token);
  }

  // Last: everything above (lock, pid file, admin file) exists once this is logged.
  spdlog::info("pier serve: ready (pid {})", getpid());
  const auto stop_at = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<int64_t>(a.run_for_seconds * 1000));
  int signal_number = 0;
  while (true) {
    if (a.run_for_seconds > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(stop_at - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      const timespec wait{static_cast<time_t>(left.count() / 1000000000), static_cast<long>(left.count() % 1000000000)};
      signal_number = sigtimedwait(&signals, nullptr, &wait);
      if (signal_number < 0) continue;  // timeout (re-checked above) or EINTR
    } else if (sigwait(&signals, &signal_number) != 0) {
      continue;
    }
    if (signal_number != SIGHUP) break;
    spdlog::info("pier serve: registry changed, applying");
    if (Status st = (*host)->Reconcile(); !st.ok()) spdlog::error("pier serve: {}", st.message());
    signal_number = 0;
  }
  spdlog::info("pier serve: {}, shutting down", signal_number > 0 ? strsignal(signal_number) : "time is up");
  stop_scanner();
  if (watcher) watcher->Stop();
  if (admin) admin->Stop();
  scrobbling.Stop();
  (*host)->Shutdown();
  lock->reset();  // removes pier.pid and pier.admin, releases the lock
  spdlog::info("pier serve: stopped");
  return 0;
}

}  // namespace pier::cli
