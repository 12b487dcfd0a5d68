#include "manager/plugin_registry.h"
#include "pier/json.h"

#include <nlohmann/json.hpp>
#include <set>

namespace pier {

namespace {

const std::vector<sqlite::Migration> kMigrations = {
    {1, R"sql(
      CREATE TABLE plugin (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        manifest TEXT NOT NULL DEFAULT '',
        config TEXT NOT NULL DEFAULT '',
        users TEXT NOT NULL DEFAULT '[]',
        all_users INTEGER NOT NULL DEFAULT 0,
        libraries TEXT NOT NULL DEFAULT '[]',
        all_libraries INTEGER NOT NULL DEFAULT 0,
        allow_write_access INTEGER NOT NULL DEFAULT 0,
        enabled INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT (unixepoch()),
        updated_at INTEGER NOT NULL DEFAULT (unixepoch())
      );)sql"},
    // 2: queue settings chosen by an administrator (the dashboard).
    {2, "ALTER TABLE plugin ADD COLUMN queues TEXT NOT NULL DEFAULT ''"},
};

constexpr std::string_view kColumns =
    "id, path, manifest, config, users, all_users, libraries, all_libraries, allow_write_access, enabled, "
    "last_error, sha256, queues";

RegistryEntry Row(const sqlite::Statement& s) {
  RegistryEntry e;
  e.id = s.ColumnText(0);
  e.path = s.ColumnText(1);
  e.manifest_json = s.ColumnText(2);
  e.settings.config_json = s.ColumnText(3);
  auto users = ParseJsonOrNull(s.ColumnText(4));
  if (users.is_array()) {
    for (auto& u : users) {
      if (u.is_string()) e.settings.users.push_back(u.get<std::string>());
    }
  }
  e.settings.all_users = s.ColumnInt(5) != 0;
  auto libs = ParseJsonOrNull(s.ColumnText(6));
  if (libs.is_array()) {
    for (auto& l : libs) {
      auto id = JsonInt64(l);
      if (id.ok() && *id >= INT32_MIN && *id <= INT32_MAX) e.settings.libraries.push_back(static_cast<int32_t>(*id));
    }
  }
  e.settings.all_libraries = s.ColumnInt(7) != 0;
  e.settings.allow_write_access = s.ColumnInt(8) != 0;
  e.enabled = s.ColumnInt(9) != 0;
  e.last_error = s.ColumnText(10);
  e.sha256 = s.ColumnText(11);
  e.settings.queues_json = s.ColumnText(12);
  return e;
}

}  // namespace

std::optional<std::filesystem::path> FindPackage(const std::filesystem::path& folder, std::string_view id) {
  std::error_code ec;
  const auto ndp = folder / (std::string(id) + std::string(kPackageExtension));
  if (std::filesystem::is_regular_file(ndp, ec)) return ndp;
  const auto dir = folder / std::string(id);
  if (std::filesystem::is_directory(dir, ec) && LooksLikePackage(dir)) return dir;
  return std::nullopt;
}

Result<std::unique_ptr<PluginRegistry>> PluginRegistry::Open(const std::filesystem::path& file) {
  PIER_ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(file));
  PIER_RETURN_IF_ERROR(db->Migrate(kMigrations).WithContext("plugin registry"));
  return std::unique_ptr<PluginRegistry>(new PluginRegistry(std::move(db)));
}

Result<std::vector<RegistryEntry>> PluginRegistry::List() {
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " + std::string(kColumns) + " FROM plugin ORDER BY id"));
  std::vector<RegistryEntry> out;
  while (true) {
    PIER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(Row(s));
  }
  return out;
}

Result<std::optional<RegistryEntry>> PluginRegistry::Get(std::string_view id) {
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT " + std::string(kColumns) + " FROM plugin WHERE id = ?"));
  s.Bind(1, id);
  PIER_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<RegistryEntry>();
  return std::optional<RegistryEntry>(Row(s));
}

Status PluginRegistry::Upsert(const RegistryEntry& e) {
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare(
      "INSERT INTO plugin (" + std::string(kColumns) + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(id) DO UPDATE SET path=excluded.path, manifest=excluded.manifest, config=excluded.config, "
      "users=excluded.users, all_users=excluded.all_users, libraries=excluded.libraries, "
      "all_libraries=excluded.all_libraries, allow_write_access=excluded.allow_write_access, "
      "enabled=excluded.enabled, last_error=excluded.last_error, sha256=excluded.sha256, queues=excluded.queues, updated_at=unixepoch()"));
  s.Bind(1, e.id);
  s.Bind(2, e.path);
  s.Bind(3, e.manifest_json);
  s.Bind(4, e.settings.config_json);
  s.Bind(5, nlohmann::json(e.settings.users).dump());
  s.Bind(6, int64_t{e.settings.all_users});
  s.Bind(7, nlohmann::json(e.settings.libraries).dump());
  s.Bind(8, int64_t{e.settings.all_libraries});
  s.Bind(9, int64_t{e.settings.allow_write_access});
  s.Bind(10, int64_t{e.enabled});
  s.Bind(11, e.last_error);
  s.Bind(12, e.sha256);
  s.Bind(13, e.settings.queues_json);
  return s.Run();
}

Status PluginRegistry::Delete(std::string_view id) {
  PIER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM plugin WHERE id = ?"));
  s.Bind(1, id);
  return s.Run();
}

Status PluginRegistry::SetEnabled(std::string_view id, bool enabled) {
  PIER_ASSIGN_OR_RETURN(auto e, Get(id));
  if (!e) return NotFoundError("no plugin " + std::string(id));
  e->enabled = enabled;
  return Upsert(*e);
}

Status PluginRegistry::SetLastError(std::string_view id, std::string_view error) {
  PIER_ASSIGN_OR_RETURN(auto e, Get(id));
  if (!e) return NotFoundError("no plugin " + std::string(id));
  e->last_error = std::string(error);
  return Upsert(*e);
}

Status PluginRegistry::SetSettings(std::string_view id, const PluginSettings& settings) {
  PIER_ASSIGN_OR_RETURN(auto e, Get(id));
  if (!e) return NotFoundError("no plugin " + std::string(id));
  e->settings = settings;
  return Upsert(*e);
}

Status PluginRegistry::ClearErrors() { return db_->Exec("UPDATE plugin SET last_error = ''"); }

Result<std::optional<SyncChange>> PluginRegistry::SyncPath(const std::filesystem::path& path, std::string_view id) {
  PIER_ASSIGN_OR_RETURN(auto existing, Get(id));
  auto package = OpenPackage(path, /*manifest_only=*/true);
  RegistryEntry e = existing.value_or(RegistryEntry{});
  e.id = std::string(id);
  e.path = path.string();
  if (!package.ok()) {
    // A broken package never replaces what runs: only the error is recorded.
    e.last_error = package.status().message();
    PIER_RETURN_IF_ERROR(Upsert(e));
    return std::optional<SyncChange>(SyncChange{e.id, SyncChange::Kind::kInvalid, e.last_error});
  }
  // An unchanged package changes nothing (its recorded error, if any, stays).
  if (existing && existing->sha256 == package->sha256 && !existing->manifest_json.empty()) {
    if (existing->path != e.path) PIER_RETURN_IF_ERROR(Upsert(e));
    return std::optional<SyncChange>();
  }
  e.manifest_json = package->manifest_text;
  e.sha256 = package->sha256;
  e.last_error.clear();
  PIER_RETURN_IF_ERROR(Upsert(e));
  return std::optional<SyncChange>(
      SyncChange{e.id, existing ? SyncChange::Kind::kChanged : SyncChange::Kind::kAdded, ""});
}

Result<std::optional<SyncChange>> PluginRegistry::SyncOne(const std::filesystem::path& folder, std::string_view id) {
  if (auto path = FindPackage(folder, id)) return SyncPath(*path, id);
  PIER_ASSIGN_OR_RETURN(auto existing, Get(id));
  if (!existing) return std::optional<SyncChange>();
  PIER_RETURN_IF_ERROR(Delete(id));
  return std::optional<SyncChange>(SyncChange{std::string(id), SyncChange::Kind::kRemoved, ""});
}

Result<std::vector<SyncChange>> PluginRegistry::Sync(const std::filesystem::path& folder) {
  std::set<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (!LooksLikePackage(entry.path())) continue;
    const std::string id = PluginIdFor(entry.path());
    if (ValidatePluginId(id).ok()) ids.insert(id);
  }
  if (ec) return UnavailableError("cannot read plugins folder " + folder.string() + ": " + ec.message());
  PIER_ASSIGN_OR_RETURN(auto rows, List());
  for (const RegistryEntry& r : rows) ids.insert(r.id);
  std::vector<SyncChange> changes;
  for (const std::string& id : ids) {
    PIER_ASSIGN_OR_RETURN(auto change, SyncOne(folder, id));
    if (change) changes.push_back(*change);
  }
  return changes;
}

}  // namespace pier
