#include "services/config/config_service.h"
#include "pier/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace pier::services {

namespace {

// Go's strconv.FormatFloat(f, 'g', -1, 64) as encoding/json uses it: shortest
// round-trip digits, exponent form outside [1e-6, 1e21).
std::string GoFloat(double v) {
  if (v == 0) return "0";
  char buf[64];
  const double a = std::fabs(v);
  if (a < 1e21 && a >= 1e-6) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, end);  // e.g. "1e+21", "1.5e-07"
  // Go's encoder shortens a negative two-digit exponent with a leading zero: e-07 -> e-7.
  const size_t n = s.size();
  if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  return s;
}

std::string GoText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "null";
  if (v.is_number()) return GoFloat(v.get<double>());
  // nlohmann::json objects keep keys sorted, as Go's encoder does for maps.
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<std::map<std::string, std::string>> PluginConfigValues(std::string_view json_text) {
  std::map<std::string, std::string> out;
  if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  auto parsed = ParseJson(json_text);
  if (!parsed.ok()) return InvalidArgumentError("parsing plugin config: " + parsed.status().message());
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return InvalidArgumentError("parsing plugin config: expected a JSON object");
  for (auto& [k, v] : j.items()) out[k] = GoText(v);
  return out;
}

Result<wire::ConfigGetResponse> MapConfigService::Get(HostCallContext&, const wire::ConfigGetRequest& request) {
  wire::ConfigGetResponse out;
  if (auto it = values_.find(request.key); it != values_.end()) out = {it->second, true};
  return out;
}

Result<wire::ConfigGetIntResponse> MapConfigService::GetInt(HostCallContext&, const wire::ConfigGetIntRequest& request) {
  wire::ConfigGetIntResponse out;
  auto it = values_.find(request.key);
  if (it == values_.end()) return out;
  const std::string& s = it->second;
  int64_t v = 0;
  const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v, 10);
  if (ec == std::errc() && end == s.data() + s.size() && begin != end) out = {v, true};
  return out;
}

Result<wire::ConfigKeysResponse> MapConfigService::Keys(HostCallContext&, const wire::ConfigKeysRequest& request) {
  wire::ConfigKeysResponse out;
  for (auto it = values_.lower_bound(request.prefix); it != values_.end() && it->first.rfind(request.prefix, 0) == 0;
       ++it) {
    out.keys.push_back(it->first);
  }
  return out;
}

}  // namespace pier::services
