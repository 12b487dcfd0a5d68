// Log levels shared by Pier's logger and the Extism `log_*` / `get_log_level`
// imports. The numeric values are the Extism wire values.
//
//   pier::LogLevel level = pier::ParseLogLevel("debug").value();
//   if (level <= pier::LogLevel::kInfo) { ... }
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "pier/status.h"

namespace pier {

enum class LogLevel : int32_t {
  kTrace = 0,
  kDebug = 1,
  kInfo = 2,
  kWarn = 3,
  kError = 4,
  kOff = 2147483647,  // what `get_log_level` returns when logging is off
};

// "trace", "debug", "info", "warn" (or "warning"), "error", "off"; case-insensitive.
Result<LogLevel> ParseLogLevel(std::string_view text);
std::string_view LogLevelName(LogLevel level);

// Receives every message a plugin logs (Extism log_* and WASI stdout/stderr),
// already filtered by the plugin's level. Called on the calling thread of the
// plugin call; must be thread-safe when the plugin is called concurrently.
using LogSink = std::function<void(LogLevel level, std::string_view plugin, std::string_view message)>;

}  // namespace pier
