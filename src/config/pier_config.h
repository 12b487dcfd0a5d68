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
//   [cache]
//   max_bytes = "64MiB"         # per plugin; least recently used entries go first
//   [tls]
//   ca_file = "/etc/ssl/private-ca.pem"   # trusted besides the system's roots
//
//   auto config = LoadPierConfig("pier.toml").value();
#pragma once

#include <chrono>
#include <filesystem>
#include <string_view>

#include "pier/log_level.h"
#include "pier/plugin_options.h"
#include "common/duration.h"
#include "common/listen_address.h"
#include "pier/status.h"

namespace pier {

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
  int64_t cache_max_bytes = 64 << 20;           // [cache] max_bytes: each plugin's Cache service cap
  std::filesystem::path ca_file;                // [tls] ca_file: extra trust anchors for plugins' https/wss
};

Result<PierConfig> LoadPierConfig(const std::filesystem::path& file);
Result<PierConfig> ParsePierConfig(std::string_view toml_text, const std::filesystem::path& base_dir);

// Bounds of the duration settings (a larger value is refused, naming the key).
inline constexpr std::chrono::milliseconds kMaxCallTimeout = std::chrono::hours(24);
inline constexpr std::chrono::milliseconds kMaxReloadDebounce = std::chrono::hours(1);

}  // namespace pier
