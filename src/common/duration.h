// Durations from outside (configuration files, plugin requests, the admin
// API) are bounded before any arithmetic, and time arithmetic saturates, so
// a value such as 9223372036854775807 can neither overflow nor wrap around
// to "now".
//
//   PIER_RETURN_IF_ERROR(CheckDurationMs(spec.delay_ms, "delayMs"));
//   int64_t due = SaturatingAdd(now_ms, spec.delay_ms);
//   PIER_ASSIGN_OR_RETURN(auto t, ParseDuration("1h30m", std::chrono::hours(24)));
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "pier/status.h"

namespace pier {

// The longest delay Pier accepts anywhere: 100 years. A Unix time in
// milliseconds plus this stays far from INT64_MAX.
inline constexpr int64_t kMaxDurationMs = 100LL * 365 * 24 * 3600 * 1000;

// a + b, saturated to the int64_t range.
int64_t SaturatingAdd(int64_t a, int64_t b);

// OK when 0 <= ms <= max_ms; otherwise InvalidArgument naming `what`.
Status CheckDurationMs(int64_t ms, std::string_view what, int64_t max_ms = kMaxDurationMs);

// "250ms", "30s", "2m", "1h", "1h30m" or a plain number of milliseconds;
// OutOfRange above `max` (the message gives the bound), InvalidArgument for
// anything else. Zero is allowed.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text, std::chrono::milliseconds max);

// "1h30m", "2s", "250ms": how ParseDuration would read it back.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace pier
