// Parsing JSON that comes from outside (packages, configuration, requests,
// plugins) with a nesting limit, checked by a linear scan before anything
// builds, copies or walks the value, so a 100,000-level array is refused
// instead of exhausting the stack of whoever touches it next.
//
//   PIER_ASSIGN_OR_RETURN(nlohmann::json doc, pier::ParseJson(text));
//   PIER_ASSIGN_OR_RETURN(auto ordered, pier::ParseJson<nlohmann::ordered_json>(text));
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "pier/status.h"

namespace pier {

// Deepest nesting of arrays and objects Pier accepts in JSON from outside.
inline constexpr int kMaxJsonDepth = 64;

// InvalidArgument when `text` nests arrays/objects deeper than `max_depth`.
// Only brackets outside strings count; the text need not be valid JSON.
Status CheckJsonNesting(std::string_view text, int max_depth = kMaxJsonDepth);

// Parses `text` after CheckJsonNesting. Errors: "nested more than N levels
// deep", or the parser's message for text that is not JSON.
template <typename JsonT = nlohmann::json>
Result<JsonT> ParseJson(std::string_view text, int max_depth = kMaxJsonDepth) {
  PIER_RETURN_IF_ERROR(CheckJsonNesting(text, max_depth));
  JsonT j = JsonT::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError("not valid JSON");
  return j;
}

// ParseJson, with null for anything it refuses (for lenient readers).
template <typename JsonT = nlohmann::json>
JsonT ParseJsonOrNull(std::string_view text, int max_depth = kMaxJsonDepth) {
  auto j = ParseJson<JsonT>(text, max_depth);
  return j.ok() ? std::move(*j) : JsonT();
}

// The integer `v` holds, refusing what does not fit in int64 instead of
// converting it (a float such as 3e26 passes an "integer" schema check but
// has no int64 value). Floats with no fractional part are accepted, as JSON
// Schema counts them as integers. Errors: "expected an integer", "N is out of
// range".
Result<int64_t> JsonInt64(const nlohmann::json& v);
Result<int64_t> JsonInt64(const nlohmann::ordered_json& v);

}  // namespace pier
