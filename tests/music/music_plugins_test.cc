// The music host services through real plugins built with Navidrome's own Go
// kit (tests/plugins/go_ndkit: the protocols of the original's test-library,
// test-users, test-artwork and test-subsonicapi-plugin, and a Matcher plugin),
// loaded by the real manager over a real catalog scanned from sox/TagLib
// fixtures: shapes, messages, scopes, and a hostile plugin trying every way
// out of its library mount.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "manager/plugin_manager.h"
#include "music/artwork_token.h"
#include "music/catalog_music_host.h"
#include "music/fixtures.h"
#include "support/temp_dir.h"
#include "support/test_plugins.h"
#include "support/plugin_packages.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";

class MusicPluginsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::HaveSox());
    one_ = dir_.path() / "one";
    two_ = dir_.path() / "two";
    ASSERT_TRUE(testing::MakeTrack(one_ / "Band/Record/01.flac",
                                   {.title = "Opening", .artist = "Band", .album = "Record", .track = 1, .year = 1999,
                                    .mbid = "11111111-2222-3333-4444-555555555555", .isrc = "GBAAA9900001",
                                    .seconds = 2, .picture = true}));
    ASSERT_TRUE(testing::MakeTrack(one_ / "Band/Record/02.mp3",
                                   {.title = "Café Song", .artist = "Band", .album = "Record", .track = 2, .year = 1999,
                                    .seconds = 3}));
    std::ofstream(one_ / "notes.txt") << "liner notes";
    ASSERT_TRUE(testing::MakeTrack(two_ / "secret.flac", {.title = "Hidden", .artist = "Other", .album = "Elsewhere"}));
    std::ofstream(dir_.path() / "outside.txt") << "outside the libraries";
    // A link a host administrator left in the library, pointing out of it.
    fs::create_symlink(dir_.path() / "outside.txt", one_ / "escape.txt");

    catalog_ = std::shared_ptr<catalog::Catalog>(catalog::Catalog::Open(dir_.path() / "catalog.db").value());
    ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "One", .path = one_}, {.id = 2, .name = "Two", .path = two_},
                                         {.id = 3, .name = "Never", .path = dir_.path() / "never"}})
                    .ok());
    ASSERT_TRUE(catalog_->SyncUsers({{"u-alice", "alice", "Alice", true, {}},
                                     {"bob", "bob", "Bob", false, {1}},
                                     {"carol", "carol", "Carol", false, {}}})
                    .ok());
    for (int id : {1, 2}) ASSERT_TRUE(catalog::ScanLibrary(*catalog_, *catalog_->GetLibrary(id).value()).ok());
    music::CatalogMusicOptions options;
    options.artwork = {.base_url = [] { return std::string("http://127.0.0.1:4533"); }, .secret = kSecret};
    ManagerOptions manager_options;
    manager_options.data_dir = dir_.path() / "data";
    manager_options.call_timeout = 10s;
    manager_options.music = std::make_shared<music::CatalogMusicHost>(catalog_, options);
    runtime_ = Runtime::Create().value();
    manager_ = std::make_unique<PluginManager>(*runtime_, manager_options);
  }

  Result<std::shared_ptr<LoadedPlugin>> TryLoad(const std::string& id, const std::string& permissions,
                                                const std::string& wasm, const PluginSettings& settings) {
    const fs::path path = dir_.path() / (id + ".ndp");
    testing::WritePackage(path, "t", permissions, wasm);
    return manager_->Load(path, settings);
  }
  std::shared_ptr<LoadedPlugin> Load(const std::string& id, const std::string& permissions, const std::string& wasm,
                                     const PluginSettings& settings) {
    auto loaded = TryLoad(id, permissions, wasm, settings);
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    return loaded.ok() ? *loaded : nullptr;
  }
  json Op(LoadedPlugin& p, const std::string& fn, const json& input) { return testing::CallJson(p, fn, input); }
  json Lib(LoadedPlugin& p, json input) { return Op(p, "nd_test_library", input); }

  testing::TempDir dir_;
  fs::path one_, two_;
  std::shared_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<PluginManager> manager_;
};

// --- Library (test-library) ---

TEST_F(MusicPluginsTest, LibraryShapesScopeAndMessages) {
  auto p = Load("test-library", R"({"library":{"filesystem":true}})", "go_nd_library", {.libraries = {1, 3}});
  ASSERT_TRUE(p);
  json all = Lib(*p, {{"operation", "get_all_libraries"}});
  ASSERT_EQ(all["libraries"].size(), 2u) << all.dump();
  const json& one = all["libraries"][0];
  EXPECT_EQ(one["id"], 1);
  EXPECT_EQ(one["name"], "One");
  EXPECT_EQ(one["path"], one_.string());
  EXPECT_EQ(one["mountPoint"], "/libraries/1");
  EXPECT_EQ(one["totalSongs"], 2);
  EXPECT_EQ(one["totalAlbums"], 1);
  EXPECT_EQ(one["totalArtists"], 1);
  EXPECT_GT(one["totalSize"].get<int64_t>(), 0);
  EXPECT_NEAR(one["totalDuration"].get<double>(), 5.0, 0.2);
  EXPECT_GT(one["lastScanAt"].get<int64_t>(), 1700000000);
  EXPECT_EQ(all["libraries"][1]["lastScanAt"], -62135596800) << "never scanned: Go's zero time";

  json denied = Lib(*p, {{"operation", "get_library"}, {"library_id", 2}});
  EXPECT_EQ(denied["error"], "library not accessible: library ID 2 is not in the allowed list");
  json got = Lib(*p, {{"operation", "get_library"}, {"library_id", 1}});
  EXPECT_EQ(got["library"]["name"], "One");

  // Without filesystem: no path, no mount point, nothing under /libraries.
  auto bare = Load("bare-library", R"({"library":{}})", "go_nd_library", {.all_libraries = true});
  ASSERT_TRUE(bare);
  json listed = Lib(*bare, {{"operation", "get_all_libraries"}});
  ASSERT_EQ(listed["libraries"].size(), 3u);
  // (The kit's Library has no omitempty: an absent field comes back empty.)
  EXPECT_EQ(listed["libraries"][0].value("path", ""), "");
  EXPECT_EQ(listed["libraries"][0].value("mountPoint", ""), "");
  EXPECT_TRUE(Lib(*bare, {{"operation", "list_dir"}, {"mount_point", "/libraries"}}).contains("error"));
  json missing = Lib(*bare, {{"operation", "get_library"}, {"library_id", 99}});
  EXPECT_EQ(missing["error"], "library not found: data not found");
}

TEST_F(MusicPluginsTest, LibraryFilesThroughWasiOnlyForGrantedLibraries) {
  auto p = Load("test-library", R"({"library":{"filesystem":true}})", "go_nd_library", {.libraries = {1}});
  ASSERT_TRUE(p);
  json read = Lib(*p, {{"operation", "read_file"}, {"mount_point", "/libraries/1"}, {"file_path", "notes.txt"}});
  EXPECT_EQ(read["file_content"], "liner notes") << read.dump();
  json dir = Lib(*p, {{"operation", "list_dir"}, {"mount_point", "/libraries/1"}, {"file_path", "Band/Record"}});
  EXPECT_EQ(dir["dir_entries"], json::array({"01.flac", "02.mp3"}));
  json root = Lib(*p, {{"operation", "list_dir"}, {"mount_point", "/libraries"}});
  EXPECT_TRUE(!root.contains("dir_entries") || root["dir_entries"] == json::array({"1"})) << root.dump();
  // Library 2 is not granted: not mounted.
  EXPECT_TRUE(Lib(*p, {{"operation", "read_file"}, {"mount_point", "/libraries/2"}, {"file_path", "secret.flac"}})
                  .contains("error"));

  // Every way out of the mount fails.
  const std::vector<std::pair<std::string, std::string>> escapes = {
      {"/libraries/1", "../2/secret.flac"},
      {"/libraries/1", "../../outside.txt"},
      {"/libraries/1", "Band/../../2/secret.flac"},
      {"/libraries/1", "escape.txt"},  // a host symlink out of the library
      {"/libraries/1/..", "2/secret.flac"},
      {"/libraries/1", (dir_.path() / "outside.txt").string()},
  };
  for (const auto& [mount, file] : escapes) {
    json r = Lib(*p, {{"operation", "read_file"}, {"mount_point", mount}, {"file_path", file}});
    EXPECT_TRUE(r.contains("error")) << mount << " + " << file << " read: " << r.dump();
    EXPECT_FALSE(r.contains("file_content")) << r.dump();
  }
  // Read-only without allow_write_access: no writes, no links, no renames, no removals.
  for (const json& op : {json{{"operation", "write_file"}, {"file_path", "new.txt"}, {"content", "x"}},
                         json{{"operation", "mkdir"}, {"file_path", "newdir"}},
                         json{{"operation", "remove"}, {"file_path", "notes.txt"}},
                         json{{"operation", "rename"}, {"file_path", "notes.txt"}, {"target", "moved.txt"}},
                         json{{"operation", "symlink"}, {"file_path", "link"}, {"target", "/etc/passwd"}}}) {
    json in = op;
    in["mount_point"] = "/libraries/1";
    EXPECT_TRUE(Lib(*p, in).contains("error")) << in.dump();
  }
  EXPECT_TRUE(fs::exists(one_ / "notes.txt"));
  EXPECT_FALSE(fs::exists(one_ / "new.txt"));
  EXPECT_FALSE(fs::exists(one_ / "newdir"));
}

TEST_F(MusicPluginsTest, WriteAccessAllowsWritesButNeverLinksOrEscapes) {
  auto p = Load("writer", R"({"library":{"filesystem":true}})", "go_nd_library",
                {.libraries = {1}, .allow_write_access = true});
  ASSERT_TRUE(p);
  json w = Lib(*p, {{"operation", "write_file"}, {"mount_point", "/libraries/1"}, {"file_path", "new.txt"},
                    {"content", "written"}});
  EXPECT_FALSE(w.contains("error")) << w.dump();
  EXPECT_EQ(testing::ReadFile(one_ / "new.txt"), "written");
  EXPECT_TRUE(Lib(*p, {{"operation", "symlink"}, {"mount_point", "/libraries/1"}, {"file_path", "link"},
                       {"target", "../2/secret.flac"}})
                  .contains("error"));
  EXPECT_FALSE(fs::is_symlink(one_ / "link"));
  EXPECT_TRUE(Lib(*p, {{"operation", "write_file"}, {"mount_point", "/libraries/1"}, {"file_path", "../2/planted.txt"},
                       {"content", "x"}})
                  .contains("error"));
  EXPECT_FALSE(fs::exists(two_ / "planted.txt"));
  EXPECT_TRUE(Lib(*p, {{"operation", "rename"}, {"mount_point", "/libraries/1"}, {"file_path", "new.txt"},
                       {"target", "../outside-moved.txt"}})
                  .contains("error"));
}

TEST_F(MusicPluginsTest, WithoutTheLibraryPermissionNothingIsMountedOrCallable) {
  auto p = TryLoad("no-permission", R"({})", "go_nd_library", {.all_libraries = true});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("library"), std::string::npos) << p.status().message();
  // A plugin with another music permission does not see /libraries either.
  auto users = Load("users-only", R"({"users":{}})", "go_nd_users", {.all_users = true, .all_libraries = true});
  ASSERT_TRUE(users);
  auto r = users->plugin->Call("nd_test_users", R"({"operation":"get_users"})");
  ASSERT_TRUE(r.ok() && r->is_output());
}

// --- Users (test-users) ---

TEST_F(MusicPluginsTest, UsersAreScopedAndInOrder) {
  auto p = Load("test-users", R"({"users":{}})", "go_nd_users", {.users = {"u-alice", "carol"}});
  ASSERT_TRUE(p);
  json users = Op(*p, "nd_test_users", {{"operation", "get_users"}});
  EXPECT_EQ(users["users"], json::parse(R"([{"userName":"alice","name":"Alice","isAdmin":true},
                                            {"userName":"carol","name":"Carol","isAdmin":false}])"));
  json admins = Op(*p, "nd_test_users", {{"operation", "get_admins"}});
  EXPECT_EQ(admins["users"], json::parse(R"([{"userName":"alice","name":"Alice","isAdmin":true}])"));
  auto all = Load("all-users", R"({"users":{}})", "go_nd_users", {.all_users = true});
  EXPECT_EQ(Op(*all, "nd_test_users", {{"operation", "get_users"}})["users"].size(), 3u);
}

// --- Artwork (test-artwork) ---

TEST_F(MusicPluginsTest, ArtworkUrlsCarryATokenTheHostVerifies) {
  auto p = Load("test-artwork", R"({"artwork":{}})", "go_nd_artwork", {});
  ASSERT_TRUE(p);
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"artist", "ar"}, {"album", "al"}, {"track", "mf"}, {"playlist", "pl"}};
  for (const auto& [type, prefix] : kinds) {
    json r = Op(*p, "nd_test_artwork", {{"artwork_type", type}, {"id", "123"}, {"size", 300}});
    const std::string url = r["url"];
    const std::string base = "http://127.0.0.1:4533/share/img/";
    ASSERT_EQ(url.rfind(base, 0), 0u) << url;
    ASSERT_TRUE(url.ends_with("?size=300")) << url;
    const std::string token = url.substr(base.size(), url.size() - base.size() - 9);
    auto id = music::VerifyArtworkToken(token, kSecret);
    ASSERT_TRUE(id.ok()) << id.status().message();
    EXPECT_EQ(*id, prefix + "-123_0");
    EXPECT_FALSE(music::VerifyArtworkToken(token, "another secret of some length").ok());
  }
  json original = Op(*p, "nd_test_artwork", {{"artwork_type", "album"}, {"id", "x"}, {"size", 0}});
  EXPECT_EQ(original["url"].get<std::string>().find('?'), std::string::npos) << "size 0 = original: no query";
  json bad = Op(*p, "nd_test_artwork", {{"artwork_type", "poster"}, {"id", "1"}});
  EXPECT_EQ(bad["error"], "unknown artwork type: poster");
}

// --- SubsonicAPI (test-subsonicapi-plugin) ---

class SubsonicPluginTest : public MusicPluginsTest {
 protected:
  // {rc 0: output} or {rc 1: error}
  std::pair<bool, std::string> Call(LoadedPlugin& p, const std::string& fn, const std::string& uri) {
    auto r = p.plugin->Call(fn, uri);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return {false, ""};
    if (r->is_output()) return {true, r->output()};
    return {false, r->Describe()};
  }
};

TEST_F(SubsonicPluginTest, RulesAndTheOriginalsMessages) {
  auto p = Load("test-subsonicapi", R"({"subsonicapi":{},"users":{}})", "go_nd_subsonicapi", {.users = {"u-alice", "bob"}});
  ASSERT_TRUE(p);
  auto [ok, body] = Call(*p, "call_subsonic_api", "ping?u=alice&f=xml&c=spoofed&v=0.1");
  ASSERT_TRUE(ok) << body;
  json ping = json::parse(body);
  EXPECT_EQ(ping["subsonic-response"]["status"], "ok");
  EXPECT_EQ(ping["subsonic-response"]["version"], "1.16.1");

  auto expect_error = [&](const std::string& uri, const std::string& message) {
    auto [ok2, err] = Call(*p, "call_subsonic_api", uri);
    EXPECT_FALSE(ok2) << uri;
    EXPECT_NE(err.find("failed to call SubsonicAPI: " + message), std::string::npos) << uri << ": " << err;
  };
  expect_error("ping", "missing required parameter 'u' (username)");
  expect_error("ping?u=", "missing required parameter 'u' (username)");
  expect_error("ping?u=nobody", "username nobody not found");
  expect_error("ping?u=carol", "user carol is not authorized for this plugin");
  expect_error("/rest/pi%zzng?u=alice", "invalid URL format: parse \"/rest/pi%zzng?u=alice\": invalid URL escape \"%zz\"");
  // Case-insensitive user names; the last path segment is the endpoint; .view accepted.
  EXPECT_TRUE(Call(*p, "call_subsonic_api", "http://elsewhere.example/rest/ping.view?u=ALICE").first);
  // Unknown endpoints come back as the router's text, not as an error.
  auto [ok3, missing] = Call(*p, "call_subsonic_api", "noSuchThing?u=alice");
  EXPECT_TRUE(ok3);
  EXPECT_EQ(missing, "404 page not found\n");
  auto [ok5, tricked] = Call(*p, "call_subsonic_api", "/rest/../../../etc/passwd?u=alice");
  EXPECT_TRUE(ok5);
  EXPECT_EQ(tricked, "404 page not found\n") << "only the last segment names an endpoint";

  auto none = Load("no-users", R"({"subsonicapi":{},"users":{}})", "go_nd_subsonicapi", {});
  auto [ok4, err4] = Call(*none, "call_subsonic_api", "ping?u=alice");
  EXPECT_FALSE(ok4);
  EXPECT_NE(err4.find("no users configured for plugin no-users"), std::string::npos) << err4;
}

TEST_F(SubsonicPluginTest, CatalogAnswersInSubsonicShapes) {
  auto p = Load("test-subsonicapi", R"({"subsonicapi":{},"users":{}})", "go_nd_subsonicapi", {.all_users = true});
  ASSERT_TRUE(p);
  auto get = [&](const std::string& uri) {
    auto [ok, body] = Call(*p, "call_subsonic_api", uri);
    EXPECT_TRUE(ok) << uri << ": " << body;
    json j = ok ? json::parse(body) : json::object();
    return j.value("subsonic-response", json::object());
  };
  json folders = get("getMusicFolders?u=bob");
  EXPECT_EQ(folders["musicFolders"]["musicFolder"], json::parse(R"([{"id":1,"name":"One"}])")) << "bob sees library 1";
  EXPECT_EQ(get("getMusicFolders?u=alice")["musicFolders"]["musicFolder"].size(), 3u);

  json artists = get("getArtists?u=alice");
  ASSERT_EQ(artists["artists"]["index"].size(), 2u) << artists.dump();
  EXPECT_EQ(artists["artists"]["index"][0]["name"], "B");
  const json band = artists["artists"]["index"][0]["artist"][0];
  EXPECT_EQ(band["name"], "Band");
  EXPECT_EQ(band["albumCount"], 1);

  json artist = get("getArtist?u=alice&id=" + band["id"].get<std::string>());
  ASSERT_EQ(artist["artist"]["album"].size(), 1u);
  const std::string album_id = artist["artist"]["album"][0]["id"];
  json album = get("getAlbum?u=alice&id=" + album_id);
  EXPECT_EQ(album["album"]["name"], "Record");
  EXPECT_EQ(album["album"]["songCount"], 2);
  EXPECT_EQ(album["album"]["year"], 1999);
  ASSERT_EQ(album["album"]["song"].size(), 2u);
  const json first = album["album"]["song"][0];
  for (const char* key : {"id", "parent", "title", "album", "artist", "coverArt", "size", "contentType", "suffix",
                          "duration", "bitRate", "path", "albumId", "artistId", "type", "created"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(first["title"], "Opening");
  EXPECT_EQ(first["track"], 1);
  EXPECT_EQ(first["isDir"], false);
  EXPECT_EQ(first["musicBrainzId"], "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(get("getSong?u=alice&id=" + first["id"].get<std::string>())["song"]["title"], "Opening");

  json missing = get("getAlbum?u=alice&id=nope");
  EXPECT_EQ(missing["status"], "failed");
  EXPECT_EQ(missing["error"]["code"], 70);
  json no_id = get("getAlbum?u=alice");
  EXPECT_EQ(no_id["error"]["code"], 10);

  EXPECT_EQ(get("getAlbumList2?u=alice&type=alphabeticalByName&size=10")["albumList2"]["album"].size(), 2u);
  EXPECT_EQ(get("getAlbumList2?u=bob&type=alphabeticalByName")["albumList2"]["album"].size(), 1u) << "bob: library 1";
  EXPECT_EQ(get("getAlbumList2?u=alice&type=byYear&fromYear=1990&toYear=2000")["albumList2"]["album"].size(), 1u);
  EXPECT_EQ(get("getAlbumList2?u=alice")["error"]["code"], 10);
  EXPECT_EQ(get("getRandomSongs?u=alice&size=2")["randomSongs"]["song"].size(), 2u);
  json search = get("search3?u=alice&query=caf");
  ASSERT_EQ(search["searchResult3"]["song"].size(), 1u);
  EXPECT_EQ(search["searchResult3"]["song"][0]["title"], "Café Song");
  EXPECT_EQ(get("getUser?u=bob&username=bob")["user"]["adminRole"], false);
  EXPECT_EQ(get("getUser?u=bob&username=alice")["error"]["code"], 50);
  EXPECT_EQ(get("getUser?u=alice&username=bob")["user"]["folder"], json::array({1}));
  EXPECT_EQ(get("getLicense?u=alice")["license"]["valid"], true);

  // Raw: cover art bytes, and XML when no format is asked for.
  auto [ok, raw] = Call(*p, "call_subsonic_api_raw", "getCoverArt?u=alice&id=al-" + album_id + "&size=64");
  ASSERT_TRUE(ok) << raw;
  json r = json::parse(raw);
  EXPECT_EQ(r["contentType"], "image/jpeg");
  EXPECT_EQ(r["firstByte"], 0xFF);
  EXPECT_GT(r["size"].get<int>(), 100);
  auto [ok2, xml] = Call(*p, "call_subsonic_api_raw", "ping?u=alice");
  ASSERT_TRUE(ok2);
  EXPECT_EQ(json::parse(xml)["contentType"], "application/xml");
  EXPECT_EQ(json::parse(xml)["firstByte"], '<');
}

// --- Matcher ---

TEST_F(MusicPluginsTest, MatcherResolvesByIdMbidIsrcThenNames) {
  auto p = Load("matcher", R"({"library":{},"matcher":{}})", "go_nd_matcher", {.libraries = {1}});
  ASSERT_TRUE(p);
  json songs = json::array({
      {{"name", "whatever"}, {"mbid", "11111111-2222-3333-4444-555555555555"}},
      {{"name", "whatever"}, {"isrc", "gb-aaa-99-00001"}},
      {{"name", "cafe song"}, {"artist", "BAND"}, {"durationMs", 3000}},
      {{"name", "Café Song"}, {"artist", "Someone Else"}},
      {{"name", "Hidden"}, {"artist", "Other"}},  // in library 2: not granted
      {{"name", "Nothing Like It"}},
  });
  json out = Op(*p, "nd_test_matcher", {{"songs", songs}, {"opts", json::object()}});
  ASSERT_EQ(out["results"].size(), 6u) << out.dump();
  EXPECT_EQ(out["results"][0]["title"], "Opening");
  EXPECT_EQ(out["results"][1]["title"], "Opening");
  EXPECT_EQ(out["results"][2]["title"], "Café Song");
  EXPECT_EQ(out["results"][2]["libraryName"], "One");
  EXPECT_FALSE(out["results"][2].contains("path")) << "no filesystem access: no path";
  EXPECT_TRUE(out["results"][3].is_null());
  EXPECT_TRUE(out["results"][4].is_null());
  EXPECT_TRUE(out["results"][5].is_null());
  const std::string id = out["results"][0]["id"];
  json by_id = Op(*p, "nd_test_matcher", {{"songs", json::array({{{"id", id}, {"name", ""}}})}, {"opts", json::object()}});
  EXPECT_EQ(by_id["results"][0]["id"], id);

  auto no_library = TryLoad("matcher-alone", R"({"matcher":{}})", "go_nd_matcher", {});
  EXPECT_FALSE(no_library.ok());
}

}  // namespace
}  // namespace pier
