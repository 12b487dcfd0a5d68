// The reference router's answers against the Subsonic 1.16.1 schema's types:
// required attributes present with their XSD types (string, int, long,
// boolean, dateTime), over a catalog scanned from fixtures.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "catalog/catalog.h"
#include "catalog/scanner.h"
#include "music/fixtures.h"
#include "music/subsonic_router.h"
#include "support/temp_dir.h"

namespace pier::music {
namespace {

using nlohmann::json;

enum class T { kString, kInt, kLong, kBool, kDateTime, kFloat };

// `fields`: name → type; a name ending in '?' is optional.
void ExpectShape(const json& j, const std::vector<std::pair<std::string, T>>& fields, const std::string& what) {
  ASSERT_TRUE(j.is_object()) << what << ": " << j.dump();
  static const std::regex kDateTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
  for (auto [name, type] : fields) {
    const bool optional = name.back() == '?';
    if (optional) name.pop_back();
    if (!j.contains(name)) {
      EXPECT_TRUE(optional) << what << " lacks required '" << name << "': " << j.dump();
      continue;
    }
    const json& v = j[name];
    switch (type) {
      case T::kString: EXPECT_TRUE(v.is_string()) << what << "." << name; break;
      case T::kInt:
      case T::kLong: EXPECT_TRUE(v.is_number_integer()) << what << "." << name << " = " << v; break;
      case T::kFloat: EXPECT_TRUE(v.is_number()) << what << "." << name; break;
      case T::kBool: EXPECT_TRUE(v.is_boolean()) << what << "." << name; break;
      case T::kDateTime:
        EXPECT_TRUE(v.is_string() && std::regex_match(v.get<std::string>(), kDateTime)) << what << "." << name << " = " << v;
        break;
    }
  }
}

const std::vector<std::pair<std::string, T>> kChild = {
    {"id", T::kString},        {"parent?", T::kString},   {"isDir", T::kBool},        {"title", T::kString},
    {"album?", T::kString},    {"artist?", T::kString},   {"track?", T::kInt},        {"year?", T::kInt},
    {"genre?", T::kString},    {"coverArt?", T::kString}, {"size?", T::kLong},        {"contentType?", T::kString},
    {"suffix?", T::kString},   {"duration?", T::kInt},    {"bitRate?", T::kInt},      {"path?", T::kString},
    {"isVideo?", T::kBool},    {"discNumber?", T::kInt},  {"created?", T::kDateTime}, {"albumId?", T::kString},
    {"artistId?", T::kString}, {"type?", T::kString}};
const std::vector<std::pair<std::string, T>> kAlbumId3 = {
    {"id", T::kString},       {"name", T::kString},       {"artist?", T::kString},   {"artistId?", T::kString},
    {"coverArt?", T::kString}, {"songCount", T::kInt},    {"duration", T::kInt},     {"created", T::kDateTime},
    {"year?", T::kInt},       {"genre?", T::kString}};
const std::vector<std::pair<std::string, T>> kArtistId3 = {
    {"id", T::kString}, {"name", T::kString}, {"coverArt?", T::kString}, {"albumCount", T::kInt}};

class SubsonicShapes : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::HaveSox());
    ASSERT_TRUE(testing::MakeTrack(dir_.path() / "m/a/1.flac",
                                   {.title = "T1", .artist = "The Artist", .album = "LP", .track = 1, .year = 2020,
                                    .genre = "Jazz", .seconds = 1}));
    ASSERT_TRUE(testing::MakeTrack(dir_.path() / "m/a/2.mp3", {.title = "T2", .artist = "The Artist", .album = "LP"}));
    catalog_ = std::shared_ptr<catalog::Catalog>(catalog::Catalog::Open(dir_.path() / "c.db").value());
    ASSERT_TRUE(catalog_->SyncLibraries({{.id = 1, .name = "M", .path = dir_.path() / "m"}}).ok());
    ASSERT_TRUE(catalog_->SyncUsers({{"u", "u", "U", true, {}}}).ok());
    ASSERT_TRUE(catalog::ScanLibrary(*catalog_, *catalog_->GetLibrary(1).value()).ok());
    router_ = std::make_unique<CatalogSubsonicRouter>(catalog_);
  }
  json Get(const std::string& endpoint, std::vector<std::pair<std::string, std::string>> params = {}) {
    params.emplace_back("f", "json");
    SubsonicResponse r = router_->Handle({.endpoint = endpoint, .params = params, .user_name = "u"});
    EXPECT_EQ(r.content_type, "application/json");
    json doc = json::parse(r.body);
    json out = doc["subsonic-response"];
    EXPECT_EQ(out["status"], "ok") << endpoint << ": " << r.body;
    EXPECT_EQ(out["version"], "1.16.1");
    return out;
  }
  testing::TempDir dir_;
  std::shared_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<CatalogSubsonicRouter> router_;
};

TEST_F(SubsonicShapes, EveryEndpointAnswersTheSchemasTypes) {
  json artists = Get("getArtists");
  EXPECT_TRUE(artists["artists"]["ignoredArticles"].is_string());
  ASSERT_EQ(artists["artists"]["index"].size(), 1u);
  EXPECT_EQ(artists["artists"]["index"][0]["name"], "A") << "'The' is ignored when indexing";
  const json artist = artists["artists"]["index"][0]["artist"][0];
  ExpectShape(artist, kArtistId3, "ArtistID3");
  json full = Get("getArtist", {{"id", artist["id"]}});
  ExpectShape(full["artist"], kArtistId3, "ArtistWithAlbumsID3");
  ASSERT_EQ(full["artist"]["album"].size(), 1u);
  ExpectShape(full["artist"]["album"][0], kAlbumId3, "AlbumID3");
  json album = Get("getAlbum", {{"id", full["artist"]["album"][0]["id"]}});
  ExpectShape(album["album"], kAlbumId3, "AlbumWithSongsID3");
  for (const auto& s : album["album"]["song"]) ExpectShape(s, kChild, "Child");
  ExpectShape(Get("getSong", {{"id", album["album"]["song"][0]["id"]}})["song"], kChild, "Child");
  // (Each answer is kept in a local: a range-for over a temporary's member would dangle.)
  const json newest = Get("getAlbumList2", {{"type", "newest"}});
  for (const auto& a : newest["albumList2"]["album"]) ExpectShape(a, kAlbumId3, "AlbumID3");
  const json by_genre = Get("getAlbumList2", {{"type", "byGenre"}, {"genre", "jazz"}});
  ASSERT_EQ(by_genre["albumList2"]["album"].size(), 1u);
  for (const auto& a : by_genre["albumList2"]["album"]) ExpectShape(a, kAlbumId3, "AlbumID3");
  const json random = Get("getRandomSongs");
  for (const auto& s : random["randomSongs"]["song"]) ExpectShape(s, kChild, "Child");
  json search = Get("search3", {{"query", "\"\""}})["searchResult3"];
  EXPECT_EQ(search["song"].size(), 2u);
  EXPECT_EQ(search["album"].size(), 1u);
  EXPECT_EQ(search["artist"].size(), 1u);
  ExpectShape(Get("getUser", {{"username", "u"}})["user"],
              {{"username", T::kString}, {"scrobblingEnabled", T::kBool}, {"adminRole", T::kBool},
               {"settingsRole", T::kBool}, {"downloadRole", T::kBool}, {"uploadRole", T::kBool},
               {"playlistRole", T::kBool}, {"coverArtRole", T::kBool}, {"commentRole", T::kBool},
               {"podcastRole", T::kBool}, {"streamRole", T::kBool}, {"jukeboxRole", T::kBool},
               {"shareRole", T::kBool}},
              "User");
  ExpectShape(Get("getMusicFolders")["musicFolders"]["musicFolder"][0], {{"id", T::kInt}, {"name?", T::kString}},
              "MusicFolder");
  EXPECT_TRUE(Get("getLicense")["license"]["valid"].is_boolean());
}

TEST_F(SubsonicShapes, ErrorsAndFormats) {
  SubsonicResponse r = router_->Handle({.endpoint = "getAlbum", .params = {{"id", "x"}}, .user_name = "u"});
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_NE(r.body.find("<subsonic-response xmlns=\"http://subsonic.org/restapi\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("status=\"failed\""), std::string::npos);
  EXPECT_NE(r.body.find("<error code=\"70\" message=\"Album not found\"/>"), std::string::npos) << r.body;
  r = router_->Handle({.endpoint = "ping", .params = {{"f", "jsonp"}, {"callback", "cb"}}, .user_name = "u"});
  EXPECT_EQ(r.body.rfind("cb({", 0), 0u) << r.body;
  r = router_->Handle({.endpoint = "ping", .params = {{"f", "json"}}, .user_name = "ghost"});
  EXPECT_EQ(json::parse(r.body)["subsonic-response"]["error"]["code"], 40);
  r = router_->Handle({.endpoint = "getAlbumList2", .params = {{"f", "json"}, {"type", "sideways"}}, .user_name = "u"});
  EXPECT_EQ(json::parse(r.body)["subsonic-response"]["error"]["code"], 0);
  r = router_->Handle({.endpoint = "getCoverArt", .params = {{"f", "json"}, {"id", "nope"}}, .user_name = "u"});
  EXPECT_EQ(json::parse(r.body)["subsonic-response"]["error"]["code"], 70);
  r = router_->Handle({.endpoint = "getAlbumList2", .params = {{"f", "json"}, {"type", "random"}, {"size", "-5"}},
                       .user_name = "u"});
  EXPECT_EQ(json::parse(r.body)["subsonic-response"]["albumList2"]["album"].size(), 0u) << "negative sizes clamp to 0";
}

}  // namespace
}  // namespace pier::music
