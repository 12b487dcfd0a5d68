// JSON in and out of a plugin, with nlohmann::json (exceptions off: parse
// errors come back as a Status, never as an abort).
//
//   PIER_FUNCTION(hello) {
//     PIER_ASSIGN_OR_RETURN(nlohmann::json in, pier::pdk::ParseJson(input));
//     return pier::pdk::ToJson({{"hello", in.value("name", "world")}});
//   }
#pragma once

#include <nlohmann/json.hpp>

#include "pier/json.h"
#include "pier/status.h"

namespace pier::pdk {

// Refuses input nested deeper than pier::kMaxJsonDepth.
inline Result<nlohmann::json> ParseJson(std::string_view text) {
  auto value = pier::ParseJson(text);
  if (!value.ok()) return InvalidArgumentError("input is not usable JSON: " + value.status().message());
  return value;
}

// Compact JSON; invalid UTF-8 is replaced rather than aborting.
inline std::string ToJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pier::pdk
