#include "services/storage/storage_service.h"

namespace pier::services {

Result<DirectoryMount> PluginStorageService::MountFor(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return UnavailableError("cannot create the storage folder " + folder.string() + ": " + ec.message());
  std::filesystem::permissions(folder, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  return DirectoryMount{folder, std::string(kStorageGuestPath), /*read_only=*/false};
}

}  // namespace pier::services
