// CronSchedule against a table of answers given by the original host's cron
// library (robfig/cron v3.0.1, its standard parser, local zone UTC): the
// examples of the dialect, daylight-saving transitions in named zones, leap
// days, @every rounding and every parse error text. tests/scheduler/ also
// runs the original library beside Pier on random schedules.
#include "services/scheduler/cron.h"

#include <date/tz.h>
#include <gtest/gtest.h>

#include "services/scheduler/go_duration.h"

namespace pier::scheduler {
namespace {

struct Case {
  const char* spec;
  int64_t after_ms;
  const char* expected;  // Unix ms, "none", or "error: <message>"
};

const Case kCases[] = {
    {"*/15 9-17 * * MON-FRI", 1700000000000, "1700038800000"},
    {"*/15 9-17 * * MON-FRI", 1700243100000, "1700470800000"},
    {"0 0 * * 0", 1699920000000, "1700352000000"},
    {"0 12 * jan,Jul sun", 1699920000000, "1704628800000"},
    {"30 4 ? * *", 1699938000000, "1700022600000"},
    {"0 0 1,15 * 3", 1698883200000, "1699401600000"},
    {"0 0 */2 * *", 1698883200000, "1698969600000"},
    {"5/20 * * * *", 1699957560000, "1699958700000"},
    {"0-10/5 * * * *", 1699956360000, "1699956600000"},
    {"@yearly", 1699920000000, "1704067200000"},
    {"@annually", 1704067199000, "1704067200000"},
    {"@monthly", 1699920000000, "1701388800000"},
    {"@weekly", 1699920000000, "1700352000000"},
    {"@daily", 1699956000000, "1700006400000"},
    {"@midnight", 1699956000000, "1700006400000"},
    {"@hourly", 1699957800000, "1699959600000"},
    {"@every 1h30m", 1699957800000, "1699963200000"},
    {"@every 500ms", 1699957800250, "1699957801000"},
    {"@every 1.7s", 1699957800250, "1699957801000"},
    {"@every 90s", 1699957800000, "1699957890000"},
    {"@every -5s", 1699957800000, "1699957801000"},
    {"@every 0", 1699957800000, "1699957801000"},
    {"TZ=Europe/Berlin 30 2 * * *", 1711800000000, "1711931400000"},
    {"TZ=Europe/Berlin 30 2 * * *", 1711886400000, "1711931400000"},
    {"TZ=Europe/Berlin 30 2 * * *", 1729944000000, "1729989000000"},
    {"TZ=Europe/Berlin 30 2 * * *", 1729989600000, "1729992600000"},
    {"TZ=Europe/Berlin 0 * * * *", 1729987800000, "1729990800000"},
    {"TZ=Europe/Berlin 0 * * * *", 1729991400000, "1729994400000"},
    {"TZ=Europe/Berlin 0 0 * * *", 1711841400000, "1711922400000"},
    {"CRON_TZ=America/New_York 0 9 * * *", 1710028800000, "1710075600000"},
    {"TZ=America/Sao_Paulo 0 0 * * *", 1541246400000, "1541383200000"},
    {"TZ=Asia/Kolkata 15 10 * * *", 1699920000000, "1699937100000"},
    {"TZ=Australia/Lord_Howe 30 2 * * *", 1696118400000, "1696174200000"},
    {"0 0 29 2 *", 1699920000000, "1709164800000"},
    {"0 0 29 2 *", 1709251200000, "1835395200000"},
    {"0 0 30 2 *", 1699920000000, "none"},
    {"0 0 31 * *", 1699920000000, "1703980800000"},
    {"59 23 31 12 *", 1704067140000, "1735689540000"},
    {"", 1699920000000, "error: empty spec string"},
    {"1 2 3 4 5 6", 1699920000000, "error: expected exactly 5 fields, found 6: [1 2 3 4 5 6]"},
    {"* * * *", 1699920000000, "error: expected exactly 5 fields, found 4: [* * * *]"},
    {"* * * * 7", 1699920000000, "error: end of range (7) above maximum (6): 7"},
    {"60 * * * *", 1699920000000, "error: end of range (60) above maximum (59): 60"},
    {"* 24 * * *", 1699920000000, "error: end of range (24) above maximum (23): 24"},
    {"* * 0 * *", 1699920000000, "error: beginning of range (0) below minimum (1): 0"},
    {"* * * 13 *", 1699920000000, "error: end of range (13) above maximum (12): 13"},
    {"*/0 * * * *", 1699920000000, "error: step of range should be a positive number: */0"},
    {"a * * * *", 1699920000000, "error: failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax"},
    {"-1 * * * *", 1699920000000, "error: failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"},
    {"1-2-3 * * * *", 1699920000000, "error: too many hyphens: 1-2-3"},
    {"1/2/3 * * * *", 1699920000000, "error: too many slashes: 1/2/3"},
    {"5-1 * * * *", 1699920000000, "error: beginning of range (5) beyond end of range (1): 5-1"},
    {"* * * FOO *", 1699920000000, "error: failed to parse int from FOO: strconv.Atoi: parsing \"FOO\": invalid syntax"},
    {"TZ=Nowhere/City * * * * *", 1699920000000, "error: provided bad location Nowhere/City: unknown time zone Nowhere/City"},
    {"@every x", 1699920000000, "error: failed to parse duration @every x: time: invalid duration \"x\""},
    {"@every 1", 1699920000000, "error: failed to parse duration @every 1: time: missing unit in duration \"1\""},
    {"@every 1d", 1699920000000, "error: failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\""},
    {"@bogus", 1699920000000, "error: unrecognized descriptor: @bogus"},
    {"1,,2 * * * *", 1699920000000, "1699920060000"},
};

std::string Answer(std::string_view spec, int64_t after_ms) {
  auto s = CronSchedule::Parse(spec, date::locate_zone("UTC"));
  if (!s.ok()) return "error: " + s.status().message();
  auto next = s->Next(after_ms);
  return next ? std::to_string(*next) : "none";
}

TEST(Cron, AnswersAsTheOriginalLibrary) {
  for (const Case& c : kCases) EXPECT_EQ(Answer(c.spec, c.after_ms), c.expected) << "'" << c.spec << "' after " << c.after_ms;
}

TEST(Cron, EveryRoundsToWholeSecondsAndFiresOnThem) {
  auto s = CronSchedule::Parse("@every 2.9s", date::locate_zone("UTC")).value();
  EXPECT_TRUE(s.is_every());
  EXPECT_EQ(s.every_seconds(), 2);
  EXPECT_EQ(*s.Next(10'999), 12'000);
  EXPECT_EQ(CronSchedule::Parse("@every 10ms", date::locate_zone("UTC"))->every_seconds(), 1);
}

TEST(Cron, TheZoneWithoutAPrefixIsTheGivenLocalOne) {
  auto s = CronSchedule::Parse("0 9 * * *", date::locate_zone("Asia/Tokyo")).value();
  EXPECT_EQ(s.zone_name(), "Asia/Tokyo");
  EXPECT_EQ(*s.Next(1'700'000'000'000), 1'700'006'400'000) << "09:00 in Tokyo is 00:00 UTC";
  EXPECT_EQ(CronSchedule::Parse("CRON_TZ=Europe/Paris @daily")->zone_name(), "Europe/Paris");
}

TEST(GoDuration, ParsesAsGoDoes) {
  EXPECT_EQ(ParseGoDuration("1h30m").value(), 5'400'000'000'000);
  EXPECT_EQ(ParseGoDuration("1.5s").value(), 1'500'000'000);
  EXPECT_EQ(ParseGoDuration(".5s").value(), 500'000'000);
  EXPECT_EQ(ParseGoDuration("-2m").value(), -120'000'000'000);
  EXPECT_EQ(ParseGoDuration("+3ms").value(), 3'000'000);
  EXPECT_EQ(ParseGoDuration("1us").value(), 1000);
  EXPECT_EQ(ParseGoDuration("1\xc2\xb5s").value(), 1000);
  EXPECT_EQ(ParseGoDuration("0").value(), 0);
  EXPECT_EQ(ParseGoDuration("1h1m1s1ms1us1ns").value(), 3'661'001'001'001);
  EXPECT_EQ(ParseGoDuration("").status().message(), "time: invalid duration \"\"");
  EXPECT_EQ(ParseGoDuration(".s").status().message(), "time: invalid duration \".s\"");
  EXPECT_EQ(ParseGoDuration("3").status().message(), "time: missing unit in duration \"3\"");
  EXPECT_EQ(ParseGoDuration("3x").status().message(), "time: unknown unit \"x\" in duration \"3x\"");
  EXPECT_EQ(ParseGoDuration("9999999999h").status().message(), "time: invalid duration \"9999999999h\"");
  EXPECT_EQ(ParseGoDuration("99999999999999999999s").status().message(),
            "time: invalid duration \"99999999999999999999s\"");
}

}  // namespace
}  // namespace pier::scheduler
