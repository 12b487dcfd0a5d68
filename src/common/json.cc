#include "pier/json.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace pier {

Status CheckJsonNesting(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return InvalidArgumentError("JSON nested more than " + std::to_string(max_depth) + " levels deep");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return OkStatus();
}

namespace {

template <typename JsonT>
Result<int64_t> Int64Of(const JsonT& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.template get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgumentError(std::to_string(u) + " is out of range");
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.template get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.template get<double>();
    // 2^63 is exactly representable; everything below it converts safely.
    if (!std::isfinite(d) || d != std::floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
      return InvalidArgumentError(v.dump() + " is out of range");
    }
    return static_cast<int64_t>(d);
  }
  return InvalidArgumentError("expected an integer");
}

}  // namespace

Result<int64_t> JsonInt64(const nlohmann::json& v) { return Int64Of(v); }
Result<int64_t> JsonInt64(const nlohmann::ordered_json& v) { return Int64Of(v); }

}  // namespace pier
