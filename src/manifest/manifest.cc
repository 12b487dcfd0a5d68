#include "manifest/manifest.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <climits>
#include <exception>
#include <memory>

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

const valijson::Schema& ManifestSchema() {
  static const std::unique_ptr<valijson::Schema> schema = [] {
    auto s = std::make_unique<valijson::Schema>();
    const Json doc = Json::parse(internal::ManifestSchemaText());
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    valijson::SchemaParser().populateSchema(adapter, *s);
    return s;
  }();
  return *schema;
}

// valijson's context ("<root>", "[permissions]", "[\"x\"]"...) as "permissions<sep>x".
std::string ContextPath(const std::vector<std::string>& context, std::string_view sep) {
  std::string path;
  for (const std::string& c : context) {
    if (c == "<root>") continue;
    std::string part = c;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') part = part.substr(1, part.size() - 2);
    if (part.size() >= 2 && part.front() == '"' && part.back() == '"') part = part.substr(1, part.size() - 2);
    path += (path.empty() ? "" : std::string(sep)) + part;
  }
  return path;
}

// The deepest problem valijson reports, as "a.b.c: description".
std::string FirstProblem(valijson::ValidationResults& results) {
  valijson::ValidationResults::Error error;
  std::string deepest;
  size_t depth = 0;
  while (results.popError(error)) {
    const std::string path = ContextPath(error.context, ".");
    if (deepest.empty() || error.context.size() > depth) {
      depth = error.context.size();
      deepest = (path.empty() ? std::string("manifest") : path) + ": " + error.description;
    }
  }
  return deepest;
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

Result<std::unique_ptr<valijson::Schema>> CompileSchema(const Json& doc) {
  try {
    auto schema = std::make_unique<valijson::Schema>();
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    valijson::SchemaParser().populateSchema(adapter, *schema);
    return schema;
  } catch (const std::exception& e) {
    return InvalidArgumentError(e.what());
  }
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
  return out;
}

Result<Manifest> ParseManifest(std::string_view text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return DecodeError("not valid JSON");
  if (!doc.is_object()) return DecodeError("the manifest must be a JSON object");

  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  if (!validator.validate(ManifestSchema(), target, &results)) return DecodeError(FirstProblem(results));

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
        const int64_t v = mc->get<int64_t>();
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
  if (m.config_schema) {
    auto compiled = CompileSchema(*m.config_schema);
    if (!compiled.ok()) return RuleError("invalid config schema: " + compiled.status().message());
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
  if (!manifest.config_schema) return FailedPreconditionError("plugin has no configurable options");
  auto schema = CompileSchema(*manifest.config_schema);
  if (!schema.ok()) return schema.status().WithContext("invalid config schema");
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(config);
  if (validator.validate(**schema, target, &results)) return OkStatus();
  std::string text;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    text += (text.empty() ? "" : "; ") + ContextPath(error.context, "/") + ": " + error.description;
  }
  return InvalidArgumentError(text);
}

}  // namespace pier
