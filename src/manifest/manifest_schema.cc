// The structure of manifest.json as JSON Schema (draft-07), written from spec §2.1-§2.4. Required-ness, lengths and
// minimums are checked in manifest.cc to give the original's exact messages;
// unknown keys are allowed everywhere, as the original allows them.
#include "manifest/manifest_schema.h"

namespace pier::internal {

std::string_view ManifestSchemaText() {
  return R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Manifest",
  "type": "object",
  "definitions": {
    "reason": {"type": ["object", "null"], "properties": {"reason": {"type": "string"}}},
    "hosts": {
      "type": ["object", "null"],
      "properties": {
        "reason": {"type": "string"},
        "requiredHosts": {"type": ["array", "null"], "items": {"type": "string"}}
      }
    }
  },
  "properties": {
    "name": {"type": ["string", "null"]},
    "author": {"type": ["string", "null"]},
    "version": {"type": ["string", "null"]},
    "description": {"type": ["string", "null"]},
    "website": {"type": ["string", "null"]},
    "permissions": {
      "type": ["object", "null"],
      "properties": {
        "http": {"$ref": "#/definitions/hosts"},
        "websocket": {"$ref": "#/definitions/hosts"},
        "subsonicapi": {"$ref": "#/definitions/reason"},
        "scheduler": {"$ref": "#/definitions/reason"},
        "artwork": {"$ref": "#/definitions/reason"},
        "cache": {"$ref": "#/definitions/reason"},
        "users": {"$ref": "#/definitions/reason"},
        "storage": {"$ref": "#/definitions/reason"},
        "matcher": {"$ref": "#/definitions/reason"},
        "scrobbleRetriever": {"$ref": "#/definitions/reason"},
        "library": {
          "type": ["object", "null"],
          "properties": {"reason": {"type": "string"}, "filesystem": {"type": ["boolean", "null"]}}
        },
        "kvstore": {
          "type": ["object", "null"],
          "properties": {"reason": {"type": "string"}, "maxSize": {"type": ["string", "null"]}}
        },
        "taskqueue": {
          "type": ["object", "null"],
          "properties": {"reason": {"type": "string"}, "maxConcurrency": {"type": ["integer", "null"]}}
        }
      }
    },
    "experimental": {
      "type": ["object", "null"],
      "properties": {"threads": {"$ref": "#/definitions/reason"}}
    },
    "config": {
      "type": ["object", "null"],
      "properties": {"schema": {"type": ["object", "null"]}, "uiSchema": {"type": ["object", "null"]}}
    }
  }
})json";
}

}  // namespace pier::internal
