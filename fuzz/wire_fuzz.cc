// Fuzzes the Go-JSON reading of every generated request type: a JSON text
// parsed (Pier's depth limit) and handed to each request decoder in turn.
#include <cstdint>
#include <string_view>

#include "pier/json.h"
#include "pier/wire/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = pier::ParseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc.ok()) return 0;
#define PIER_DECODER(Name, Type)                    \
  {                                                  \
    pier::wire::Type value;                          \
    (void)pier::wire::Decode##Name(*doc, &value, ""); \
  }
#include "wire_decoders.inc"
#undef PIER_DECODER
  return 0;
}
