// The music host under a real `pier serve`: pier.toml libraries and users,
// `pier library scan|list|show`, the catalog scanned at start, Navidrome-kit
// plugins for Library, Users, Artwork and SubsonicAPI loading and answering
// through `pier call`, and the artwork URLs they get answered by the
// server's /share/img endpoint (resized on request, forged tokens refused).
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "cli/run_pier.h"
#include "cli/admin_client.h"
#include "cli/serve_process.h"
#include "music/fixtures.h"
#include "support/test_plugins.h"
#include "support/plugin_packages.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PierMusic : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::HaveSox());
    fs::remove_all(root_);
    fs::create_directories(root_ / "plugins");
    ASSERT_TRUE(testing::MakeTrack(root_ / "music/Artist/Album/01.mp3",
                                   {.title = "First", .artist = "Artist", .album = "Album", .track = 1, .picture = true}));
    ASSERT_TRUE(testing::MakeTrack(root_ / "music/Artist/Album/02.flac",
                                   {.title = "Second", .artist = "Artist", .album = "Album", .track = 2}));
    std::ofstream(root_ / "music/readme.txt") << "hello from the library";
    std::ofstream(root_ / "pier.toml") << R"(plugins_folder = "plugins"
data_folder = "data"
log_level = "info"
admin_listen = "127.0.0.1:0"

[[library]]
id = 1
name = "Music"
path = "music"

[[user]]
user_name = "alice"
name = "Alice"
is_admin = true

[[user]]
id = "b-1"
user_name = "bob"
name = "Bob"
)";
    Package("test-library", R"({"library":{"filesystem":true}})", "go_nd_library");
    Package("test-users", R"({"users":{}})", "go_nd_users");
    Package("test-artwork", R"({"artwork":{}})", "go_nd_artwork");
    Package("test-subsonicapi", R"({"subsonicapi":{},"users":{}})", "go_nd_subsonicapi");
    Package("no-library", R"({})", "go_nd_library");
  }
  void TearDown() override {
    serve_.Kill(SIGKILL);
    fs::remove_all(root_);
  }
  void Package(const std::string& id, const std::string& permissions, const std::string& wasm,
               const std::string& extra = "") {
    testing::WritePackage(root_ / "plugins" / (id + ".ndp"), id, permissions, wasm, extra);
  }
  CliRun Run(std::vector<std::string> args, bool with_stderr = false) {
    args.push_back("--config");
    args.push_back(Config());
    return Pier(args, with_stderr);
  }
  // A call through the running server (its data folder).
  CliRun Call(const std::string& id, const std::string& fn, const std::string& input) {
    return Pier({"call", (root_ / "plugins" / (id + ".ndp")).string(), fn, "--input", input, "--data",
                 (root_ / "data").string()},
                /*with_stderr=*/false);
  }
  std::string Config() const { return (root_ / "pier.toml").string(); }

  fs::path root_ = fs::temp_directory_path() / ("pier-music-" + std::to_string(getpid()));
  ServeProcess serve_{root_ / "pier.toml", root_ / "serve.log"};
};

TEST_F(PierMusic, LibraryCommandsScanListAndShow) {
  CliRun scan = Run({"library", "scan"});
  ASSERT_EQ(scan.exit_code, 0) << scan.out;
  EXPECT_NE(scan.out.find("library 1: 2 files (2 added, 0 updated, 0 removed, 0 unchanged)"), std::string::npos)
      << scan.out;
  CliRun again = Run({"library", "scan", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(json::parse(again.out)[0]["unchanged"], 2);
  CliRun list = Run({"library", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  json libraries = json::parse(list.out);
  ASSERT_EQ(libraries.size(), 1u);
  EXPECT_EQ(libraries[0]["name"], "Music");
  EXPECT_EQ(libraries[0]["totalSongs"], 2);
  EXPECT_EQ(libraries[0]["path"], (root_ / "music").string());
  CliRun show = Run({"library", "show", "1"});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("Artist — Album, 2 songs"), std::string::npos) << show.out;
  EXPECT_EQ(Run({"library", "show", "7"}).exit_code, 1);
  // `pier call` on a package reads the data folder's catalog; scopes come from the flags.
  const std::vector<std::string> call = {"call", (root_ / "plugins" / "test-library.ndp").string(), "nd_test_library",
                                         "--input", R"({"operation":"get_all_libraries"})", "--data",
                                         (root_ / "data").string()};
  CliRun unscoped = Pier(call, false);
  ASSERT_EQ(unscoped.exit_code, 0) << unscoped.out;
  EXPECT_FALSE(json::parse(unscoped.out).contains("libraries")) << unscoped.out;
  std::vector<std::string> scoped = call;
  scoped.push_back("--all-libraries");
  CliRun seen = Pier(scoped, false);
  ASSERT_EQ(seen.exit_code, 0) << seen.out;
  EXPECT_EQ(json::parse(seen.out)["libraries"][0]["totalSongs"], 2) << seen.out;
  EXPECT_EQ(Run({"library", "scan", "--library", "7"}).exit_code, 1);
}

TEST_F(PierMusic, BadLibraryAndUserEntriesAreRefusedByName) {
  std::ofstream(root_ / "bad.toml") << "[[library]]\nid = 0\npath = \"x\"\n";
  CliRun bad = Pier({"library", "list", "--config", (root_ / "bad.toml").string()});
  EXPECT_EQ(bad.exit_code, 3);
  std::ofstream(root_ / "bad.toml") << "[[user]]\nuser_name = \"a\"\npassword = \"secret\"\n";
  bad = Pier({"library", "list", "--config", (root_ / "bad.toml").string()});
  EXPECT_EQ(bad.exit_code, 3);
  std::ofstream(root_ / "bad.toml") << "[[user]]\nuser_name = \"a\"\n[[user]]\nuser_name = \"A\"\n";
  bad = Pier({"library", "list", "--config", (root_ / "bad.toml").string()});
  EXPECT_EQ(bad.exit_code, 3);
}

TEST_F(PierMusic, NavidromeKitPluginsRunUnderTheServer) {
  ASSERT_EQ(Run({"plugins", "config", "test-library", "--all-libraries"}).exit_code, 0);
  ASSERT_EQ(Run({"plugins", "config", "test-users", "--users", "alice", "b-1"}).exit_code, 0);
  ASSERT_EQ(Run({"plugins", "config", "test-subsonicapi", "--users", "alice"}).exit_code, 0);
  for (const char* id : {"test-library", "test-users", "test-artwork", "test-subsonicapi"}) {
    CliRun enable = Run({"plugins", "enable", id});
    ASSERT_EQ(enable.exit_code, 0) << id << ": " << enable.out;
  }
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  ASSERT_TRUE(serve_.LogShows("library 1 scanned: 2 files"));

  CliRun libs = Call("test-library", "nd_test_library", R"({"operation":"get_all_libraries"})");
  ASSERT_EQ(libs.exit_code, 0) << libs.out;
  json l = json::parse(libs.out)["libraries"][0];
  EXPECT_EQ(l["totalSongs"], 2);
  EXPECT_EQ(l["mountPoint"], "/libraries/1");
  CliRun read = Call("test-library", "nd_test_library",
                     R"({"operation":"read_file","mount_point":"/libraries/1","file_path":"readme.txt"})");
  EXPECT_EQ(json::parse(read.out)["file_content"], "hello from the library") << read.out;

  CliRun users = Call("test-users", "nd_test_users", R"({"operation":"get_users"})");
  EXPECT_EQ(json::parse(users.out)["users"].size(), 2u) << users.out;

  CliRun album = Call("test-subsonicapi", "call_subsonic_api", "getAlbumList2?type=alphabeticalByName&u=alice");
  ASSERT_EQ(album.exit_code, 0) << album.out;
  json list = json::parse(album.out)["subsonic-response"]["albumList2"]["album"];
  ASSERT_EQ(list.size(), 1u) << album.out;
  const std::string album_id = list[0]["id"];
  CliRun bob = Call("test-subsonicapi", "call_subsonic_api", "ping?u=bob");
  EXPECT_EQ(bob.exit_code, 1) << "bob is not granted to this plugin";

  // Artwork URLs point at this server, which answers them.
  CliRun art = Call("test-artwork", "nd_test_artwork",
                    json{{"artwork_type", "album"}, {"id", album_id}, {"size", 64}}.dump());
  ASSERT_EQ(art.exit_code, 0) << art.out;
  const std::string url = json::parse(art.out)["url"];
  std::string admin = testing::AdminAddress(root_ / "data");
  ASSERT_EQ(url.rfind(admin + "/share/img/", 0), 0u) << url << " vs " << admin;
  httplib::Client client(admin);
  testing::Authorize(client, root_ / "data");
  auto small = client.Get(url.substr(admin.size()));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
  EXPECT_EQ(small->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(testing::ImageSize(small->body), std::make_pair(64, 64));
  const std::string path = url.substr(admin.size(), url.find('?') - admin.size());
  auto full = client.Get(path);
  ASSERT_TRUE(full);
  EXPECT_EQ(testing::ImageSize(full->body), std::make_pair(300, 300));
  // Forged, truncated and hostile requests.
  std::string forged = path;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(client.Get(forged)->status, 403);
  EXPECT_EQ(client.Get("/share/img/not.a.token")->status, 403);
  EXPECT_EQ(client.Get("/share/img/" + std::string(5000, 'x'))->status, 403);
  EXPECT_EQ(client.Get(path + "?size=-1")->status, 400);
  auto huge = client.Get(path + "?size=99999999");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 200) << "clamped, never enlarged";
  EXPECT_EQ(testing::ImageSize(huge->body), std::make_pair(300, 300));
  CliRun none = Call("test-artwork", "nd_test_artwork", R"({"artwork_type":"track","id":"no-such-track"})");
  auto missing = client.Get(json::parse(none.out)["url"].get<std::string>().substr(admin.size()));
  EXPECT_EQ(missing->status, 404);

  // A plugin without the library permission does not even load (it imports Library).
  CliRun refused = Run({"plugins", "enable", "no-library"}, /*with_stderr=*/true);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("library"), std::string::npos) << refused.out;
}

// A play reaches the Scrobbler plugins through the server; a retry-later
// scrobble waits in plays.db through a SIGKILL and is delivered, once, after
// the restart.
TEST_F(PierMusic, PlaysReachScrobblersAndARetryLaterScrobbleSurvivesAKill) {
  std::ofstream(root_ / "pier.toml", std::ios::app) << "\n[scrobbling]\nretry_backoff = \"300ms\"\n";
  Package("scrob", R"({"users":{},"kvstore":{}})", "go_nd_scrobbler",
          R"(,"config":{"schema":{"type":"object","properties":{"error_type":{"type":"string"}}}})");
  ASSERT_EQ(Run({"plugins", "config", "scrob", "--all-users", "--set", R"({"error_type":"retry_later"})"}).exit_code, 0);
  ASSERT_EQ(Run({"plugins", "enable", "scrob"}).exit_code, 0);
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  ASSERT_TRUE(serve_.LogShows("library 1 scanned"));

  CliRun play = Run({"play", "alice", "First", "--json"});
  ASSERT_EQ(play.exit_code, 0) << play.out;
  json answer = json::parse(play.out);
  EXPECT_EQ(answer["track"]["title"], "First");
  ASSERT_EQ(answer["scrobble"].size(), 1u);
  EXPECT_EQ(answer["scrobble"][0]["result"], "retry later");
  EXPECT_EQ(answer["nowPlaying"][0]["result"], "retry later");
  CliRun unknown = Run({"play", "nobody", "First"}, /*with_stderr=*/true);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("no user nobody"), std::string::npos) << unknown.out;
  EXPECT_EQ(Run({"play", "alice", "no such song at all"}).exit_code, 1);
  CliRun report = Run({"play", "alice", "First", "--report", "paused", "--position", "3"});
  EXPECT_EQ(report.exit_code, 0) << report.out;
  EXPECT_NE(report.out.find("playback report → scrob: delivered"), std::string::npos) << report.out;

  std::string admin = testing::AdminAddress(root_ / "data");
  httplib::Client client(admin);
  testing::Authorize(client, root_ / "data");
  auto buffer = client.Get("/api/music/buffer");
  ASSERT_TRUE(buffer);
  ASSERT_EQ(json::parse(buffer->body).size(), 1u) << buffer->body;
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  serve_.Kill(SIGKILL);

  // The service is back; so is Pier, and it delivers what was waiting.
  ASSERT_EQ(Run({"plugins", "config", "scrob", "--set", "{}"}).exit_code, 0);
  serve_.Start(/*append=*/true);
  ASSERT_TRUE(serve_.LogShows("pier serve: ready", 2));
  ASSERT_TRUE(serve_.LogShows("buffered scrobble of alice delivered", 1, 20));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CliRun got = Call("scrob", "deliveries", "");
  ASSERT_EQ(got.exit_code, 0) << got.out;
  json deliveries = json::parse(got.out);
  int scrobbles = 0;
  for (auto& [k, v] : deliveries.items()) {
    if (k.rfind("scrobble:alice:", 0) == 0) {
      ++scrobbles;
      EXPECT_EQ(v, "1") << k << " delivered once";
    }
  }
  EXPECT_EQ(scrobbles, 1) << got.out;
  admin = testing::AdminAddress(root_ / "data");  // a new port after the restart
  admin.erase(admin.find_last_not_of('\n') + 1);
  httplib::Client again(admin);
  testing::Authorize(again, root_ / "data");
  auto after = again.Get("/api/music/buffer");
  ASSERT_TRUE(after);
  EXPECT_EQ(json::parse(after->body).size(), 0u);

  CliRun history = Run({"scrobbles", "alice"});
  EXPECT_EQ(history.exit_code, 0);
  EXPECT_NE(history.out.find("Artist — First"), std::string::npos) << history.out;
}

// Navidrome-kit agents answer `pier agent` down the configured chain.
TEST_F(PierMusic, AgentsAnswerDownTheChain) {
  std::ofstream(root_ / "pier.toml", std::ios::app) << "\n[agents]\norder = [\"partial\", \"full\"]\n";
  Package("partial", "{}", "go_nd_agent_partial");
  Package("full", "{}", "go_nd_agent", R"(,"config":{"schema":{"type":"object","properties":{"label":{"type":"string"}}}})");
  ASSERT_EQ(Run({"plugins", "config", "full", "--set", R"({"label":"from full"})"}).exit_code, 0);
  for (const char* id : {"partial", "full"}) ASSERT_EQ(Run({"plugins", "enable", id}).exit_code, 0);
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  CliRun bio = Run({"agent", "artist-biography", "Artist"}, /*with_stderr=*/true);
  EXPECT_EQ(bio.exit_code, 0) << bio.out;
  EXPECT_NE(bio.out.find("Partial agent biography for Artist"), std::string::npos) << bio.out;
  EXPECT_NE(bio.out.find("partial: answered"), std::string::npos) << bio.out;
  CliRun url = Run({"agent", "artist-url", "Artist", "--json"});
  ASSERT_EQ(url.exit_code, 0) << url.out;
  json answer = json::parse(url.out);
  EXPECT_EQ(answer["plugin"], "full");
  EXPECT_EQ(answer["attempts"][0]["result"], "not implemented");
  CliRun top = Run({"agent", "top-songs", "Artist", "--json"});
  ASSERT_EQ(top.exit_code, 0) << top.out;
  EXPECT_FALSE(json::parse(top.out)["resolved"][0].is_null()) << "First is in the library: " << top.out;
  EXPECT_EQ(Run({"agent", "artist-horoscope", "Artist"}).exit_code, 3) << "not a method";
}

// Lyrics and SonicSimilarity plugins answer `pier lyrics` and `pier similar`.
TEST_F(PierMusic, LyricsAndSimilarTracksFromPlugins) {
  Package("words", "{}", "cpp_lyrics_sonic");
  ASSERT_EQ(Run({"plugins", "enable", "words"}).exit_code, 0);
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  ASSERT_TRUE(serve_.LogShows("library 1 scanned"));
  CliRun lyrics = Run({"lyrics", "First"});
  EXPECT_EQ(lyrics.exit_code, 0) << lyrics.out;
  EXPECT_EQ(lyrics.out, "[00:01.00]First by Artist\n");
  EXPECT_EQ(Run({"lyrics", "Second"}).exit_code, 1) << "the plugin has none for it";
  EXPECT_EQ(Run({"lyrics", "no such track"}).exit_code, 1);
  CliRun similar = Run({"similar", "First", "--count", "2", "--json"});
  ASSERT_EQ(similar.exit_code, 0) << similar.out;
  json matches = json::parse(similar.out)["matches"];
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0]["song"]["name"], "Second");
  EXPECT_FALSE(matches[0]["trackId"].is_null());
  CliRun path = Run({"similar", "First", "--to", "Second", "--json"});
  ASSERT_EQ(path.exit_code, 0) << path.out;
  EXPECT_EQ(json::parse(path.out)["matches"].size(), 3u);
}

}  // namespace
}  // namespace pier
