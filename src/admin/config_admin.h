// The configuration of a plugin as the dashboard's form sees it, and the
// way a submitted form becomes the stored configuration.
//
// Secrets: a property whose schema says `"format": "password"` or
// `"writeOnly": true` (at any depth of nested objects) is never sent back.
// The view lists which secrets are set instead; a submitted form that
// leaves one out (or empty) keeps the stored value.
//
//   Json view = ConfigView(manifest, stored_json);        // {schema, uiSchema, config, secretsSet}
//   auto merged = MergeSubmittedConfig(manifest, stored_json, submitted);
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/manifest.h"
#include "pier/status.h"

namespace pier {

// JSON pointers ("/apiKey", "/account/password") of the schema's secret properties.
std::vector<std::string> SecretPaths(const nlohmann::json& schema);

nlohmann::json ConfigView(const Manifest& manifest, const std::string& stored_json);

// The configuration to store: `submitted` with each secret it leaves out or empty taken from `stored_json`.
Result<nlohmann::json> MergeSubmittedConfig(const Manifest& manifest, const std::string& stored_json,
                                            const nlohmann::json& submitted);

}  // namespace pier
