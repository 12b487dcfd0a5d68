// Names and parsers for the small public enums, and CallResult::Describe.
#include <algorithm>
#include <cctype>
#include <string>

#include "pier/call_result.h"
#include "pier/log_level.h"
#include "pier/plugin_options.h"

namespace pier {

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view text) {
  const std::string t = Lower(text);
  if (t == "trace") return LogLevel::kTrace;
  if (t == "debug") return LogLevel::kDebug;
  if (t == "info") return LogLevel::kInfo;
  if (t == "warn" || t == "warning") return LogLevel::kWarn;
  if (t == "error") return LogLevel::kError;
  if (t == "off") return LogLevel::kOff;
  return InvalidArgumentError("unknown log level '" + std::string(text) +
                              "' (expected trace, debug, info, warn, error or off)");
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

std::string_view InstanceModeName(InstanceMode mode) {
  return mode == InstanceMode::kPooled ? "pooled" : "fresh";
}

Result<InstanceMode> ParseInstanceMode(std::string_view text) {
  const std::string t = Lower(text);
  if (t == "pooled" || t == "pool") return InstanceMode::kPooled;
  if (t == "fresh") return InstanceMode::kFreshPerCall;
  return InvalidArgumentError("unknown instance mode '" + std::string(text) + "' (expected pooled or fresh)");
}

std::string_view TrapKindName(TrapKind kind) {
  switch (kind) {
    case TrapKind::kTimeout: return "timeout";
    case TrapKind::kCancelled: return "cancelled";
    case TrapKind::kOutOfMemory: return "out of memory";
    case TrapKind::kOutOfFuel: return "out of fuel";
    case TrapKind::kStackOverflow: return "stack overflow";
    case TrapKind::kCrash: return "crash";
  }
  return "crash";
}

std::string CallResult::Describe() const {
  if (is_output()) return "output (" + std::to_string(output().size()) + " bytes)";
  if (is_plugin_error()) {
    const PluginError& e = plugin_error();
    return "plugin error (code " + std::to_string(e.code) + "): " + e.message;
  }
  return "trap (" + std::string(TrapKindName(trap().kind)) + "): " + trap().message;
}

}  // namespace pier
