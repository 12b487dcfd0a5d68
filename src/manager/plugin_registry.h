// PluginRegistry: the persistent state of every discovered plugin (spec §1.4)
// in an SQLite file: enabled flag, configuration, allowed users and
// libraries, last error, and the package's SHA-256 when last synced.
//
//   auto registry = PluginRegistry::Open(data_dir / "registry.db").value();
//   auto changes = registry->Sync(plugins_dir).value();   // folder <-> rows
//   registry->SetEnabled("my-plugin", true);
//
// Confined to one thread at a time (callers serialise access).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manager/plugin_manager.h"
#include "storage/sqlite/database.h"

namespace pier {

struct RegistryEntry {
  std::string id;
  std::string path;
  std::string manifest_json;  // the manifest as last read ("" when it never parsed)
  std::string sha256;
  PluginSettings settings;
  bool enabled = false;
  std::string last_error;
};

struct SyncChange {
  enum class Kind { kAdded, kChanged, kInvalid, kRemoved };
  std::string id;
  Kind kind;
  std::string error;  // kInvalid: why the package cannot be used
};

class PluginRegistry {
 public:
  static Result<std::unique_ptr<PluginRegistry>> Open(const std::filesystem::path& file);

  Result<std::vector<RegistryEntry>> List();
  Result<std::optional<RegistryEntry>> Get(std::string_view id);
  Status SetEnabled(std::string_view id, bool enabled);
  Status SetLastError(std::string_view id, std::string_view error);
  Status SetSettings(std::string_view id, const PluginSettings& settings);
  Status ClearErrors();

  // Brings the rows in line with the packages in `folder` (not recursive;
  // `.ndp` files and folders holding a manifest.json):
  //  - a new package gets a row, disabled (never auto-enabled);
  //  - a changed, valid package updates its row and keeps its enabled flag
  //    (the caller reloads it); an invalid one only records the error, so a
  //    running previous version stays;
  //  - a row whose package is gone is deleted.
  Result<std::vector<SyncChange>> Sync(const std::filesystem::path& folder);
  // The same for one plugin ID (what the watcher calls after a change).
  Result<std::optional<SyncChange>> SyncOne(const std::filesystem::path& folder, std::string_view id);

 private:
  explicit PluginRegistry(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
  Status Upsert(const RegistryEntry& e);
  Status Delete(std::string_view id);
  Result<std::optional<SyncChange>> SyncPath(const std::filesystem::path& path, std::string_view id);

  std::unique_ptr<sqlite::Database> db_;
};

// The package path for `id` in `folder`: id.ndp, or a folder named id.
std::optional<std::filesystem::path> FindPackage(const std::filesystem::path& folder, std::string_view id);

}  // namespace pier
