// An application with a music catalog of its own, embedding Pier: it
// implements the music services over its data (here a few albums in memory),
// reuses Pier's SubsonicAPI rules over its own Subsonic router, and runs a
// plugin that uses them.
//
//   embed_music build/packages/library_report.ndp
#include <iostream>
#include <nlohmann/json.hpp>

#include "manager/plugin_manager.h"
#include "pier/music_host.h"
#include "pier/subsonic.h"

namespace {

// --- the application's own data ---
struct AppAlbum {
  std::string id, name, artist;
  int year;
};
struct AppData {
  std::vector<AppAlbum> albums = {{"a1", "Blue Train", "John Coltrane", 1958}, {"a2", "Kind of Blue", "Miles Davis", 1959}};
  std::vector<pier::wire::User> users = {{"ada", "Ada", true}, {"bo", "Bo", false}};
};

// --- its music services ---
class AppLibrary : public pier::services::LibraryService {
 public:
  AppLibrary(std::shared_ptr<const AppData> d, pier::MusicScope s) : data_(std::move(d)), scope_(std::move(s)) {}
  pier::Result<pier::wire::LibraryGetLibraryResponse> GetLibrary(pier::HostCallContext&,
                                                                 const pier::wire::LibraryGetLibraryRequest& r) override {
    if (r.id != 1 || !scope_.SeesLibrary(1)) return pier::NotFoundError("no library " + std::to_string(r.id));
    return pier::wire::LibraryGetLibraryResponse{Library()};
  }
  pier::Result<pier::wire::LibraryGetAllLibrariesResponse> GetAllLibraries(
      pier::HostCallContext&, const pier::wire::LibraryGetAllLibrariesRequest&) override {
    pier::wire::LibraryGetAllLibrariesResponse out;
    if (scope_.SeesLibrary(1)) out.result.push_back(Library());
    return out;
  }

 private:
  pier::wire::Library Library() const {
    pier::wire::Library l;
    l.id = 1;
    l.name = "Jazz";
    l.total_albums = static_cast<int32_t>(data_->albums.size());
    l.total_songs = 2 * l.total_albums;
    return l;
  }
  std::shared_ptr<const AppData> data_;
  pier::MusicScope scope_;
};

class AppUsers : public pier::services::UsersService {
 public:
  AppUsers(std::shared_ptr<const AppData> d, pier::MusicScope s) : data_(std::move(d)), scope_(std::move(s)) {}
  pier::Result<pier::wire::UsersGetUsersResponse> GetUsers(pier::HostCallContext&,
                                                           const pier::wire::UsersGetUsersRequest&) override {
    pier::wire::UsersGetUsersResponse out;
    for (const auto& u : data_->users) {
      if (scope_.MayActFor(u.user_name)) out.result.push_back(u);
    }
    return out;
  }
  pier::Result<pier::wire::UsersGetAdminsResponse> GetAdmins(pier::HostCallContext& c,
                                                             const pier::wire::UsersGetAdminsRequest&) override {
    pier::wire::UsersGetAdminsResponse out;
    for (auto& u : GetUsers(c, {}).value().result) {
      if (u.is_admin) out.result.push_back(u);
    }
    return out;
  }

 private:
  std::shared_ptr<const AppData> data_;
  pier::MusicScope scope_;
};

class AppArtwork : public pier::services::ArtworkService {
  static std::string Url(std::string_view kind, const std::string& id, int32_t size) {
    return "https://music.example.org/covers/" + std::string(kind) + "/" + id + (size > 0 ? "?size=" + std::to_string(size) : "");
  }

 public:
  pier::Result<pier::wire::ArtworkGetArtistUrlResponse> GetArtistUrl(pier::HostCallContext&,
                                                                     const pier::wire::ArtworkGetArtistUrlRequest& r) override {
    return pier::wire::ArtworkGetArtistUrlResponse{Url("artist", r.id, r.size)};
  }
  pier::Result<pier::wire::ArtworkGetAlbumUrlResponse> GetAlbumUrl(pier::HostCallContext&,
                                                                   const pier::wire::ArtworkGetAlbumUrlRequest& r) override {
    return pier::wire::ArtworkGetAlbumUrlResponse{Url("album", r.id, r.size)};
  }
  pier::Result<pier::wire::ArtworkGetTrackUrlResponse> GetTrackUrl(pier::HostCallContext&,
                                                                   const pier::wire::ArtworkGetTrackUrlRequest& r) override {
    return pier::wire::ArtworkGetTrackUrlResponse{Url("track", r.id, r.size)};
  }
  pier::Result<pier::wire::ArtworkGetPlaylistUrlResponse> GetPlaylistUrl(
      pier::HostCallContext&, const pier::wire::ArtworkGetPlaylistUrlRequest& r) override {
    return pier::wire::ArtworkGetPlaylistUrlResponse{Url("playlist", r.id, r.size)};
  }
};

// The application's Subsonic server, answering in-process.
class AppRouter : public pier::SubsonicRouter {
 public:
  explicit AppRouter(std::shared_ptr<const AppData> d) : data_(std::move(d)) {}
  pier::SubsonicResponse Handle(const pier::SubsonicRequest& r) override {
    nlohmann::json doc = {{"status", "ok"}, {"version", "1.16.1"}};
    if (r.endpoint == "getAlbumList2") {
      nlohmann::json albums = nlohmann::json::array();
      for (auto it = data_->albums.rbegin(); it != data_->albums.rend(); ++it) {
        albums.push_back({{"id", it->id}, {"name", it->name}, {"artist", it->artist}, {"year", it->year}});
      }
      doc["albumList2"] = {{"album", albums}};
    } else if (r.endpoint != "ping") {
      return {404, "text/plain", "404 page not found\n"};
    }
    return {200, "application/json", nlohmann::json{{"subsonic-response", doc}}.dump()};
  }

 private:
  std::shared_ptr<const AppData> data_;
};

class AppMusic : public pier::MusicHost {
 public:
  pier::Result<pier::MusicServiceSet> ForPlugin(const pier::MusicScope& scope) override {
    pier::MusicServiceSet set;
    if (scope.granted.contains("library")) set.library = std::make_unique<AppLibrary>(data_, scope);
    if (scope.granted.contains("users")) set.users = std::make_unique<AppUsers>(data_, scope);
    if (scope.granted.contains("artwork")) set.artwork = std::make_unique<AppArtwork>();
    if (scope.granted.contains("subsonicapi")) {
      auto data = data_;
      pier::SubsonicUserLookup lookup = [data](std::string_view name) -> pier::Result<std::optional<pier::SubsonicUser>> {
        for (const auto& u : data->users) {
          if (u.user_name == name) return std::optional<pier::SubsonicUser>(pier::SubsonicUser{u.user_name, u.user_name});
        }
        return std::optional<pier::SubsonicUser>();
      };
      set.subsonicapi = pier::MakeSubsonicApiService(router_, std::move(lookup), scope);
    }
    return set;
  }

 private:
  std::shared_ptr<const AppData> data_ = std::make_shared<AppData>();
  std::shared_ptr<pier::SubsonicRouter> router_ = std::make_shared<AppRouter>(data_);
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: embed_music <library_report.ndp>\n";
    return 2;
  }
  auto runtime = pier::Runtime::Create();
  if (!runtime.ok()) {
    std::cerr << runtime.status().message() << "\n";
    return 1;
  }
  pier::ManagerOptions options;
  options.music = std::make_shared<AppMusic>();
  pier::PluginManager manager(**runtime, options);
  // What an administrator granted: act for ada, see every library.
  auto loaded = manager.Load(argv[1], {.config_json = R"({"user":"ada"})", .users = {"ada"}, .all_libraries = true});
  if (!loaded.ok()) {
    std::cerr << "load: " << loaded.status().message() << "\n";
    return 1;
  }
  for (const char* fn : {"report", "cover"}) {
    auto r = (*loaded)->plugin->Call(fn, R"({"album":"a1","size":300})");
    if (!r.ok() || !r->is_output()) {
      std::cerr << fn << ": " << (r.ok() ? r->Describe() : r.status().message()) << "\n";
      return 1;
    }
    std::cout << fn << ": " << r->output() << "\n";
  }
  return 0;
}
