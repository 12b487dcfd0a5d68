#include "music/subsonic_router.h"

#include <nlohmann/json.hpp>

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>

#include "music/artwork_token.h"
#include "music/cover_art.h"

#ifndef PIER_VERSION_STRING
#define PIER_VERSION_STRING "0.1.0"
#endif

namespace pier::music {

namespace {

using nlohmann::json;

enum Code { kGeneric = 0, kMissingParameter = 10, kWrongCredentials = 40, kNotAuthorized = 50, kNotFound = 70 };

// What the request asked for and who asked it.
struct Call {
  const SubsonicRequest& request;
  catalog::UserInfo user;
  catalog::LibraryScope scope;  // the user's libraries
  catalog::Catalog& catalog;
};

struct Failure {
  Code code;
  std::string message;
};

json Envelope(const char* status) {
  return json{{"status", status}, {"version", "1.16.1"}, {"type", "pier"}, {"serverVersion", PIER_VERSION_STRING},
              {"openSubsonic", true}};
}

std::string Iso8601(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// An integer parameter, `fallback` when absent or not a number, clamped to [lo, hi].
int32_t IntParam(const SubsonicRequest& r, std::string_view name, int32_t fallback, int32_t lo, int32_t hi) {
  auto v = r.Param(name);
  int64_t n = fallback;
  if (v && !v->empty()) {
    int64_t parsed = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
    if (ec == std::errc() && p == v->data() + v->size()) n = parsed;
  }
  return static_cast<int32_t>(std::clamp<int64_t>(n, lo, hi));
}

json Song(const catalog::Track& t) {
  json s = {{"id", t.id}, {"parent", t.album_id}, {"isDir", false}, {"title", t.title}, {"album", t.album},
            {"artist", t.artist}, {"coverArt", (t.has_cover_art ? "mf-" + t.id : "al-" + t.album_id)},
            {"size", t.size}, {"contentType", t.content_type}, {"suffix", t.suffix},
            {"duration", static_cast<int64_t>(t.duration)}, {"bitRate", t.bit_rate}, {"path", t.path},
            {"type", "music"}, {"mediaType", "song"}, {"albumId", t.album_id}, {"artistId", t.artist_id},
            {"created", Iso8601(t.created_at)}, {"isVideo", false}, {"samplingRate", t.sample_rate},
            {"channelCount", t.channels}, {"sortName", t.sort_title}, {"comment", t.comment}};
  if (t.track_number > 0) s["track"] = t.track_number;
  if (t.disc_number > 0) s["discNumber"] = t.disc_number;
  if (t.year > 0) s["year"] = t.year;
  if (!t.genre.empty()) s["genre"] = t.genre;
  if (t.bit_depth) s["bitDepth"] = *t.bit_depth;
  if (t.bpm) s["bpm"] = *t.bpm;
  if (!t.mbz_recording_id.empty()) s["musicBrainzId"] = t.mbz_recording_id;
  if (!t.isrc.empty()) s["isrc"] = json::array({t.isrc});
  json genres = json::array();
  for (const auto& g : t.genres) genres.push_back({{"name", g}});
  s["genres"] = genres;
  json artists = json::array();
  for (const auto& a : t.artists) artists.push_back({{"id", catalog::ArtistId(a)}, {"name", a}});
  s["artists"] = artists;
  s["displayArtist"] = t.artist;
  s["albumArtists"] = json::array({{{"id", t.album_artist_id}, {"name", t.album_artist}}});
  s["displayAlbumArtist"] = t.album_artist;
  return s;
}

json AlbumJson(const catalog::Album& a) {
  json j = {{"id", a.id}, {"name", a.name}, {"album", a.name}, {"title", a.name}, {"artist", a.artist},
            {"artistId", a.artist_id}, {"coverArt", "al-" + a.id}, {"songCount", a.song_count},
            {"duration", static_cast<int64_t>(a.duration)}, {"created", Iso8601(a.created_at)}, {"isDir", true},
            {"parent", a.artist_id}, {"isCompilation", a.compilation}};
  if (a.year > 0) j["year"] = a.year;
  if (!a.genre.empty()) j["genre"] = a.genre;
  if (!a.mbz_album_id.empty()) j["musicBrainzId"] = a.mbz_album_id;
  return j;
}

json ArtistJson(const catalog::Artist& a) {
  json j = {{"id", a.id}, {"name", a.name}, {"albumCount", a.album_count}, {"coverArt", "ar-" + a.id}};
  if (!a.mbz_artist_id.empty()) j["musicBrainzId"] = a.mbz_artist_id;
  if (!a.sort_name.empty()) j["sortName"] = a.sort_name;
  return j;
}

// Leading articles ignored when indexing artists (as Subsonic servers default).
constexpr std::string_view kIgnoredArticles = "The El La Los Las Le Les";

std::string IndexKey(const catalog::Artist& a) {
  std::string name = a.sort_name.empty() ? a.name : a.sort_name;
  size_t start = 0;
  while (start < kIgnoredArticles.size()) {
    size_t end = kIgnoredArticles.find(' ', start);
    if (end == std::string_view::npos) end = kIgnoredArticles.size();
    const std::string article = std::string(kIgnoredArticles.substr(start, end - start)) + " ";
    if (name.size() > article.size() && strncasecmp(name.c_str(), article.c_str(), article.size()) == 0) {
      name = name.substr(article.size());
      break;
    }
    start = end + 1;
  }
  if (name.empty()) return "#";
  const unsigned char c = static_cast<unsigned char>(name[0]);
  if (std::isalpha(c)) return std::string(1, static_cast<char>(std::toupper(c)));
  return "#";
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw Failure{kGeneric, r.status().message()};
  return std::move(*r);
}

std::string Required(const Call& c, std::string_view name) {
  auto v = c.request.Param(name);
  if (!v || v->empty()) throw Failure{kMissingParameter, "required '" + std::string(name) + "' parameter is missing"};
  return *v;
}

json Ping(Call&) { return json::object(); }
json License(Call&) { return {{"license", {{"valid", true}}}}; }

json MusicFolders(Call& c) {
  json folders = json::array();
  for (const auto& l : Must(c.catalog.Libraries())) {
    if (c.scope.Allows(l.id)) folders.push_back({{"id", l.id}, {"name", l.name}});
  }
  return {{"musicFolders", {{"musicFolder", folders}}}};
}

// The caller's scope narrowed to `musicFolderId` when given.
catalog::LibraryScope FolderScope(const Call& c) {
  auto folder = c.request.Param("musicFolderId");
  if (!folder || folder->empty()) return c.scope;
  const int32_t id = IntParam(c.request, "musicFolderId", -1, INT32_MIN, INT32_MAX);
  return catalog::LibraryScope{.all = false, .ids = c.scope.Allows(id) ? std::vector<int32_t>{id} : std::vector<int32_t>{}};
}

json Artists(Call& c) {
  std::map<std::string, json> index;
  for (const auto& a : Must(c.catalog.ArtistsWithAlbums(FolderScope(c)))) {
    json& bucket = index[IndexKey(a)];
    if (bucket.is_null()) bucket = json::array();
    bucket.push_back(ArtistJson(a));
  }
  json list = json::array();
  for (auto& [name, artists] : index) list.push_back({{"name", name}, {"artist", artists}});
  return {{"artists", {{"ignoredArticles", kIgnoredArticles}, {"index", list}}}};
}

json Artist(Call& c) {
  const std::string id = Required(c, "id");
  auto artist = Must(c.catalog.GetArtist(id, c.scope));
  if (!artist) throw Failure{kNotFound, "Artist not found"};
  json j = ArtistJson(*artist);
  json albums = json::array();
  for (const auto& a : Must(c.catalog.ArtistAlbums(id, c.scope))) albums.push_back(AlbumJson(a));
  j["albumCount"] = albums.size();
  j["album"] = albums;
  return {{"artist", j}};
}

json Album(Call& c) {
  const std::string id = Required(c, "id");
  auto album = Must(c.catalog.GetAlbum(id, c.scope));
  if (!album) throw Failure{kNotFound, "Album not found"};
  json j = AlbumJson(*album);
  json songs = json::array();
  for (const auto& t : Must(c.catalog.AlbumTracks(id, c.scope))) songs.push_back(Song(t));
  j["song"] = songs;
  return {{"album", j}};
}

json GetSong(Call& c) {
  const std::string id = Required(c, "id");
  auto track = Must(c.catalog.GetTrack(id, c.scope));
  if (!track) throw Failure{kNotFound, "Song not found"};
  return {{"song", Song(*track)}};
}

json AlbumList2(Call& c) {
  const std::string type = Required(c, "type");
  catalog::AlbumQuery q;
  q.size = IntParam(c.request, "size", 10, 0, 500);
  q.offset = IntParam(c.request, "offset", 0, 0, INT32_MAX);
  json albums = json::array();
  if (type == "random") q.order = catalog::AlbumOrder::kRandom;
  else if (type == "newest" || type == "recent") q.order = catalog::AlbumOrder::kNewest;
  else if (type == "alphabeticalByName") q.order = catalog::AlbumOrder::kAlphabeticalByName;
  else if (type == "alphabeticalByArtist") q.order = catalog::AlbumOrder::kAlphabeticalByArtist;
  else if (type == "byYear") {
    q.order = catalog::AlbumOrder::kByYear;
    q.from_year = IntParam(c.request, "fromYear", 0, 0, 9999);
    q.to_year = IntParam(c.request, "toYear", 9999, 0, 9999);
    if (!c.request.Param("fromYear") || !c.request.Param("toYear")) {
      throw Failure{kMissingParameter, "required 'fromYear' and 'toYear' parameters are missing"};
    }
  } else if (type == "byGenre") {
    q.order = catalog::AlbumOrder::kByGenre;
    q.genre = Required(c, "genre");
  } else if (type == "frequent" || type == "starred" || type == "highest") {
    // Pier's catalog keeps no plays, stars or ratings: nothing qualifies.
    return {{"albumList2", {{"album", albums}}}};
  } else {
    throw Failure{kGeneric, "type '" + type + "' not implemented"};
  }
  for (const auto& a : Must(c.catalog.Albums(q, FolderScope(c)))) albums.push_back(AlbumJson(a));
  return {{"albumList2", {{"album", albums}}}};
}

json RandomSongs(Call& c) {
  json songs = json::array();
  const int32_t size = IntParam(c.request, "size", 10, 0, 500);
  for (const auto& t : Must(c.catalog.RandomTracks(size, FolderScope(c)))) songs.push_back(Song(t));
  return {{"randomSongs", {{"song", songs}}}};
}

json Search3(Call& c) {
  std::string query = c.request.Param("query").value_or("");
  if (query == "\"\"") query.clear();  // clients ask for everything with ""
  while (!query.empty() && query.back() == '*') query.pop_back();
  const catalog::LibraryScope scope = FolderScope(c);
  json artists = json::array(), albums = json::array(), songs = json::array();
  for (const auto& a : Must(c.catalog.SearchArtists(query, IntParam(c.request, "artistCount", 20, 0, 500),
                                                    IntParam(c.request, "artistOffset", 0, 0, INT32_MAX), scope))) {
    artists.push_back(ArtistJson(a));
  }
  for (const auto& a : Must(c.catalog.SearchAlbums(query, IntParam(c.request, "albumCount", 20, 0, 500),
                                                   IntParam(c.request, "albumOffset", 0, 0, INT32_MAX), scope))) {
    albums.push_back(AlbumJson(a));
  }
  for (const auto& t : Must(c.catalog.SearchTracks(query, IntParam(c.request, "songCount", 20, 0, 500),
                                                   IntParam(c.request, "songOffset", 0, 0, INT32_MAX), scope))) {
    songs.push_back(Song(t));
  }
  return {{"searchResult3", {{"artist", artists}, {"album", albums}, {"song", songs}}}};
}

json User(Call& c) {
  const std::string name = Required(c, "username");
  if (strcasecmp(name.c_str(), c.user.user_name.c_str()) != 0 && !c.user.is_admin) {
    throw Failure{kNotAuthorized, "User is not authorized for the given operation."};
  }
  auto user = Must(c.catalog.UserByName(name));
  if (!user) throw Failure{kNotFound, "User not found"};
  json folders = json::array();
  for (const auto& l : Must(c.catalog.Libraries())) {
    if (user->libraries.empty() || std::find(user->libraries.begin(), user->libraries.end(), l.id) != user->libraries.end()) {
      folders.push_back(l.id);
    }
  }
  return {{"user",
           {{"username", user->user_name}, {"scrobblingEnabled", true}, {"adminRole", user->is_admin},
            {"settingsRole", true}, {"downloadRole", true}, {"uploadRole", false}, {"playlistRole", true},
            {"coverArtRole", true}, {"commentRole", false}, {"podcastRole", false}, {"streamRole", true},
            {"jukeboxRole", false}, {"shareRole", false}, {"videoConversionRole", false}, {"folder", folders}}}};
}

// getCoverArt answers with the image itself, or an error document.
std::optional<SubsonicResponse> CoverArt(Call& c) {
  const std::string id = Required(c, "id");
  ArtworkId art;
  if (auto parsed = ParseArtworkId(id); parsed.ok() && (parsed->kind == "al" || parsed->kind == "ar" ||
                                                        parsed->kind == "mf" || parsed->kind == "pl")) {
    art = *parsed;
  } else if (Must(c.catalog.GetAlbum(id, c.scope))) {
    art = {"al", id};
  } else {
    art = {"mf", id};
  }
  auto picture = LoadArtwork(c.catalog, art, c.scope);
  if (!picture.ok()) {
    if (picture.status().code() == StatusCode::kNotFound) throw Failure{kNotFound, "Artwork not found"};
    throw Failure{kGeneric, picture.status().message()};
  }
  if (const int32_t size = IntParam(c.request, "size", 0, 0, kMaxImageSide); size > 0) {
    auto resized = ResizeImage(*picture, size);
    if (!resized.ok()) throw Failure{kGeneric, resized.status().message()};
    picture = std::move(*resized);
  }
  return SubsonicResponse{.status = 200, .content_type = picture->mime, .body = std::move(picture->data)};
}

SubsonicResponse Render(const SubsonicRequest& r, json document) {
  const std::string format = r.Param("f").value_or("xml");
  if (format == "json") return {200, "application/json", document.dump()};
  if (format == "jsonp") {
    const std::string callback = r.Param("callback").value_or("callback");
    return {200, "application/javascript", callback + "(" + document.dump() + ");"};
  }
  return {200, "application/xml", SubsonicJsonToXml(document)};
}

}  // namespace

SubsonicResponse CatalogSubsonicRouter::Handle(const SubsonicRequest& request) {
  using Handler = json (*)(Call&);
  static const std::map<std::string, Handler, std::less<>> kHandlers = {
      {"ping", Ping}, {"getLicense", License}, {"getMusicFolders", MusicFolders}, {"getArtists", Artists},
      {"getArtist", Artist}, {"getAlbum", Album}, {"getSong", GetSong}, {"getAlbumList2", AlbumList2},
      {"getRandomSongs", RandomSongs}, {"search3", Search3}, {"getUser", User}};
  const auto handler = kHandlers.find(request.endpoint);
  if (handler == kHandlers.end() && request.endpoint != "getCoverArt") {
    return {404, "text/plain; charset=utf-8", "404 page not found\n"};
  }
  json document = {{"subsonic-response", Envelope("ok")}};
  try {
    auto user = catalog_->UserByName(request.user_name);
    if (!user.ok()) throw Failure{kGeneric, user.status().message()};
    if (!*user) throw Failure{kWrongCredentials, "Wrong username or password"};
    Call call{request, **user, catalog::LibraryScope{.all = (*user)->libraries.empty(), .ids = (*user)->libraries},
              *catalog_};
    if (handler == kHandlers.end()) return *CoverArt(call);
    json payload = handler->second(call);
    for (auto& [k, v] : payload.items()) document["subsonic-response"][k] = std::move(v);
  } catch (const Failure& f) {
    json failed = Envelope("failed");
    failed["error"] = {{"code", static_cast<int>(f.code)}, {"message", f.message}};
    document = {{"subsonic-response", failed}};
  }
  return Render(request, std::move(document));
}

}  // namespace pier::music
