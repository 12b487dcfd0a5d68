// SHA-256 of a byte string, as 64 lower-case hex digits (OpenSSL underneath).
//
//   std::string digest = Sha256Hex(bytes);
#pragma once

#include <string>
#include <string_view>

namespace pier::internal {

std::string Sha256Hex(std::string_view bytes);

}  // namespace pier::internal
