// PierConfig: host settings for `pier serve`, from a TOML file. Relative paths
// are resolved against the file's folder; unknown keys and wrong types are
// errors that name the key.
//
//   # pier.toml
//   plugins_folder = "plugins"
//   data_folder = "data"
//   log_level = "info"
//   call_timeout = "30s"        # or milliseconds as an integer; at most 24h
//   instance_mode = "pooled"    # or "fresh"
//   auto_reload = true
//   reload_debounce = "2s"
//   admin_listen = "127.0.0.1:4533"  # loopback only; "" turns the admin API off
//   admin_read_only = false     # true: the admin API and dashboard only read, whatever the token
//   share_url = "https://music.example.org"  # base of artwork URLs; default http://<admin_listen>
//   scan_on_start = true        # rescan the libraries (incrementally) when pier serve starts
//   [cache]
//   max_bytes = "64MiB"         # per plugin; least recently used entries go first
//   [tls]
//   ca_file = "/etc/ssl/private-ca.pem"   # trusted besides the system's roots
//   [agents]
//   order = ["wikimedia", "lastfm"]   # MetadataAgent plugins, asked in this order
//   cache_ttl = "1h"            # answers kept; "0s" = no cache
//   failure_backoff = "1m"      # an agent that failed is skipped this long
//   [scrobbling]
//   retry_backoff = "30s"       # a retry-later scrobble waits this long, then twice as long…
//   retry_backoff_max = "1h"
//   buffer_max = 5000           # scrobbles kept per plugin
//   [[library]]                 # the reference catalog's libraries (Library, SubsonicAPI, Matcher)
//   id = 1
//   name = "Music"
//   path = "/srv/music"
//   [[user]]                    # users plugins may act for (no passwords: Pier authenticates no one)
//   user_name = "alice"         # id defaults to the user name; plugin settings list IDs
//   name = "Alice"
//   is_admin = true
//   libraries = [1]             # what the user sees through the Subsonic API; default every library
//
//   auto config = LoadPierConfig("pier.toml").value();
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pier/log_level.h"
#include "pier/plugin_options.h"
#include "common/duration.h"
#include "common/listen_address.h"
#include "pier/status.h"

namespace pier {

struct LibraryConfig {
  int32_t id = 0;  // > 0, unique
  std::string name;
  std::filesystem::path path;
};

struct UserConfig {
  std::string id;  // unique; defaults to user_name
  std::string user_name;  // unique, case-insensitively
  std::string name;
  bool is_admin = false;
  std::vector<int32_t> libraries;  // empty: every library
};

struct PierConfig {
  std::filesystem::path plugins_folder = "plugins";
  std::filesystem::path data_folder = "data";
  std::filesystem::path cache_folder;  // empty: <data_folder>/cache
  LogLevel log_level = LogLevel::kInfo;
  std::chrono::milliseconds call_timeout{30000};
  InstanceMode instance_mode = InstanceMode::kPooled;
  bool auto_reload = true;
  std::chrono::milliseconds reload_debounce{2000};
  std::string admin_listen = "127.0.0.1:4533";  // "host:port" on loopback; port 0 = any; "" = no admin API
  bool admin_read_only = false;                 // the admin API and dashboard change nothing, for anyone
  int64_t cache_max_bytes = 64 << 20;           // [cache] max_bytes: each plugin's Cache service cap
  std::filesystem::path ca_file;                // [tls] ca_file: extra trust anchors for plugins' https/wss
  std::string share_url;                        // base of artwork URLs; empty: http://<admin_listen>
  bool scan_on_start = true;
  std::vector<LibraryConfig> libraries;         // [[library]]
  std::vector<UserConfig> users;                // [[user]]
  // [scrobbling]: the retry buffer of retry-later scrobbles.
  std::chrono::milliseconds scrobble_retry_backoff{30000};       // retry_backoff: first wait, doubling
  std::chrono::milliseconds scrobble_retry_backoff_max{3600000}; // retry_backoff_max
  int64_t scrobble_buffer_max = 5000;                            // buffer_max: per plugin, newest kept
  // [agents]: the MetadataAgent chain.
  std::vector<std::string> agents;                               // order: plugin IDs, asked in this order
  std::chrono::milliseconds agent_cache_ttl{3600000};            // cache_ttl: answers kept; 0 = none
  std::chrono::milliseconds agent_failure_backoff{60000};        // failure_backoff: a failed agent is skipped
  // [storage]: where plugins' task queues and key-value data live.
  std::string storage_url;  // url (or PIER_STORAGE_URL): postgresql://...; empty = SQLite files per plugin
  std::string storage_node; // node: this node's name in task leases; empty = host name + data folder
  int storage_pool_size = 8;                                     // pool_size: connections per node
  std::chrono::milliseconds storage_statement_timeout{30000};    // statement_timeout
  // [taskqueue]
  std::chrono::milliseconds task_lease_slack{60000};     // lease_slack: a lease outlasts its call by this
  std::chrono::milliseconds task_recovery_interval{60000};  // recovery_interval: expired leases and retention
  // durability: "full" (true) syncs every commit to disk, so an acknowledged
  // enqueue or completion survives power loss; "normal" (false) survives a
  // crash of the process, not of the machine, and commits far faster.
  bool task_durability_full = true;
};

// The storage URL from PIER_STORAGE_URL overrides the file's (so a password
// need not be written into pier.toml).
void ApplyEnvironment(PierConfig& config);

Result<PierConfig> LoadPierConfig(const std::filesystem::path& file);
Result<PierConfig> ParsePierConfig(std::string_view toml_text, const std::filesystem::path& base_dir);

// Bounds of the duration settings (a larger value is refused, naming the key).
inline constexpr std::chrono::milliseconds kMaxCallTimeout = std::chrono::hours(24);
inline constexpr std::chrono::milliseconds kMaxReloadDebounce = std::chrono::hours(1);

}  // namespace pier
