#include "manifest/manifest.h"

#include <algorithm>
#include <climits>
#include <memory>

#include "pier/json.h"
#include "manifest/manifest_schema.h"

namespace pier {

namespace {

using Json = nlohmann::json;

Status DecodeError(std::string why) {
  return InvalidArgumentError("parsing manifest: parsing manifest JSON: " + std::move(why));
}
Status RuleError(std::string why) {
  return InvalidArgumentError("parsing manifest: validating manifest: " + std::move(why));
}

const schema::JsonSchema& ManifestSchema() {
  static const schema::JsonSchema compiled =
      schema::JsonSchema::Compile(Json::parse(internal::ManifestSchemaText())).value();
  return compiled;
}

// The first problem, as "a.b.c: description".
std::string FirstProblem(const std::vector<schema::SchemaError>& errors) {
  const schema::SchemaError& e = errors.front();
  std::string path = e.field;
  std::replace(path.begin(), path.end(), '/', '.');
  return (path.empty() ? std::string("manifest") : path) + ": " + e.message;
}

// Required, non-empty string field (the original's two messages).
Status RequiredString(const Json& doc, const char* key, std::string* out) {
  auto it = doc.find(key);
  if (it == doc.end()) return DecodeError(std::string("field ") + key + " in Manifest: required");
  if (it->is_string()) *out = it->get<std::string>();
  if (out->empty()) return DecodeError(std::string("field ") + key + " length: must be >= 1");
  return OkStatus();
}

std::string OptionalString(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A permission is granted when its key is present with an object (null = absent).
const Json* PermissionObject(const Json& perms, const char* key) {
  auto it = perms.find(key);
  return it != perms.end() && it->is_object() ? &*it : nullptr;
}

std::vector<std::string> Hosts(const Json& p) {
  std::vector<std::string> out;
  if (auto it = p.find("requiredHosts"); it != p.end() && it->is_array()) {
    for (const Json& h : *it) out.push_back(h.get<std::string>());
  }
  return out;
}

}  // namespace

std::set<std::string> Permissions::Granted() const {
  std::set<std::string> out;
  if (http) out.insert("http");
  if (websocket) out.insert("websocket");
  if (library) out.insert("library");
  if (kvstore) out.insert("kvstore");
  if (taskqueue) out.insert("taskqueue");
  if (subsonicapi) out.insert("subsonicapi");
  if (scheduler) out.insert("scheduler");
  if (artwork) out.insert("artwork");
  if (cache) out.insert("cache");
  if (users) out.insert("users");
  if (storage) out.insert("storage");
  if (matcher) out.insert("matcher");
  if (scrobble_retriever) out.insert("scrobbleRetriever");
  return out;
}

Result<Manifest> ParseManifest(std::string_view text) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return DecodeError(parsed.status().message());
  Json doc = std::move(*parsed);
  if (!doc.is_object()) return DecodeError("the manifest must be a JSON object");
  if (auto problems = ManifestSchema().Validate(doc); !problems.empty()) return DecodeError(FirstProblem(problems));

  Manifest m;
  PIER_RETURN_IF_ERROR(RequiredString(doc, "name", &m.name));
  PIER_RETURN_IF_ERROR(RequiredString(doc, "author", &m.author));
  PIER_RETURN_IF_ERROR(RequiredString(doc, "version", &m.version));
  m.description = OptionalString(doc, "description");
  m.website = OptionalString(doc, "website");

  if (auto perms = doc.find("permissions"); perms != doc.end() && perms->is_object()) {
    Permissions& p = m.permissions;
    if (const Json* o = PermissionObject(*perms, "http")) p.http = HostListPermission{Hosts(*o)};
    if (const Json* o = PermissionObject(*perms, "websocket")) p.websocket = HostListPermission{Hosts(*o)};
    if (const Json* o = PermissionObject(*perms, "library")) {
      auto fs = o->find("filesystem");
      p.library = LibraryPermission{fs != o->end() && fs->is_boolean() && fs->get<bool>()};
    }
    if (const Json* o = PermissionObject(*perms, "kvstore")) p.kvstore = KVStorePermission{OptionalString(*o, "maxSize")};
    if (const Json* o = PermissionObject(*perms, "taskqueue")) {
      TaskQueuePermission tq;
      if (auto mc = o->find("maxConcurrency"); mc != o->end() && !mc->is_null()) {
        auto n = JsonInt64(*mc);
        if (!n.ok()) return DecodeError("field maxConcurrency: " + n.status().message());
        const int64_t v = *n;
        if (v < 1) return DecodeError("field maxConcurrency: must be >= 1");
        tq.max_concurrency = static_cast<int32_t>(std::min<int64_t>(v, INT32_MAX));
      }
      p.taskqueue = tq;
    }
    p.subsonicapi = PermissionObject(*perms, "subsonicapi") != nullptr;
    p.scheduler = PermissionObject(*perms, "scheduler") != nullptr;
    p.artwork = PermissionObject(*perms, "artwork") != nullptr;
    p.cache = PermissionObject(*perms, "cache") != nullptr;
    p.users = PermissionObject(*perms, "users") != nullptr;
    p.storage = PermissionObject(*perms, "storage") != nullptr;
    p.matcher = PermissionObject(*perms, "matcher") != nullptr;
    p.scrobble_retriever = PermissionObject(*perms, "scrobbleRetriever") != nullptr;
  }
  if (auto ex = doc.find("experimental"); ex != doc.end() && ex->is_object()) {
    m.experimental_threads = PermissionObject(*ex, "threads") != nullptr;
  }
  if (auto cfg = doc.find("config"); cfg != doc.end() && cfg->is_object()) {
    auto schema = cfg->find("schema");
    if (schema == cfg->end()) return DecodeError("field schema in ConfigDefinition: required");
    if (schema->is_object()) m.config_schema = *schema;
    if (auto ui = cfg->find("uiSchema"); ui != cfg->end() && ui->is_object()) m.ui_schema = *ui;
  }

  if (m.permissions.subsonicapi && !m.permissions.users) {
    return RuleError("'subsonicapi' permission requires 'users' permission to be declared");
  }
  if (m.permissions.matcher && !m.permissions.library) {
    return RuleError("'matcher' permission requires 'library' permission to be declared");
  }
  if (m.permissions.scrobble_retriever && !m.permissions.users) {
    return RuleError("'scrobbleRetriever' permission requires 'users' permission to be declared");
  }
  if (m.config_schema) {
    auto compiled = schema::JsonSchema::Compile(*m.config_schema);
    if (!compiled.ok()) return RuleError("invalid config schema: " + compiled.status().message());
    m.config_validator = std::make_shared<const schema::JsonSchema>(std::move(*compiled));
  }
  m.raw = std::move(doc);
  return m;
}

std::vector<std::string> CapabilityRuleViolations(const Manifest& manifest,
                                                  const std::vector<std::string>& capabilities,
                                                  const std::function<bool(std::string_view)>& has_export) {
  std::vector<std::string> out;
  const bool scrobbler = std::find(capabilities.begin(), capabilities.end(), "Scrobbler") != capabilities.end();
  if (scrobbler && !manifest.permissions.users) {
    out.push_back("manifest validation: scrobbler capability requires 'users' permission to be declared in manifest");
  }
  if (manifest.permissions.scheduler && !has_export("nd_scheduler_callback")) {
    out.push_back(
        "manifest validation: 'scheduler' permission requires plugin to export 'nd_scheduler_callback' function");
  }
  if (manifest.permissions.taskqueue && !has_export("nd_task_execute")) {
    out.push_back("manifest validation: 'taskqueue' permission requires plugin to export 'nd_task_execute' function");
  }
  return out;
}

Status CheckCapabilityRules(const Manifest& manifest, const std::vector<std::string>& capabilities,
                            const std::function<bool(std::string_view)>& has_export) {
  auto violations = CapabilityRuleViolations(manifest, capabilities, has_export);
  return violations.empty() ? OkStatus() : FailedPreconditionError(violations.front());
}

Status ValidateConfig(const Manifest& manifest, const Json& config) {
  if (!manifest.config_schema || !manifest.config_validator) {
    return FailedPreconditionError("plugin has no configurable options");
  }
  std::vector<schema::SchemaError> problems = manifest.config_validator->Validate(config);
  return problems.empty() ? OkStatus() : InvalidArgumentError(schema::JoinErrors(problems));
}

std::vector<schema::SchemaError> ConfigProblems(const Manifest& manifest, const Json& config) {
  if (!manifest.config_validator) return {{"", "plugin has no configurable options"}};
  return manifest.config_validator->Validate(config);
}

}  // namespace pier
