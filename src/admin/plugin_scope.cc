#include "admin/plugin_scope.h"

#include <algorithm>
#include <set>

namespace pier {

namespace {

using Json = nlohmann::json;

Json Entries(const std::vector<DirectoryEntry>& entries) {
  Json out = Json::array();
  for (const DirectoryEntry& e : entries) out.push_back({{"id", e.id}, {"name", e.name}});
  return out;
}

bool Known(const std::vector<DirectoryEntry>& entries, const std::string& id) {
  return std::any_of(entries.begin(), entries.end(), [&](const DirectoryEntry& e) { return e.id == id; });
}

// A boolean field of the submission, if present; a problem when it is not a boolean.
void Flag(const Json& submitted, const char* key, bool* out, std::vector<schema::SchemaError>* problems) {
  auto it = submitted.find(key);
  if (it == submitted.end()) return;
  if (!it->is_boolean()) return problems->push_back({key, "must be true or false"});
  *out = it->get<bool>();
}

}  // namespace

Json ScopeView(const Manifest& manifest, const PluginSettings& settings, const Directory& directory) {
  const bool filesystem = manifest.permissions.library && manifest.permissions.library->filesystem;
  return {{"users", {{"needed", manifest.permissions.users}, {"all", settings.all_users}, {"selected", settings.users}}},
          {"libraries",
           {{"needed", manifest.permissions.library.has_value()},
            {"all", settings.all_libraries},
            {"selected", settings.libraries},
            {"filesystem", filesystem},
            {"writeAccess", settings.allow_write_access}}},
          {"known", {{"users", Entries(directory.users)}, {"libraries", Entries(directory.libraries)}}}};
}

PluginSettings ApplyScope(const Manifest& manifest, const PluginSettings& settings, const Json& submitted,
                          const Directory& directory, std::vector<schema::SchemaError>* problems) {
  PluginSettings next = settings;
  if (!submitted.is_object()) {
    problems->push_back({"", "send {\"allUsers\", \"users\", \"allLibraries\", \"libraries\", \"allowWriteAccess\"}"});
    return next;
  }
  Flag(submitted, "allUsers", &next.all_users, problems);
  Flag(submitted, "allLibraries", &next.all_libraries, problems);
  Flag(submitted, "allowWriteAccess", &next.allow_write_access, problems);
  if (auto it = submitted.find("users"); it != submitted.end()) {
    std::set<std::string> seen;
    next.users.clear();
    if (!it->is_array()) {
      problems->push_back({"users", "must be a list of user IDs"});
    } else {
      for (const Json& u : *it) {
        if (!u.is_string() || u.get<std::string>().empty()) {
          problems->push_back({"users", "every entry must be a user ID"});
          break;
        }
        const std::string id = u.get<std::string>();
        if (!Known(directory.users, id)) {
          problems->push_back({"users", "no user \"" + id + "\" on this server"});
          continue;
        }
        if (seen.insert(id).second) next.users.push_back(id);
      }
    }
  }
  if (auto it = submitted.find("libraries"); it != submitted.end()) {
    std::set<int32_t> seen;
    next.libraries.clear();
    if (!it->is_array()) {
      problems->push_back({"libraries", "must be a list of library IDs"});
    } else {
      for (const Json& l : *it) {
        if (!l.is_number_integer()) {
          problems->push_back({"libraries", "every entry must be a library ID (a whole number)"});
          break;
        }
        const int64_t id = l.get<int64_t>();
        if (id < INT32_MIN || id > INT32_MAX || !Known(directory.libraries, std::to_string(id))) {
          problems->push_back({"libraries", "no library " + std::to_string(id) + " on this server"});
          continue;
        }
        if (seen.insert(static_cast<int32_t>(id)).second) next.libraries.push_back(static_cast<int32_t>(id));
      }
    }
  }
  // Write access means something only for a plugin that reads the library's files.
  if (next.allow_write_access && !(manifest.permissions.library && manifest.permissions.library->filesystem)) {
    problems->push_back({"allowWriteAccess", "the plugin asks for no filesystem access to libraries"});
  }
  return next;
}

}  // namespace pier
