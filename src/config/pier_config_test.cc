#include "config/pier_config.h"

#include <gtest/gtest.h>

namespace pier {
namespace {

TEST(PierConfig, ParsesEverySetting) {
  auto c = ParsePierConfig(R"(
plugins_folder = "plugins"
data_folder = "/var/lib/pier"
log_level = "debug"
call_timeout = "5s"
instance_mode = "fresh"
auto_reload = false
reload_debounce = 250
)", "/etc/pier");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->plugins_folder, "/etc/pier/plugins");
  EXPECT_EQ(c->data_folder, "/var/lib/pier");
  EXPECT_EQ(c->log_level, LogLevel::kDebug);
  EXPECT_EQ(c->call_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c->instance_mode, InstanceMode::kFreshPerCall);
  EXPECT_FALSE(c->auto_reload);
  EXPECT_EQ(c->reload_debounce, std::chrono::milliseconds(250));
}

TEST(PierConfig, DefaultsMatchTheOriginal) {
  auto c = ParsePierConfig("", "/x").value();
  EXPECT_EQ(c.call_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.plugins_folder, "/x/plugins");
}

TEST(PierConfig, MistakesAreNamed) {
  EXPECT_EQ(ParsePierConfig("plugin_folder = \"x\"", "/").status().message(), "unknown setting 'plugin_folder'");
  EXPECT_EQ(ParsePierConfig("auto_reload = \"yes\"", "/").status().message(), "auto_reload must be true or false");
  EXPECT_EQ(ParsePierConfig("call_timeout = \"5 hours\"", "/").status().message(),
            "call_timeout: invalid duration '5 hours' (use ms, s or m)");
  EXPECT_NE(ParsePierConfig("log_level = \"loud\"", "/").status().message().find("unknown log level"),
            std::string::npos);
  EXPECT_EQ(ParsePierConfig("= broken", "/").status().message().rfind("line 1: ", 0), 0u);
  EXPECT_EQ(LoadPierConfig("/nonexistent/pier.toml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pier
