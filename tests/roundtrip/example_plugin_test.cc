// The scrobble_counter example, built to Wasm with the kit, driven through
// the generated capability callers against in-memory services.
#include <gtest/gtest.h>

#include <cstring>

#include "pier/capabilities/callers.h"
#include "support/memory_services.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

TEST(ScrobbleCounterPlugin, CountsScrobblesAndRemembersNowPlaying) {
  testing::MemoryConfig config;
  config.values = {{"blocked_users", "eve"}};
  testing::MemoryKVStore kv;
  testing::MemoryCache cache;
  services::HostServices services;
  services.config = &config;
  services.kvstore = &kv;
  services.cache = &cache;
  auto runtime = Runtime::Create().value();
  PluginOptions options;
  options.host_functions = services::BindHostServices(services, {"users", "kvstore", "cache"});
  auto plugin = runtime->LoadFile(testing::PluginPath("scrobble_counter"), options).value();

  EXPECT_EQ(capabilities::DetectCapabilities(*plugin), std::vector<std::string>{"Scrobbler"});
  EXPECT_TRUE(capabilities::CallScrobblerIsAuthorized(*plugin, {"alice"})->value);
  EXPECT_FALSE(capabilities::CallScrobblerIsAuthorized(*plugin, {"eve"})->value);

  wire::ScrobbleRequest scrobble;
  scrobble.username = "alice";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(capabilities::CallScrobblerScrobble(*plugin, scrobble)->ok());
  uint64_t plays = 0;
  ASSERT_EQ(kv.data["plays:alice"].size(), 8u);
  std::memcpy(&plays, kv.data["plays:alice"].data(), 8);
  EXPECT_EQ(plays, 3u);

  wire::NowPlayingRequest now;
  now.username = "alice";
  now.track.title = "So What";
  now.track.artist = "Miles Davis";
  ASSERT_TRUE(capabilities::CallScrobblerNowPlaying(*plugin, now)->ok());
  EXPECT_EQ(cache.strings["now_playing:alice"], "So What by Miles Davis");
}

}  // namespace
}  // namespace pier
