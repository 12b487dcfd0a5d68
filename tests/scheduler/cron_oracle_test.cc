// Differential test: Pier's cron parser and the original host's library
// (robfig/cron v3.0.1, built by this build as tests/oracles/cron) answer the
// same thousands of random schedules — valid and invalid, in zones with
// daylight saving, at random instants — identically.
#include <date/tz.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "services/scheduler/cron.h"

namespace pier::scheduler {
namespace {

std::string Field(std::mt19937& rng, int min, int max, const std::vector<std::string>& names) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto value = [&]() -> std::string {
    if (!names.empty() && pick(0, 3) == 0) {
      std::string n = names[pick(0, static_cast<int>(names.size()) - 1)];
      if (pick(0, 1)) n[0] = static_cast<char>(std::toupper(n[0]));
      return n;
    }
    return std::to_string(pick(min - (pick(0, 20) == 0), max + (pick(0, 20) == 0)));  // sometimes out of range
  };
  std::string out;
  const int parts = pick(0, 4) == 0 ? pick(2, 3) : 1;
  for (int p = 0; p < parts; ++p) {
    if (p) out += ",";
    switch (pick(0, 6)) {
      case 0: out += "*"; break;
      case 1: out += "?"; break;
      case 2: out += "*/" + std::to_string(pick(0, 9)); break;
      case 3: out += value() + "-" + value(); break;
      case 4: out += value() + "/" + std::to_string(pick(1, 7)); break;
      case 5: out += value() + "-" + value() + "/" + std::to_string(pick(1, 5)); break;
      default: out += value(); break;
    }
  }
  return out;
}

TEST(CronOracle, AgreesWithTheOriginalLibraryOnRandomSchedules) {
  std::mt19937 rng(20261201);
  const std::vector<std::string> zones = {"",           "TZ=UTC ",           "TZ=Europe/Berlin ", "CRON_TZ=America/New_York ",
                                          "TZ=Australia/Lord_Howe ", "TZ=Asia/Kolkata ", "TZ=America/Sao_Paulo ",
                                          "TZ=Pacific/Apia ", "TZ=Asia/Tehran "};
  const std::vector<std::string> months = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::vector<std::string> days = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  const std::vector<std::string> descriptors = {"@yearly", "@monthly", "@weekly", "@daily", "@hourly", "@midnight",
                                                "@every 1s", "@every 90m", "@every 1.5h", "@every 250ms", "@every 3"};
  std::vector<std::pair<std::string, int64_t>> cases;
  for (int i = 0; i < 4000; ++i) {
    std::string spec = zones[rng() % zones.size()];
    if (rng() % 10 == 0) {
      spec += descriptors[rng() % descriptors.size()];
    } else {
      spec += Field(rng, 0, 59, {}) + " " + Field(rng, 0, 23, {}) + " " + Field(rng, 1, 31, {}) + " " +
              Field(rng, 1, 12, months) + " " + Field(rng, 0, 6, days);
    }
    // Instants from 2000 to 2035; half of them within a day of a March or October transition.
    int64_t after = std::uniform_int_distribution<int64_t>(946684800, 2051222400)(rng) * 1000 +
                    std::uniform_int_distribution<int64_t>(0, 999)(rng);
    if (rng() % 2) {
      const int year = 2000 + static_cast<int>(rng() % 35);
      const unsigned month = rng() % 2 ? 3 : 10;
      const date::sys_days d = date::year{year} / date::month{month} / date::day{static_cast<unsigned>(24 + rng() % 8)};
      after = (d.time_since_epoch().count() * 86400 + static_cast<int64_t>(rng() % 86400)) * 1000;
    }
    cases.emplace_back(spec, after);
  }
  const std::string input = std::string(::testing::TempDir()) + "cron-oracle-input.txt";
  {
    std::ofstream in(input);
    for (const auto& [spec, after] : cases) in << spec << "\t" << after << "\n";
  }
  FILE* oracle = popen(("TZ=UTC " PIER_CRON_ORACLE " < " + input).c_str(), "r");
  ASSERT_NE(oracle, nullptr);
  std::vector<std::string> answers;
  char line[4096];
  while (fgets(line, sizeof line, oracle)) {
    std::string s(line);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    answers.push_back(s);
  }
  ASSERT_EQ(pclose(oracle), 0);
  ASSERT_EQ(answers.size(), cases.size());
  int compared = 0, errors = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto s = CronSchedule::Parse(cases[i].first, date::locate_zone("UTC"));
    std::string mine;
    if (!s.ok()) {
      mine = "error: " + s.status().message();
      ++errors;
    } else {
      auto next = s->Next(cases[i].second);
      mine = next ? std::to_string(*next) : "none";
    }
    EXPECT_EQ(mine, answers[i]) << "'" << cases[i].first << "' after " << cases[i].second;
    ++compared;
  }
  EXPECT_EQ(compared, 4000);
  EXPECT_GT(errors, 200) << "invalid schedules are part of the comparison";
  EXPECT_LT(errors, 3000) << "and so are valid ones";
}

}  // namespace
}  // namespace pier::scheduler
