// Which users and libraries a plugin may act for, as the dashboard's plugin
// page shows and changes them. A manifest with the `users` permission needs
// users selected (or "all users"), one with `library` needs libraries (or
// "all libraries") before the plugin can be enabled; `library` with
// `filesystem` also asks whether the plugin may write to the library folders.
//
//   Json view = ScopeView(manifest, settings, directory);
//   auto next = ApplyScope(manifest, settings, submitted, directory);   // 400 material on bad input
//
// The directory is what the host knows (the music host's users and
// libraries); selections of IDs it does not know are refused, field by field.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manager/plugin_manager.h"
#include "manifest/manifest.h"
#include "pier/status.h"
#include "schema/json_schema.h"

namespace pier {

struct DirectoryEntry {
  std::string id;  // a user's ID, or a library's number as text
  std::string name;
};
struct Directory {
  std::vector<DirectoryEntry> users, libraries;
};

// {"users": {"needed", "all", "selected": [...]}, "libraries": {"needed", "all", "selected", "filesystem", "writeAccess"},
//  "known": {"users": [{id, name}], "libraries": [{id, name}]}}
nlohmann::json ScopeView(const Manifest& manifest, const PluginSettings& settings, const Directory& directory);

// The settings with the submitted scope ({"allUsers", "users", "allLibraries", "libraries",
// "allowWriteAccess"}, each optional) applied; the configuration is kept. Every problem, by field
// ("users", "libraries", ...), in *problems (then the result is not to be stored).
PluginSettings ApplyScope(const Manifest& manifest, const PluginSettings& settings, const nlohmann::json& submitted,
                          const Directory& directory, std::vector<schema::SchemaError>* problems);

}  // namespace pier
