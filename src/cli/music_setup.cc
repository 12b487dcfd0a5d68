#include "cli/music_setup.h"

namespace pier::cli {

Result<std::shared_ptr<catalog::Catalog>> OpenCatalog(const PierConfig& config, bool sync) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_folder, ec);
  PIER_ASSIGN_OR_RETURN(auto opened, catalog::Catalog::Open(config.data_folder / "catalog.db"));
  std::shared_ptr<catalog::Catalog> c = std::move(opened);
  if (sync) {
    std::vector<catalog::LibraryInfo> libraries;
    for (const auto& l : config.libraries) libraries.push_back({.id = l.id, .name = l.name, .path = l.path});
    PIER_RETURN_IF_ERROR(c->SyncLibraries(libraries).WithContext("catalog libraries"));
    std::vector<catalog::UserInfo> users;
    for (const auto& u : config.users) users.push_back({u.id, u.user_name, u.name, u.is_admin, u.libraries});
    PIER_RETURN_IF_ERROR(c->SyncUsers(users).WithContext("catalog users"));
  }
  return c;
}

Result<MusicHostParts> MakeMusicHost(std::shared_ptr<catalog::Catalog> catalog, const std::filesystem::path& data_folder,
                                     std::function<std::string()> share_base) {
  PIER_ASSIGN_OR_RETURN(std::string secret, music::LoadOrCreateSecret(data_folder / "secret"));
  PIER_ASSIGN_OR_RETURN(auto opened, music::PlayStore::Open(data_folder / "plays.db"));
  std::shared_ptr<music::PlayStore> plays = std::move(opened);
  music::CatalogMusicOptions options;
  options.artwork = {.base_url = std::move(share_base), .secret = secret};
  options.plays = plays;
  return MusicHostParts{std::make_shared<music::CatalogMusicHost>(std::move(catalog), std::move(options)), secret,
                        plays};
}

Result<std::vector<catalog::ScanReport>> ScanLibraries(catalog::Catalog& c, int32_t only, bool full,
                                                       std::function<void(const catalog::ScanProgress&)> progress,
                                                       std::function<bool()> cancelled) {
  PIER_ASSIGN_OR_RETURN(auto libraries, c.Libraries());
  std::vector<catalog::ScanReport> reports;
  bool found = only == 0;
  for (const auto& l : libraries) {
    if (only != 0 && l.id != only) continue;
    found = true;
    if (cancelled && cancelled()) break;
    catalog::ScanOptions options;
    options.full = full;
    options.progress = progress;
    options.cancelled = cancelled;
    PIER_ASSIGN_OR_RETURN(auto report, catalog::ScanLibrary(c, l, options));
    reports.push_back(std::move(report));
  }
  if (!found) return NotFoundError("no library " + std::to_string(only) + " is configured");
  return reports;
}

}  // namespace pier::cli
