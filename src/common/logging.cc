#include "common/logging.h"

#include <spdlog/spdlog.h>

namespace pier::internal {

namespace {
spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}
}  // namespace

LogSink DefaultLogSink() {
  return [](LogLevel level, std::string_view plugin, std::string_view message) {
    spdlog::log(ToSpd(level), "[plugin:{}] {}", plugin, message);
  };
}

void SetHostLogLevel(LogLevel level) { spdlog::set_level(ToSpd(level)); }

}  // namespace pier::internal
