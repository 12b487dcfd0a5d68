// The JSON schema manifest.json is validated against (see manifest_schema.cc).
#pragma once

#include <string_view>

namespace pier::internal {

std::string_view ManifestSchemaText();

}  // namespace pier::internal
