#include "common/duration.h"

#include <charconv>
#include <limits>
#include <string>

namespace pier {

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t out = 0;
  if (!__builtin_add_overflow(a, b, &out)) return out;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

Status CheckDurationMs(int64_t ms, std::string_view what, int64_t max_ms) {
  if (ms < 0) return InvalidArgumentError(std::string(what) + " cannot be negative");
  if (ms > max_ms) {
    return InvalidArgumentError(std::string(what) + " of " + std::to_string(ms) + " ms exceeds the maximum of " +
                                std::to_string(max_ms) + " ms (" + FormatDuration(std::chrono::milliseconds(max_ms)) +
                                ")");
  }
  return OkStatus();
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text, std::chrono::milliseconds max) {
  const std::string shown(text);
  auto invalid = [&] {
    return InvalidArgumentError("invalid duration '" + shown + "' (use a number of milliseconds, or ms, s, m, h: \"1h30m\")");
  };
  if (text.empty()) return invalid();
  // A plain number is milliseconds.
  const std::string rest = text.find_first_not_of("0123456789") == std::string_view::npos ? shown + "ms" : shown;
  int64_t total = 0;
  bool overflow = false;
  std::string_view s = rest;
  while (!s.empty()) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc::result_out_of_range) {
      overflow = true;
      break;
    }
    if (ec != std::errc() || n < 0 || end == s.data()) return invalid();
    s.remove_prefix(end - s.data());
    int64_t unit = 0;
    if (s.rfind("ms", 0) == 0) {
      unit = 1;
      s.remove_prefix(2);
    } else if (!s.empty() && (s[0] == 's' || s[0] == 'm' || s[0] == 'h')) {
      unit = s[0] == 's' ? 1000 : s[0] == 'm' ? 60'000 : 3'600'000;
      s.remove_prefix(1);
    } else {
      return invalid();
    }
    int64_t part = 0;
    if (__builtin_mul_overflow(n, unit, &part) || __builtin_add_overflow(total, part, &total)) {
      overflow = true;
      break;
    }
  }
  if (overflow || total > max.count()) {
    return OutOfRangeError("duration '" + shown + "' exceeds the maximum of " + FormatDuration(max));
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  for (auto [unit, name] : {std::pair<int64_t, const char*>{3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}}) {
    if (ms >= unit) {
      out += std::to_string(ms / unit) + name;
      ms %= unit;
    }
  }
  return out;
}

}  // namespace pier
