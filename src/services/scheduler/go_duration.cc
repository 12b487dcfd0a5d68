#include "services/scheduler/go_duration.h"

#include <map>
#include <string>

#include "common/go_quote.h"

namespace pier::scheduler {

Result<int64_t> ParseGoDuration(std::string_view orig) {
  static const std::map<std::string, uint64_t, std::less<>> kUnits = {
      {"ns", 1ull},          {"us", 1000ull},          {"\xc2\xb5s", 1000ull}, {"\xce\xbcs", 1000ull},
      {"ms", 1000000ull},    {"s", 1000000000ull},     {"m", 60000000000ull},   {"h", 3600000000000ull}};
  const uint64_t kLimit = 1ull << 63;
  auto invalid = [&] { return InvalidArgumentError("time: invalid duration " + GoQuote(orig)); };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return invalid();
  uint64_t d = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    // Integer part.
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (v > kLimit / 10) return invalid();
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kLimit) return invalid();
    }
    const bool pre = i > 0;
    s.remove_prefix(i);
    // Fraction.
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t k = 0;
      bool overflow = false;
      for (; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) {
        if (overflow) continue;
        if (f > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        const uint64_t y = f * 10 + static_cast<uint64_t>(s[k] - '0');
        if (y > kLimit) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = k > 0;
      s.remove_prefix(k);
    }
    if (!pre && !post) return invalid();
    size_t u = 0;
    while (u < s.size() && !(s[u] == '.' || (s[u] >= '0' && s[u] <= '9'))) ++u;
    if (u == 0) return InvalidArgumentError("time: missing unit in duration " + GoQuote(orig));
    const std::string_view name = s.substr(0, u);
    s.remove_prefix(u);
    auto unit = kUnits.find(name);
    if (unit == kUnits.end()) {
      return InvalidArgumentError("time: unknown unit " + GoQuote(name) + " in duration " + GoQuote(orig));
    }
    if (v > kLimit / unit->second) return invalid();
    v *= unit->second;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit->second) / scale));
      if (v > kLimit) return invalid();
    }
    d += v;
    if (d > kLimit) return invalid();
  }
  if (neg) return d == kLimit ? INT64_MIN : -static_cast<int64_t>(d);
  if (d > kLimit - 1) return invalid();
  return static_cast<int64_t>(d);
}

}  // namespace pier::scheduler
