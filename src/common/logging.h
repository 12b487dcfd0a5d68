// Pier's logger (spdlog underneath) and the default sink for plugin logs.
//
//   internal::DefaultLogSink()(LogLevel::kInfo, "echo", "hello");
//   // [info] [plugin:echo] hello
#pragma once

#include "pier/log_level.h"

namespace pier::internal {

// Writes plugin messages to spdlog's default logger, tagged with the plugin.
LogSink DefaultLogSink();

// Sets the threshold of spdlog's default logger.
void SetHostLogLevel(LogLevel level);

}  // namespace pier::internal
