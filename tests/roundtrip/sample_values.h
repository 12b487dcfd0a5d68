// Deterministic sample values for the round-trip tests, the same on the host
// and inside the plugin. Variant 0: zero values; 1: typical values with
// escapes, unicode, every byte value and integers beyond double precision;
// 2: large (100 KB strings, 1 MiB bytes); 3: like 1, but services and
// capability methods answer with an error.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::roundtrip {

inline constexpr int kVariants = 4;
inline constexpr int kErrorVariant = 3;

inline std::string SampleString(int v, std::string_view name) {
  switch (v) {
    case 0: return "";
    case 2: return std::string(100000, 'x') + std::string(name);
    case 3: return "error variant " + std::string(name);
    default: return std::string(name) + " \xc3\xa9\xe2\x9c\x93 \"quoted\" <tag> & \\ back\nslash";
  }
}

inline std::string SampleBytes(int v, std::string_view name) {
  std::string out;
  if (v == 0) return out;
  if (v == 3) return "\x03error " + std::string(name);
  if (v == 2) {
    out.resize(1 << 20);
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>((i * 7 + name.size()) & 255);
    return out;
  }
  for (int i = 0; i < 256; ++i) out += static_cast<char>(i);
  return out + std::string(name);
}

inline bool SampleBool(int v, std::string_view) { return v == 1 || v == 2; }
inline int32_t SampleInt32(int v, std::string_view) {
  constexpr int32_t kValues[] = {0, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(), 3};
  return kValues[v];
}
inline int64_t SampleInt64(int v, std::string_view) {
  constexpr int64_t kValues[] = {0, 9007199254740993, std::numeric_limits<int64_t>::min(), 3};
  return kValues[v];
}
inline uint32_t SampleUint32(int v, std::string_view) {
  constexpr uint32_t kValues[] = {0, std::numeric_limits<uint32_t>::max(), 2147483648u, 3};
  return kValues[v];
}
inline float SampleFloat32(int v, std::string_view) { return v == 0 ? 0.0f : v == 1 ? 0.1f : v == 2 ? -3.25e20f : 3.0f; }
inline double SampleFloat64(int v, std::string_view) {
  return v == 0 ? 0.0 : v == 1 ? 3.141592653589793 : v == 2 ? -1e-300 : 3.0;
}

template <typename F>
auto SampleList(int v, F elem) -> std::vector<decltype(elem(v))> {
  std::vector<decltype(elem(v))> out;
  // Large lists: 50 elements, the first large and the rest typical, so a
  // list of records holding 1 MiB byte fields stays within guest memory.
  const int n = v == 0 ? 0 : v == 2 ? 50 : 2;
  for (int i = 0; i < n; ++i) out.push_back(elem(v == 2 && i > 0 ? 1 : v));
  return out;
}

template <typename F>
auto SampleMap(int v, F elem) -> std::map<std::string, decltype(elem(v))> {
  std::map<std::string, decltype(elem(v))> out;
  if (v == 0) return out;
  out["first"] = elem(v);
  out["Second key \xc3\xa9"] = elem(v);
  return out;
}

template <typename F>
auto SampleOptional(int v, F elem) -> std::optional<decltype(elem(v))> {
  if (v == 0) return std::nullopt;
  return elem(v);
}

}  // namespace pier::roundtrip
