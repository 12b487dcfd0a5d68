// Go's time.ParseDuration, exactly: "1h30m", "1.5s", "300ms", "-2m", "0";
// units ns, us (µs, μs), ms, s, m, h; Go's error texts (`time: invalid
// duration "x"`, `time: missing unit in duration "1"`, `time: unknown unit
// "d" in duration "1d"`). For the scheduler's `@every <duration>`.
#pragma once

#include <cstdint>
#include <string_view>

#include "pier/status.h"

namespace pier::scheduler {

// Nanoseconds.
Result<int64_t> ParseGoDuration(std::string_view text);

}  // namespace pier::scheduler
