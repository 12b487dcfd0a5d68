// Manifest: the manifest.json of a Navidrome plugin package, parsed and
// validated as the original host does (spec §2): the structure is checked
// against a JSON schema (src/schema), unknown keys are accepted everywhere, and
// the enforced rules of §2.5 and §2.6 answer with the original's messages.
//
//   Result<Manifest> m = ParseManifest(text);
//   if (!m.ok()) log(m.status().message());   // "parsing manifest: validating manifest: ..."
//   std::set<std::string> granted = m->permissions.Granted();
//
// Immutable values; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pier/status.h"
#include "schema/json_schema.h"

namespace pier {

struct HostListPermission {
  std::vector<std::string> required_hosts;
};
struct LibraryPermission {
  bool filesystem = false;
};
struct KVStorePermission {
  std::string max_size;  // as written, e.g. "2MB"; empty = default (1 MiB)
};
struct TaskQueuePermission {
  int32_t max_concurrency = 1;
};

struct Permissions {
  std::optional<HostListPermission> http;
  std::optional<HostListPermission> websocket;
  std::optional<LibraryPermission> library;
  std::optional<KVStorePermission> kvstore;
  std::optional<TaskQueuePermission> taskqueue;
  bool subsonicapi = false;
  bool scheduler = false;
  bool artwork = false;
  bool cache = false;
  bool users = false;
  bool storage = false;             // upstream's newer Storage service
  bool matcher = false;             // newer: Matcher (requires library)
  bool scrobble_retriever = false;  // newer: ScrobbleRetriever, key "scrobbleRetriever" (requires users)

  // The permission keys present ("http", "taskqueue", ...).
  std::set<std::string> Granted() const;
};

struct Manifest {
  std::string name;
  std::string author;
  std::string version;
  std::string description;
  std::string website;
  Permissions permissions;
  bool experimental_threads = false;
  std::optional<nlohmann::json> config_schema;  // absent or null: the plugin takes no config
  std::optional<nlohmann::json> ui_schema;
  std::shared_ptr<const schema::JsonSchema> config_validator;  // compiled config_schema
  nlohmann::json raw;  // the document as written (unknown keys kept)
};

// Parses and validates manifest.json. Errors read "parsing manifest: parsing
// manifest JSON: <why>" (syntax, types, required fields) or "parsing
// manifest: validating manifest: <why>" (cross-field rules).
Result<Manifest> ParseManifest(std::string_view text);

// Spec §2.6, after capabilities are known: Scrobbler needs `users`,
// `scheduler` needs nd_scheduler_callback, `taskqueue` needs nd_task_execute.
// Errors read "manifest validation: <rule>".
Status CheckCapabilityRules(const Manifest& manifest, const std::vector<std::string>& capabilities,
                            const std::function<bool(std::string_view)>& has_export);
// Every rule of §2.6 the plugin breaks, in the same words (for reports).
std::vector<std::string> CapabilityRuleViolations(const Manifest& manifest,
                                                  const std::vector<std::string>& capabilities,
                                                  const std::function<bool(std::string_view)>& has_export);

// Validates a plugin config object against the manifest's config schema.
// Problems are joined as "field: message; field: message".
Status ValidateConfig(const Manifest& manifest, const nlohmann::json& config);
// The same problems one by one, with the field each concerns.
std::vector<schema::SchemaError> ConfigProblems(const Manifest& manifest, const nlohmann::json& config);

}  // namespace pier
