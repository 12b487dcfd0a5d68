// StorageService: upstream's Storage host service — a read-write folder of
// the plugin's own, `<data>/plugins/<id>/storage` on the host, mounted into
// WASI at /storage (see MountFor). `storage_getstoragepath` answers the guest
// path; the plugin then uses its language's ordinary file functions.
//
//   StorageService storage;
//   host.storage = &storage;
//   options.mounts.push_back(StorageService::MountFor(data_dir / "plugins" / id / "storage"));
//
// Thread-safe (stateless).
#pragma once

#include <filesystem>

#include "pier/plugin_options.h"
#include "pier/services/storage.h"

namespace pier::services {

inline constexpr std::string_view kStorageGuestPath = "/storage";

class PluginStorageService final : public StorageService {
 public:
  Result<wire::StorageGetStoragePathResponse> GetStoragePath(HostCallContext&,
                                                             const wire::StorageGetStoragePathRequest&) override {
    return wire::StorageGetStoragePathResponse{std::string(kStorageGuestPath)};
  }

  // Creates the folder (mode 0700) and describes its read-write mount.
  static Result<DirectoryMount> MountFor(const std::filesystem::path& folder);
};

}  // namespace pier::services
