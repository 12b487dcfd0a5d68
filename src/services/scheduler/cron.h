// CronSchedule: the original host's schedule dialect (robfig/cron v3's
// standard parser), parsed and evaluated the same way.
//
//   minute hour day-of-month month day-of-week      "*/15 9-17 * * MON-FRI"
//
// Exactly 5 fields; each a comma list of `*` or `?` (any), `N`, `A-B`, with
// an optional `/step` (`N/step` runs from N to the field's maximum); month
// names JAN-DEC and weekday names SUN-SAT (0-6, 0 = Sunday; 7 is refused),
// case-insensitive. When neither day field is `*`/`?`, a day matches either
// (as in Vixie cron). Descriptors: @yearly/@annually, @monthly, @weekly,
// @daily/@midnight, @hourly, and `@every <Go duration>` (under 1 s becomes
// 1 s, sub-second parts are dropped; fire times are whole seconds). An
// optional `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix gives the time zone;
// without it the server's local zone applies. Parse errors are the
// original's texts ("expected exactly 5 fields, found 6: [a b c d e f]").
//
// Fire times follow the original's search, including its daylight-saving
// behaviour: a local time skipped by a spring-forward transition is taken at
// the shifted instant, a repeated one fires once.
//
//   auto s = CronSchedule::Parse("TZ=Europe/Berlin 30 2 * * *").value();
//   std::optional<int64_t> next = s.Next(now_ms);   // Unix ms, strictly after now
//
// Immutable; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pier/status.h"

namespace date {
class time_zone;
}

namespace pier::scheduler {

class CronSchedule {
 public:
  // `local`: the zone used without a TZ= prefix; nullptr = the server's zone.
  static Result<CronSchedule> Parse(std::string_view spec, const date::time_zone* local = nullptr);

  // The first fire time strictly after `after_ms` (Unix ms), or nullopt when
  // none exists within five years (e.g. "0 0 30 2 *").
  std::optional<int64_t> Next(int64_t after_ms) const;

  bool is_every() const { return every_seconds_ > 0; }
  int64_t every_seconds() const { return every_seconds_; }
  std::string zone_name() const;

 private:
  CronSchedule() = default;
  uint64_t minute_ = 0, hour_ = 0, dom_ = 0, month_ = 0, dow_ = 0;  // bit sets; bit 63: "*" given
  int64_t every_seconds_ = 0;                                       // @every: the delay
  const date::time_zone* zone_ = nullptr;
};

}  // namespace pier::scheduler
