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
            "call_timeout: invalid duration '5 hours' (use a number of milliseconds, or ms, s, m, h: \"1h30m\")");
  EXPECT_NE(ParsePierConfig("log_level = \"loud\"", "/").status().message().find("unknown log level"),
            std::string::npos);
  EXPECT_EQ(ParsePierConfig("= broken", "/").status().message().rfind("line 1: ", 0), 0u);
  EXPECT_EQ(LoadPierConfig("/nonexistent/pier.toml").status().code(), StatusCode::kNotFound);
}

TEST(PierConfig, DurationsAreBoundedAndNeverOverflow) {
  // The probe's values: huge integers, and the same with a unit suffix.
  EXPECT_EQ(ParsePierConfig("call_timeout = 9223372036854775807", "/").status().message(),
            "call_timeout: 9223372036854775807 ms exceeds the maximum of 24h");
  for (const char* v : {"9223372036854775807s", "9223372036854775807m", "99999999999999999999", "2562047788015215h"}) {
    auto c = ParsePierConfig(std::string("call_timeout = \"") + v + "\"", "/");
    EXPECT_EQ(c.status().message(), "call_timeout: duration '" + std::string(v) + "' exceeds the maximum of 24h") << v;
  }
  EXPECT_EQ(ParsePierConfig("call_timeout = 0", "/").status().message(), "call_timeout must be greater than 0");
  EXPECT_EQ(ParsePierConfig("call_timeout = \"1h30m\"", "/")->call_timeout, std::chrono::minutes(90));
  EXPECT_EQ(ParsePierConfig("reload_debounce = \"2h\"", "/").status().message(),
            "reload_debounce: duration '2h' exceeds the maximum of 1h");
}

TEST(PierConfig, AdminListenIsANumericLoopbackAddressWithAPort) {
  EXPECT_TRUE(ParsePierConfig("admin_listen = \"127.0.0.1:4533\"", "/").ok());
  EXPECT_TRUE(ParsePierConfig("admin_listen = \"[::1]:0\"", "/").ok());
  EXPECT_TRUE(ParsePierConfig("admin_listen = \"\"", "/").ok()) << "off";
  EXPECT_EQ(ParsePierConfig("admin_listen = \"127.0.0.1:99999\"", "/").status().message(),
            "admin_listen: listen address '127.0.0.1:99999': the port must be a number from 0 to 65535");
  EXPECT_EQ(ParsePierConfig("admin_listen = \"127.0.0.1:http\"", "/").status().message(),
            "admin_listen: listen address '127.0.0.1:http': the port must be a number from 0 to 65535");
  EXPECT_NE(ParsePierConfig("admin_listen = \"127.attacker.test:0\"", "/").status().message().find(
                "only numeric loopback addresses"), std::string::npos);
  EXPECT_FALSE(ParsePierConfig("admin_listen = \"0.0.0.0:4533\"", "/").ok());
  EXPECT_FALSE(ParsePierConfig("admin_listen = \"::1:4533\"", "/").ok());
  auto v6 = ParseListenAddress("[::1]:4533").value();
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.ToString(80), "[::1]:80");
  EXPECT_EQ(ParseListenAddress("localhost:1").value().host, "127.0.0.1");
  EXPECT_EQ(ParseListenAddress("127.9.9.9:1").value().host, "127.9.9.9");
}

TEST(PierConfig, LibrariesAndUsers) {
  auto c = ParsePierConfig(R"(
share_url = "https://music.example.org/"
scan_on_start = false
[[library]]
id = 1
name = "Music"
path = "music"
[[library]]
id = 2
path = "/srv/other"
[[user]]
user_name = "alice"
is_admin = true
libraries = [2]
[[user]]
id = "b"
user_name = "bob"
name = "Bob"
)", "/etc/pier");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->share_url, "https://music.example.org");
  EXPECT_FALSE(c->scan_on_start);
  ASSERT_EQ(c->libraries.size(), 2u);
  EXPECT_EQ(c->libraries[0].path, "/etc/pier/music");
  EXPECT_EQ(c->libraries[1].name, "other") << "the folder name stands in";
  ASSERT_EQ(c->users.size(), 2u);
  EXPECT_EQ(c->users[0].id, "alice");
  EXPECT_EQ(c->users[0].name, "alice");
  EXPECT_EQ(c->users[0].libraries, std::vector<int32_t>{2});
  EXPECT_EQ(c->users[1].id, "b");

  auto error = [](const char* text) { return ParsePierConfig(text, "/").status().message(); };
  EXPECT_EQ(error("[[library]]\nid = 1\npath = \"a\"\n[[library]]\nid = 1\npath = \"b\""), "library id 1 is given twice");
  EXPECT_EQ(error("[[library]]\npath = \"a\""), "library[0] needs an id");
  EXPECT_EQ(error("[[library]]\nid = -3\npath = \"a\""), "library[0].id must be a positive integer");
  EXPECT_EQ(error("[[library]]\nid = 1"), "library[0] needs a path");
  EXPECT_EQ(error("[[library]]\nid = 1\npath = \"a\"\ncolour = 1"), "unknown setting 'library[0].colour'");
  EXPECT_EQ(error("library = 3"), "library must be a list of tables ([[library]])");
  EXPECT_EQ(error("[[user]]\nname = \"x\""), "user[0] needs a user_name");
  EXPECT_EQ(error("[[user]]\nuser_name = \"a\"\n[[user]]\nuser_name = \"A\""), "user_name A is given twice");
  EXPECT_NE(error("[[user]]\nuser_name = \"a\"\npassword = \"p\"").find("stores no passwords"), std::string::npos);
  EXPECT_EQ(error("[[user]]\nuser_name = \"a\"\nlibraries = [9]"), "user a: library 9 is not configured");
  EXPECT_EQ(error("share_url = \"ftp://x\""), "share_url must start with http:// or https://");
}

}  // namespace
TEST(PierConfig, SharedStorageAndTaskLeases) {
  auto c = ParsePierConfig(R"(
[storage]
url = "postgresql://pier@127.0.0.1:5432/pier"
node = "east-1"
pool_size = 4
statement_timeout = "10s"
[taskqueue]
lease_slack = "5s"
recovery_interval = "500ms"
durability = "normal"
)", "/x");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->storage_url, "postgresql://pier@127.0.0.1:5432/pier");
  EXPECT_EQ(c->storage_node, "east-1");
  EXPECT_EQ(c->storage_pool_size, 4);
  EXPECT_EQ(c->storage_statement_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->task_lease_slack, std::chrono::seconds(5));
  EXPECT_EQ(c->task_recovery_interval, std::chrono::milliseconds(500));
  EXPECT_FALSE(c->task_durability_full);
  EXPECT_TRUE(ParsePierConfig("", "/").value().task_durability_full) << "full unless told otherwise";
  auto error = [](const std::string& toml) { return ParsePierConfig(toml, "/").status().message(); };
  EXPECT_EQ(error("[storage]\nurl = \"mysql://x\""), "storage.url must start with postgresql:// (or be empty for SQLite files)");
  EXPECT_EQ(error("[storage]\nnode = \"a/b\""), "storage.node must be a string without '/'");
  EXPECT_EQ(error("[storage]\npool_size = 0"), "storage.pool_size must be from 1 to 256");
  EXPECT_EQ(error("[storage]\nhost = \"x\""), "unknown setting 'storage.host'");
  EXPECT_EQ(error("[taskqueue]\nlease_slack = \"10ms\""), "taskqueue.lease_slack must be at least 1s");
  EXPECT_EQ(error("[taskqueue]\ndurability = \"fast\""), "taskqueue.durability must be \"full\" or \"normal\"");
  EXPECT_EQ(error("[taskqueue]\ndurability = 1"), "taskqueue.durability must be \"full\" or \"normal\"");
  EXPECT_EQ(ParsePierConfig("", "/").value().storage_url, "") << "SQLite files unless told otherwise";
}

TEST(PierConfig, TheEnvironmentNamesTheStorageWithoutWritingAPasswordToTheFile) {
  PierConfig c = ParsePierConfig("[storage]\nurl = \"postgresql://a@127.0.0.1/x\"", "/").value();
  setenv("PIER_STORAGE_URL", "postgresql://b:secret@127.0.0.1/y", 1);
  ApplyEnvironment(c);
  unsetenv("PIER_STORAGE_URL");
  EXPECT_EQ(c.storage_url, "postgresql://b:secret@127.0.0.1/y");
}

}  // namespace pier
