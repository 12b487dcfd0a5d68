// Go-JSON: the JSON dialect of the Navidrome plugin ABI (Go's encoding/json),
// shared by Pier's host bindings and its C++ plugin kit.
//
// Decoding: missing keys and null leave zero values, unknown keys are ignored,
// keys match exactly first and then case-insensitively, integers reject
// fractions and exponents and must fit their type, bytes are standard padded
// base64. Encoding: records keep their field order, maps are sorted, bytes are
// base64 strings (never null), `omitempty` fields are dropped when zero.
//
//   wire::Json j = wire::Json::parse(text, nullptr, false);
//   std::string name;
//   PIER_RETURN_IF_ERROR(wire::DecodeField(j, "queueName", &name, "", wire::DecodeString));
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pier/status.h"

namespace pier::wire {

using Json = nlohmann::ordered_json;

// Largest request or response a binding accepts.
inline constexpr size_t kMaxMessageBytes = 64 << 20;

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; InvalidArgument otherwise.
Result<std::string> Base64Decode(std::string_view text);

// Parses `text` as one JSON object (an empty text is an empty object).
Result<Json> ParseObject(std::string_view text);
std::string Dump(const Json& j);
// {"error": message}
std::string ErrorResponse(std::string_view message);

// The value of `key` in object `j`: exact match, else the first
// case-insensitive one (Go's rule); nullptr when absent.
const Json* Field(const Json& j, std::string_view key);

// --- scalar decoders: (json, out, path) -> Status ---
Status DecodeString(const Json& j, std::string* out, const std::string& path);
Status DecodeBytes(const Json& j, std::string* out, const std::string& path);
Status DecodeBool(const Json& j, bool* out, const std::string& path);
Status DecodeInt32(const Json& j, int32_t* out, const std::string& path);
Status DecodeInt64(const Json& j, int64_t* out, const std::string& path);
Status DecodeUint32(const Json& j, uint32_t* out, const std::string& path);
Status DecodeFloat32(const Json& j, float* out, const std::string& path);
Status DecodeFloat64(const Json& j, double* out, const std::string& path);

template <typename T, typename Elem>
Status DecodeList(const Json& j, std::vector<T>* out, const std::string& path, Elem elem) {
  out->clear();
  if (j.is_null()) return OkStatus();
  if (!j.is_array()) return InvalidArgumentError(path + ": expected an array");
  out->resize(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    PIER_RETURN_IF_ERROR(elem(j[i], &(*out)[i], path + "[" + std::to_string(i) + "]"));
  }
  return OkStatus();
}

template <typename T, typename Elem>
Status DecodeMap(const Json& j, std::map<std::string, T>* out, const std::string& path, Elem elem) {
  out->clear();
  if (j.is_null()) return OkStatus();
  if (!j.is_object()) return InvalidArgumentError(path + ": expected an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    PIER_RETURN_IF_ERROR(elem(it.value(), &(*out)[it.key()], path + "." + it.key()));
  }
  return OkStatus();
}

template <typename T, typename Elem>
Status DecodeOptional(const Json& j, std::optional<T>* out, const std::string& path, Elem elem) {
  if (j.is_null()) {
    out->reset();
    return OkStatus();
  }
  out->emplace();
  return elem(j, &**out, path);
}

// Decodes field `key` of object `j` into `out` when present and not null.
template <typename T, typename Elem>
Status DecodeField(const Json& j, std::string_view key, T* out, const std::string& path, Elem elem) {
  const Json* v = Field(j, key);
  if (v == nullptr) return OkStatus();
  if (v->is_null()) {
    *out = T{};
    return OkStatus();
  }
  return elem(*v, out, path.empty() ? std::string(key) : path + "." + std::string(key));
}

// Checks that `j` is an object (or null, read as empty), for record decoders.
Status ExpectObject(const Json& j, const std::string& path);

// --- encoders ---
inline Json EncodeString(const std::string& v) { return v; }
inline Json EncodeBytes(const std::string& v) { return Base64Encode(v); }
inline Json EncodeBool(bool v) { return v; }
inline Json EncodeInt32(int32_t v) { return v; }
inline Json EncodeInt64(int64_t v) { return v; }
inline Json EncodeUint32(uint32_t v) { return v; }
inline Json EncodeFloat32(float v) { return static_cast<double>(v); }
inline Json EncodeFloat64(double v) { return v; }

template <typename T, typename Elem>
Json EncodeList(const std::vector<T>& v, Elem elem) {
  Json out = Json::array();
  for (const T& x : v) out.push_back(elem(x));
  return out;
}

template <typename T, typename Elem>
Json EncodeMap(const std::map<std::string, T>& v, Elem elem) {
  Json out = Json::object();
  for (const auto& [k, x] : v) out[k] = elem(x);
  return out;
}

template <typename T, typename Elem>
Json EncodeOptional(const std::optional<T>& v, Elem elem) {
  return v ? elem(*v) : Json(nullptr);
}

// Go's omitempty notion of zero.
inline bool IsZero(const std::string& v) { return v.empty(); }
inline bool IsZero(bool v) { return !v; }
inline bool IsZero(int32_t v) { return v == 0; }
inline bool IsZero(int64_t v) { return v == 0; }
inline bool IsZero(uint32_t v) { return v == 0; }
inline bool IsZero(float v) { return v == 0; }
inline bool IsZero(double v) { return v == 0; }
template <typename T>
bool IsZero(const std::vector<T>& v) { return v.empty(); }
template <typename T>
bool IsZero(const std::map<std::string, T>& v) { return v.empty(); }
template <typename T>
bool IsZero(const std::optional<T>& v) { return !v.has_value(); }

}  // namespace pier::wire
