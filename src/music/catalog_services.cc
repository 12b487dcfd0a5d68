// Library and Users over the catalog, with the original's messages.
#include "music/catalog_services.h"

namespace pier::music {

namespace {

wire::Library ToWire(const catalog::LibraryInfo& l, bool filesystem) {
  wire::Library w;
  w.id = l.id;
  w.name = l.name;
  if (filesystem) {
    w.path = l.path.string();
    w.mount_point = "/libraries/" + std::to_string(l.id);
  }
  w.last_scan_at = l.last_scan_at == 0 ? kNeverScanned : l.last_scan_at;
  w.total_songs = l.songs;
  w.total_albums = l.albums;
  w.total_artists = l.artists;
  w.total_size = l.size;
  w.total_duration = l.duration;
  return w;
}

class CatalogLibraryService final : public services::LibraryService {
 public:
  CatalogLibraryService(std::shared_ptr<catalog::Catalog> c, MusicScope s) : catalog_(std::move(c)), scope_(std::move(s)) {}

  Result<wire::LibraryGetLibraryResponse> GetLibrary(HostCallContext&, const wire::LibraryGetLibraryRequest& r) override {
    if (!scope_.SeesLibrary(r.id)) {
      return PermissionDeniedError("library not accessible: library ID " + std::to_string(r.id) +
                                   " is not in the allowed list");
    }
    auto library = catalog_->GetLibrary(r.id);
    if (!library.ok()) return Status(library.status().code(), "library not found: " + library.status().message());
    if (!*library) return NotFoundError("library not found: data not found");
    wire::LibraryGetLibraryResponse out;
    out.result = ToWire(**library, scope_.library_filesystem);
    return out;
  }

  Result<wire::LibraryGetAllLibrariesResponse> GetAllLibraries(HostCallContext&,
                                                               const wire::LibraryGetAllLibrariesRequest&) override {
    auto all = catalog_->Libraries();
    if (!all.ok()) return Status(all.status().code(), "failed to get libraries: " + all.status().message());
    wire::LibraryGetAllLibrariesResponse out;
    for (const auto& l : *all) {
      if (scope_.SeesLibrary(l.id)) out.result.push_back(ToWire(l, scope_.library_filesystem));
    }
    return out;
  }

 private:
  const std::shared_ptr<catalog::Catalog> catalog_;
  const MusicScope scope_;
};

class CatalogUsersService final : public services::UsersService {
 public:
  CatalogUsersService(std::shared_ptr<catalog::Catalog> c, MusicScope s) : catalog_(std::move(c)), scope_(std::move(s)) {}

  Result<wire::UsersGetUsersResponse> GetUsers(HostCallContext&, const wire::UsersGetUsersRequest&) override {
    PIER_ASSIGN_OR_RETURN(auto users, Visible(false));
    wire::UsersGetUsersResponse out;
    out.result = std::move(users);
    return out;
  }

  Result<wire::UsersGetAdminsResponse> GetAdmins(HostCallContext&, const wire::UsersGetAdminsRequest&) override {
    PIER_ASSIGN_OR_RETURN(auto users, Visible(true));
    wire::UsersGetAdminsResponse out;
    out.result = std::move(users);
    return out;
  }

 private:
  Result<std::vector<wire::User>> Visible(bool admins_only) {
    PIER_ASSIGN_OR_RETURN(auto users, catalog_->Users());
    std::vector<wire::User> out;
    for (const auto& u : users) {
      if (!scope_.MayActFor(u.id) || (admins_only && !u.is_admin)) continue;
      out.push_back({u.user_name, u.name, u.is_admin});
    }
    return out;
  }

  const std::shared_ptr<catalog::Catalog> catalog_;
  const MusicScope scope_;
};

class CatalogArtworkService final : public services::ArtworkService {
 public:
  explicit CatalogArtworkService(ArtworkUrls urls) : urls_(std::move(urls)) {}
  Result<wire::ArtworkGetArtistUrlResponse> GetArtistUrl(HostCallContext&, const wire::ArtworkGetArtistUrlRequest& r) override {
    return wire::ArtworkGetArtistUrlResponse{urls_.Url("ar", r.id, r.size)};
  }
  Result<wire::ArtworkGetAlbumUrlResponse> GetAlbumUrl(HostCallContext&, const wire::ArtworkGetAlbumUrlRequest& r) override {
    return wire::ArtworkGetAlbumUrlResponse{urls_.Url("al", r.id, r.size)};
  }
  Result<wire::ArtworkGetTrackUrlResponse> GetTrackUrl(HostCallContext&, const wire::ArtworkGetTrackUrlRequest& r) override {
    return wire::ArtworkGetTrackUrlResponse{urls_.Url("mf", r.id, r.size)};
  }
  Result<wire::ArtworkGetPlaylistUrlResponse> GetPlaylistUrl(HostCallContext&,
                                                             const wire::ArtworkGetPlaylistUrlRequest& r) override {
    return wire::ArtworkGetPlaylistUrlResponse{urls_.Url("pl", r.id, r.size)};
  }

 private:
  const ArtworkUrls urls_;
};

}  // namespace

catalog::LibraryScope ScopeOf(const MusicScope& scope) {
  return catalog::LibraryScope{.all = scope.all_libraries, .ids = scope.libraries};
}

std::unique_ptr<services::LibraryService> MakeLibraryService(std::shared_ptr<catalog::Catalog> c, MusicScope s) {
  return std::make_unique<CatalogLibraryService>(std::move(c), std::move(s));
}
std::unique_ptr<services::UsersService> MakeUsersService(std::shared_ptr<catalog::Catalog> c, MusicScope s) {
  return std::make_unique<CatalogUsersService>(std::move(c), std::move(s));
}
std::unique_ptr<services::ArtworkService> MakeArtworkService(ArtworkUrls urls) {
  return std::make_unique<CatalogArtworkService>(std::move(urls));
}

}  // namespace pier::music
