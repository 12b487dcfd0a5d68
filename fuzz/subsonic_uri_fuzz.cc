// Fuzzes the Subsonic URI parser (subsonicapi_call's "uri"), Go net/url style.
#include <cstdint>
#include <string_view>

#include "services/subsonicapi/uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)pier::subsonic::ParseRelativeUri(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
