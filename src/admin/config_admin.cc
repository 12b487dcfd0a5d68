#include "admin/config_admin.h"

#include "pier/json.h"

namespace pier {

namespace {

using Json = nlohmann::json;

void CollectSecrets(const Json& schema, const std::string& at, std::vector<std::string>& out, int depth) {
  if (depth > 16 || !schema.is_object()) return;
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object()) return;
  for (const auto& [name, sub] : props->items()) {
    if (!sub.is_object()) continue;
    std::string escaped;
    for (char c : name) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    const std::string path = at + "/" + escaped;
    const bool secret = (sub.contains("format") && sub["format"] == "password") ||
                        (sub.contains("writeOnly") && sub["writeOnly"] == true);
    if (secret) {
      out.push_back(path);
    } else {
      CollectSecrets(sub, path, out, depth + 1);
    }
  }
}

Json StoredConfig(const std::string& stored_json) {
  if (stored_json.empty()) return Json::object();
  auto j = ParseJson(stored_json);
  return j.ok() && j->is_object() ? *j : Json::object();
}

}  // namespace

std::vector<std::string> SecretPaths(const Json& schema) {
  std::vector<std::string> out;
  CollectSecrets(schema, "", out, 0);
  return out;
}

Json ConfigView(const Manifest& manifest, const std::string& stored_json) {
  Json config = StoredConfig(stored_json);
  Json set = Json::array();
  if (manifest.config_schema) {
    for (const std::string& p : SecretPaths(*manifest.config_schema)) {
      const Json::json_pointer ptr(p);
      if (!config.contains(ptr)) continue;
      const Json& v = config[ptr];
      if (!(v.is_string() && v.get<std::string>().empty())) set.push_back(p);
      config[ptr.parent_pointer()].erase(ptr.back());
    }
  }
  return Json{{"schema", manifest.config_schema ? *manifest.config_schema : Json(nullptr)},
              {"uiSchema", manifest.ui_schema ? *manifest.ui_schema : Json(nullptr)},
              {"config", std::move(config)},
              {"secretsSet", std::move(set)}};
}

Result<Json> MergeSubmittedConfig(const Manifest& manifest, const std::string& stored_json, const Json& submitted) {
  if (!submitted.is_object()) return InvalidArgumentError("config must be a JSON object");
  if (!manifest.config_schema) return FailedPreconditionError("plugin has no configurable options");
  Json merged = submitted;
  const Json stored = StoredConfig(stored_json);
  for (const std::string& p : SecretPaths(*manifest.config_schema)) {
    const Json::json_pointer ptr(p);
    const bool given = merged.contains(ptr) && !(merged[ptr].is_string() && merged[ptr].get<std::string>().empty());
    if (given) continue;
    if (stored.contains(ptr)) {
      // The parent objects exist in the stored config; make them in the submitted one.
      merged[ptr] = stored[ptr];
    } else if (merged.contains(ptr)) {
      merged[ptr.parent_pointer()].erase(ptr.back());  // an empty secret stays unset
    }
  }
  return merged;
}

}  // namespace pier
