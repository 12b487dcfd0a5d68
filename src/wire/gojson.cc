#include "pier/wire/gojson.h"

#include "pier/json.h"

#include <cctype>
#include <cmath>
#include <limits>

namespace pier::wire {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string Where(const std::string& path) { return path.empty() ? std::string("value") : "field \"" + path + "\""; }

Status Expected(const std::string& path, std::string_view what) {
  return InvalidArgumentError(Where(path) + ": expected " + std::string(what));
}

template <typename T>
Status DecodeInteger(const Json& j, T* out, const std::string& path, std::string_view name) {
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return InvalidArgumentError(Where(path) + ": " + std::to_string(v) + " does not fit in " + std::string(name));
    }
    *out = static_cast<T>(v);
    return OkStatus();
  }
  if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
      return InvalidArgumentError(Where(path) + ": " + std::to_string(v) + " does not fit in " + std::string(name));
    }
    *out = static_cast<T>(v);
    return OkStatus();
  }
  return Expected(path, std::string("an integer (") + std::string(name) + ")");
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgumentError("invalid base64: length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[k] = Sextet(c)) < 0) return InvalidArgumentError("invalid base64 data");
    }
    const uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>((n >> 8) & 255);
    if (pad < 1) out += static_cast<char>(n & 255);
  }
  return out;
}

Result<Json> ParseObject(std::string_view text) {
  if (text.size() > kMaxMessageBytes) {
    return InvalidArgumentError("message of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                                std::to_string(kMaxMessageBytes));
  }
  if (text.empty()) return Json::object();
  PIER_ASSIGN_OR_RETURN(Json j, ParseJson<Json>(text));
  if (!j.is_object()) return InvalidArgumentError("expected a JSON object");
  return j;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string ErrorResponse(std::string_view message) {
  Json j = Json::object();
  j["error"] = std::string(message);
  return Dump(j);
}

const Json* Field(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  if (auto it = j.find(std::string(key)); it != j.end()) return &*it;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (EqualFold(it.key(), key)) return &it.value();
  }
  return nullptr;
}

Status ExpectObject(const Json& j, const std::string& path) {
  return j.is_object() || j.is_null() ? OkStatus() : Expected(path, "an object");
}

Status DecodeString(const Json& j, std::string* out, const std::string& path) {
  if (!j.is_string()) return Expected(path, "a string");
  *out = j.get_ref<const std::string&>();
  return OkStatus();
}

Status DecodeBytes(const Json& j, std::string* out, const std::string& path) {
  if (j.is_null()) {
    out->clear();
    return OkStatus();
  }
  if (!j.is_string()) return Expected(path, "a base64 string");
  auto bytes = Base64Decode(j.get_ref<const std::string&>());
  if (!bytes.ok()) return InvalidArgumentError(Where(path) + ": " + bytes.status().message());
  *out = std::move(*bytes);
  return OkStatus();
}

Status DecodeBool(const Json& j, bool* out, const std::string& path) {
  if (!j.is_boolean()) return Expected(path, "true or false");
  *out = j.get<bool>();
  return OkStatus();
}

Status DecodeInt32(const Json& j, int32_t* out, const std::string& path) {
  return DecodeInteger(j, out, path, "int32");
}

Status DecodeInt64(const Json& j, int64_t* out, const std::string& path) {
  return DecodeInteger(j, out, path, "int64");
}

Status DecodeUint32(const Json& j, uint32_t* out, const std::string& path) {
  return DecodeInteger(j, out, path, "uint32");
}

Status DecodeFloat32(const Json& j, float* out, const std::string& path) {
  if (!j.is_number()) return Expected(path, "a number");
  const double v = j.get<double>();
  if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max()) {
    return InvalidArgumentError(Where(path) + ": does not fit in float32");
  }
  *out = static_cast<float>(v);
  return OkStatus();
}

Status DecodeFloat64(const Json& j, double* out, const std::string& path) {
  if (!j.is_number()) return Expected(path, "a number");
  *out = j.get<double>();
  return OkStatus();
}

}  // namespace pier::wire
