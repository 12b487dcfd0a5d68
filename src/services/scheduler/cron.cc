#include "services/scheduler/cron.h"

#include <date/tz.h>

#include <map>
#include <sstream>
#include <vector>

#include "services/scheduler/go_duration.h"

namespace pier::scheduler {

namespace {

constexpr uint64_t kStar = 1ull << 63;

struct Bounds {
  unsigned min, max;
  const std::map<std::string, unsigned>* names;
};

const std::map<std::string, unsigned> kMonthNames = {{"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4},
                                                     {"may", 5}, {"jun", 6}, {"jul", 7}, {"aug", 8},
                                                     {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}};
const std::map<std::string, unsigned> kDayNames = {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3},
                                                   {"thu", 4}, {"fri", 5}, {"sat", 6}};
const Bounds kMinutes{0, 59, nullptr}, kHours{0, 23, nullptr}, kDom{1, 31, nullptr}, kMonths{1, 12, &kMonthNames},
    kDow{0, 6, &kDayNames};

uint64_t Bits(unsigned min, unsigned max, unsigned step) {
  uint64_t bits = 0;
  for (unsigned i = min; i <= max; i += step) bits |= 1ull << i;
  return bits;
}
uint64_t All(const Bounds& b) { return Bits(b.min, b.max, 1) | kStar; }

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Go's strconv.Atoi error text, as robfig wraps it.
Result<unsigned> ParseInt(const std::string& expr) {
  bool digits = !expr.empty();
  size_t start = (!expr.empty() && (expr[0] == '+' || expr[0] == '-')) ? 1 : 0;
  if (start == expr.size()) digits = false;
  for (size_t i = start; i < expr.size() && digits; ++i) digits = expr[i] >= '0' && expr[i] <= '9';
  if (!digits) {
    return InvalidArgumentError("failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr +
                                "\": invalid syntax");
  }
  if (expr.size() - start > 18) {
    return InvalidArgumentError("failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr +
                                "\": value out of range");
  }
  const long long n = std::stoll(expr);
  if (n < 0) return InvalidArgumentError("negative number (" + std::to_string(n) + ") not allowed: " + expr);
  if (n > 1000000) return InvalidArgumentError("end of range (" + std::to_string(n) + ") above maximum: " + expr);
  return static_cast<unsigned>(n);
}

Result<unsigned> ParseIntOrName(const std::string& expr, const Bounds& b) {
  if (b.names != nullptr) {
    if (auto it = b.names->find(Lower(expr)); it != b.names->end()) return it->second;
  }
  return ParseInt(expr);
}

Result<uint64_t> ParseRange(const std::string& expr, const Bounds& b) {
  const auto range_and_step = Split(expr, '/');
  const auto low_and_high = Split(range_and_step[0], '-');
  const bool single = low_and_high.size() == 1;
  unsigned start = 0, end = 0, step = 1;
  uint64_t extra = 0;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    start = b.min;
    end = b.max;
    extra = kStar;
  } else {
    PIER_ASSIGN_OR_RETURN(start, ParseIntOrName(low_and_high[0], b));
    if (low_and_high.size() == 1) {
      end = start;
    } else if (low_and_high.size() == 2) {
      PIER_ASSIGN_OR_RETURN(end, ParseIntOrName(low_and_high[1], b));
    } else {
      return InvalidArgumentError("too many hyphens: " + expr);
    }
  }
  if (range_and_step.size() == 2) {
    PIER_ASSIGN_OR_RETURN(step, ParseInt(range_and_step[1]));
    if (single) end = b.max;  // "N/step" means N to the maximum
    if (step > 1) extra = 0;
  } else if (range_and_step.size() > 2) {
    return InvalidArgumentError("too many slashes: " + expr);
  }
  if (start < b.min) {
    return InvalidArgumentError("beginning of range (" + std::to_string(start) + ") below minimum (" +
                                std::to_string(b.min) + "): " + expr);
  }
  if (end > b.max) {
    return InvalidArgumentError("end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(b.max) +
                                "): " + expr);
  }
  if (start > end) {
    return InvalidArgumentError("beginning of range (" + std::to_string(start) + ") beyond end of range (" +
                                std::to_string(end) + "): " + expr);
  }
  if (step == 0) return InvalidArgumentError("step of range should be a positive number: " + expr);
  return Bits(start, end, step) | extra;
}

Result<uint64_t> ParseField(const std::string& field, const Bounds& b) {
  uint64_t bits = 0;
  for (const std::string& part : Split(field, ',')) {
    if (part.empty()) continue;  // "1,,2": empty parts are skipped, as the original does
    PIER_ASSIGN_OR_RETURN(uint64_t r, ParseRange(part, b));
    bits |= r;
  }
  return bits;
}

// --- calendar arithmetic in a zone, the way Go's time package does it ---

int64_t Offset(const date::time_zone* z, int64_t instant) {
  return z->get_info(date::sys_seconds(std::chrono::seconds(instant))).offset.count();
}

struct Local {
  int year;
  unsigned month, day, hour, minute, second, weekday;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Local ToLocal(const date::time_zone* z, int64_t instant) {
  const int64_t local = instant + Offset(z, instant);
  const int64_t days = FloorDiv(local, 86400);
  const int64_t secs = local - days * 86400;
  const date::sys_days d{date::days(days)};
  const date::year_month_day ymd{d};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
          static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs / 60 % 60), static_cast<unsigned>(secs % 60),
          date::weekday{d}.c_encoding()};
}

// Go's time.Date: fields normalised (month 13 = next January, day 32 = the
// next month...), then the zone's offset chosen as Go chooses it.
int64_t FromLocal(const date::time_zone* z, int year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                  int64_t second) {
  int64_t m = month - 1;
  year += static_cast<int>(FloorDiv(m, 12));
  m -= FloorDiv(m, 12) * 12;
  const date::sys_days first = date::year{year} / date::month{static_cast<unsigned>(m + 1)} / date::day{1};
  const int64_t local_seconds = (first.time_since_epoch().count() + day - 1) * 86400 + hour * 3600 + minute * 60 + second;
  const auto info = z->get_info(date::sys_seconds(std::chrono::seconds(local_seconds)));
  int64_t offset = info.offset.count();
  if (offset != 0) {
    const int64_t utc = local_seconds - offset;
    if (utc < info.begin.time_since_epoch().count() || utc >= info.end.time_since_epoch().count()) {
      offset = Offset(z, utc);
    }
  }
  return local_seconds - offset;
}

bool DayMatches(uint64_t dom, uint64_t dow, const Local& t) {
  const bool dom_match = (1ull << t.day) & dom;
  const bool dow_match = (1ull << t.weekday) & dow;
  if ((dom & kStar) || (dow & kStar)) return dom_match && dow_match;
  return dom_match || dow_match;
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view spec_in, const date::time_zone* local) {
  std::string spec(spec_in);
  if (spec.empty()) return InvalidArgumentError("empty spec string");
  CronSchedule s;
  if (local == nullptr) {
    try {
      local = date::current_zone();
    } catch (const std::exception&) {
      local = date::locate_zone("UTC");
    }
  }
  s.zone_ = local;
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    const size_t space = spec.find(' ');
    const size_t eq = spec.find('=');
    const std::string name = spec.substr(eq + 1, space == std::string::npos ? std::string::npos : space - eq - 1);
    try {
      if (name.empty() || space == std::string::npos) throw std::runtime_error("no schedule after the zone");
      s.zone_ = date::locate_zone(name);
    } catch (const std::exception&) {
      return InvalidArgumentError("provided bad location " + name + ": unknown time zone " + name);
    }
    spec = spec.substr(space);
    spec.erase(0, spec.find_first_not_of(" \t"));
  }
  if (!spec.empty() && spec[0] == '@') {
    const uint64_t all_dom = All(kDom), all_month = All(kMonths), all_dow = All(kDow), all_hours = All(kHours);
    auto fixed = [&](uint64_t minute, uint64_t hour, uint64_t dom, uint64_t month, uint64_t dow) {
      s.minute_ = minute, s.hour_ = hour, s.dom_ = dom, s.month_ = month, s.dow_ = dow;
      return s;
    };
    if (spec == "@yearly" || spec == "@annually") return fixed(1, 1, 1ull << 1, 1ull << 1, all_dow);
    if (spec == "@monthly") return fixed(1, 1, 1ull << 1, all_month, all_dow);
    if (spec == "@weekly") return fixed(1, 1, all_dom, all_month, 1);
    if (spec == "@daily" || spec == "@midnight") return fixed(1, 1, all_dom, all_month, all_dow);
    if (spec == "@hourly") return fixed(1, all_hours, all_dom, all_month, all_dow);
    constexpr std::string_view kEvery = "@every ";
    if (spec.rfind(kEvery, 0) == 0) {
      auto ns = ParseGoDuration(std::string_view(spec).substr(kEvery.size()));
      if (!ns.ok()) return InvalidArgumentError("failed to parse duration " + spec + ": " + ns.status().message());
      // Under one second is one second; sub-second parts are dropped.
      s.every_seconds_ = std::max<int64_t>(*ns, 1'000'000'000) / 1'000'000'000;
      return s;
    }
    return InvalidArgumentError("unrecognized descriptor: " + spec);
  }
  std::vector<std::string> fields;
  std::istringstream words(spec);
  for (std::string w; words >> w;) fields.push_back(w);
  if (fields.size() != 5) {
    std::string shown = "[";
    for (size_t i = 0; i < fields.size(); ++i) shown += (i ? " " : "") + fields[i];
    return InvalidArgumentError("expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + shown + "]");
  }
  PIER_ASSIGN_OR_RETURN(s.minute_, ParseField(fields[0], kMinutes));
  PIER_ASSIGN_OR_RETURN(s.hour_, ParseField(fields[1], kHours));
  PIER_ASSIGN_OR_RETURN(s.dom_, ParseField(fields[2], kDom));
  PIER_ASSIGN_OR_RETURN(s.month_, ParseField(fields[3], kMonths));
  PIER_ASSIGN_OR_RETURN(s.dow_, ParseField(fields[4], kDow));
  return s;
}

std::string CronSchedule::zone_name() const { return zone_ ? std::string(zone_->name()) : "UTC"; }

std::optional<int64_t> CronSchedule::Next(int64_t after_ms) const {
  const int64_t after_s = FloorDiv(after_ms, 1000);
  if (every_seconds_ > 0) return (after_s + every_seconds_) * 1000;
  const date::time_zone* z = zone_;
  // The upcoming whole second; the search below is the original's.
  int64_t t = after_s + 1;
  bool added = false;
  const int year_limit = ToLocal(z, t).year + 5;
  for (int guard = 0; guard < 100000; ++guard) {  // WRAP
    Local l = ToLocal(z, t);
    if (l.year > year_limit) return std::nullopt;
    bool wrapped = false;
    while (!((1ull << l.month) & month_)) {
      if (!added) {
        added = true;
        t = FromLocal(z, l.year, l.month, 1, 0, 0, 0);
      }
      l = ToLocal(z, t);
      t = FromLocal(z, l.year, l.month + 1, l.day, l.hour, l.minute, l.second);
      l = ToLocal(z, t);
      if (l.month == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!DayMatches(dom_, dow_, l)) {
      if (!added) {
        added = true;
        t = FromLocal(z, l.year, l.month, l.day, 0, 0, 0);
      }
      l = ToLocal(z, t);
      t = FromLocal(z, l.year, l.month, l.day + 1, l.hour, l.minute, l.second);
      l = ToLocal(z, t);
      // A day that does not start at midnight (daylight saving): back to it.
      if (l.hour != 0) {
        t += l.hour > 12 ? (24 - static_cast<int64_t>(l.hour)) * 3600 : -static_cast<int64_t>(l.hour) * 3600;
        l = ToLocal(z, t);
      }
      if (l.day == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!((1ull << l.hour) & hour_)) {
      if (!added) {
        added = true;
        t = FromLocal(z, l.year, l.month, l.day, l.hour, 0, 0);
      }
      t += 3600;
      l = ToLocal(z, t);
      if (l.hour == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!((1ull << l.minute) & minute_)) {
      if (!added) {
        added = true;
        t = FloorDiv(t, 60) * 60;
      }
      t += 60;
      l = ToLocal(z, t);
      if (l.minute == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    // Seconds: always 0 in this dialect.
    while (l.second != 0) {
      added = true;
      t += 1;
      l = ToLocal(z, t);
      if (l.second == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    return t * 1000;
  }
  return std::nullopt;
}

}  // namespace pier::scheduler
