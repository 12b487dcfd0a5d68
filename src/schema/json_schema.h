// JsonSchema: a JSON Schema validator built for hostile schemas and values.
//
// Plugin manifests carry a JSON Schema for their configuration, so the schema
// itself is untrusted input. Compiling one is bounded: a `$ref` cycle that
// never descends into the value (`{"$ref":"#"}`, `a -> b -> a`), a chain of
// more than kMaxInPlaceChain schemas applied to the same value, more than
// kMaxNodes schemas, a remote reference or an invalid keyword is refused with
// a message naming the place. Validating is bounded too: values deeper than
// kMaxValueDepth are refused, `pattern`s run on RE2 (linear time, no
// backtracking), and one validation visits at most kMaxVisits schemas.
//
// Dialect: the core and validation vocabularies of drafts 6, 7, 2019-09 and
// 2020-12 (`items` as schema or array, `prefixItems`, `additionalItems`,
// `dependencies`, `dependentRequired`, `dependentSchemas`, `if/then/else`,
// `$defs`/`definitions`, `$anchor`, boolean schemas). `format` is an
// annotation (not checked), as 2020-12 says by default. Not supported, and
// refused at compile time: `unevaluatedProperties`, `unevaluatedItems`,
// `$dynamicRef`/`$recursiveRef`, references to other documents, and ECMA
// regex features RE2 lacks (look-around, back-references).
//
//   auto schema = JsonSchema::Compile(doc);
//   if (!schema.ok()) return schema.status();              // "at #/properties/a/type: ..."
//   for (const SchemaError& e : schema->Validate(value))   // {"settings/port", "must be <= 65535"}
//     report(e.field, e.message);
//
// Immutable after Compile; Validate is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pier/status.h"

namespace pier::schema {

inline constexpr size_t kMaxNodes = 10'000;
inline constexpr size_t kMaxInPlaceChain = 64;
inline constexpr int kMaxValueDepth = 64;
inline constexpr size_t kMaxVisits = 1'000'000;

struct SchemaError {
  std::string field;    // the value's path, names joined with "/" ("" = the whole value)
  std::string message;  // what is wrong with it
};

// "field: message; field: message" (a bare message when the field is "").
std::string JoinErrors(const std::vector<SchemaError>& errors);

namespace internal {
struct Compiled;
}

class JsonSchema {
 public:
  static Result<JsonSchema> Compile(const nlohmann::json& document);

  // Every problem found (empty: valid). A value that cannot be checked
  // (too deep, too expensive) yields one error saying so.
  std::vector<SchemaError> Validate(const nlohmann::json& value) const;

 private:
  explicit JsonSchema(std::shared_ptr<const internal::Compiled> compiled) : compiled_(std::move(compiled)) {}
  std::shared_ptr<const internal::Compiled> compiled_;
};

}  // namespace pier::schema
