// Fuzzes the JSON Schema compiler and validator with hostile schemas and
// values: input is "<schema>\n<value>". Compiling and validating always end.
#include <cstdint>
#include <string>

#include "pier/json.h"
#include "schema/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t nl = text.find('\n');
  auto schema = pier::ParseJson(text.substr(0, nl));
  if (!schema.ok()) return 0;
  auto compiled = pier::schema::JsonSchema::Compile(*schema);
  if (!compiled.ok() || nl == std::string::npos) return 0;
  auto value = pier::ParseJson(text.substr(nl + 1));
  if (value.ok()) (void)compiled->Validate(*value);
  return 0;
}
