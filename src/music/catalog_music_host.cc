#include "music/catalog_music_host.h"

#include <spdlog/spdlog.h>

#include <system_error>

#include "music/catalog_services.h"
#include "music/subsonic_router.h"

namespace pier::music {

namespace {

CatalogMusicOptions WithRouter(std::shared_ptr<catalog::Catalog> catalog, CatalogMusicOptions options) {
  if (!options.router) options.router = std::make_shared<CatalogSubsonicRouter>(std::move(catalog));
  return options;
}

}  // namespace

CatalogMusicHost::CatalogMusicHost(std::shared_ptr<catalog::Catalog> catalog, CatalogMusicOptions options)
    : catalog_(catalog), options_(WithRouter(catalog, std::move(options))) {}

Result<MusicServiceSet> CatalogMusicHost::ForPlugin(const MusicScope& scope) {
  MusicServiceSet set;
  const auto granted = [&](const char* p) { return scope.granted.contains(p); };
  if (granted("library")) {
    set.library = MakeLibraryService(catalog_, scope);
    if (scope.library_filesystem) {
      PIER_ASSIGN_OR_RETURN(auto libraries, catalog_->Libraries());
      for (const auto& l : libraries) {
        if (!scope.SeesLibrary(l.id)) continue;
        std::error_code ec;
        if (!std::filesystem::is_directory(l.path, ec)) {
          spdlog::warn("plugin {}: library {} folder {} is missing; /libraries/{} is not mounted", scope.plugin_id,
                       l.id, l.path.string(), l.id);
          continue;
        }
        set.mounts.push_back(
            {.host = l.path, .guest = "/libraries/" + std::to_string(l.id), .read_only = !scope.allow_write_access});
      }
    }
  }
  if (granted("users")) set.users = MakeUsersService(catalog_, scope);
  if (granted("artwork")) set.artwork = MakeArtworkService(options_.artwork);
  if (granted("matcher")) set.matcher = MakeMatcherService(catalog_, scope);
  if (granted("scrobbleRetriever") && options_.plays) {
    set.scrobbleretriever = MakeScrobbleRetrieverService(catalog_, options_.plays, scope);
  }
  if (granted("subsonicapi")) {
    auto catalog = catalog_;
    SubsonicUserLookup lookup = [catalog](std::string_view name) -> Result<std::optional<SubsonicUser>> {
      PIER_ASSIGN_OR_RETURN(auto user, catalog->UserByName(name));
      if (!user) return std::optional<SubsonicUser>();
      return std::optional<SubsonicUser>(SubsonicUser{user->id, user->user_name});
    };
    set.subsonicapi = MakeSubsonicApiService(options_.router, std::move(lookup), scope);
  }
  return set;
}

}  // namespace pier::music
