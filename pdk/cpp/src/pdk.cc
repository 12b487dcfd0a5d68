#include "pier/pdk.h"

#include <cstring>

#include "pier/pdk/extism.h"
#include "pier/pdk/json.h"

namespace pier::pdk {

namespace {

// Reads n bytes 8 at a time (then byte by byte), as every Extism PDK does.
template <typename Load64, typename Load8>
std::string ReadBytes(uint64_t n, Load64 load64, Load8 load8) {
  std::string out(n, '\0');
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t word = load64(i);
    std::memcpy(out.data() + i, &word, 8);
  }
  for (; i < n; ++i) out[i] = static_cast<char>(load8(i));
  return out;
}

}  // namespace

namespace memory {

uint64_t Store(std::string_view bytes) {
  if (bytes.empty()) return 0;
  const uint64_t h = pier_extism_alloc(bytes.size());
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    pier_extism_store_u64(h + i, word);
  }
  for (; i < bytes.size(); ++i) pier_extism_store_u8(h + i, static_cast<uint8_t>(bytes[i]));
  return h;
}

std::string Load(uint64_t handle) {
  if (handle == 0) return {};
  return ReadBytes(
      pier_extism_length(handle), [handle](uint64_t i) { return pier_extism_load_u64(handle + i); },
      [handle](uint64_t i) { return pier_extism_load_u8(handle + i); });
}

void Free(uint64_t handle) { pier_extism_free(handle); }

}  // namespace memory

std::string Input() {
  return ReadBytes(pier_extism_input_length(), pier_extism_input_load_u64, pier_extism_input_load_u8);
}

void Output(std::string_view bytes) { pier_extism_output_set(memory::Store(bytes), bytes.size()); }

void SetError(std::string_view message) { pier_extism_error_set(memory::Store(message)); }

int32_t RunFunction(Result<std::string> (*fn)(std::string_view input)) {
  const std::string input = Input();
  Result<std::string> out = fn(input);
  if (out.ok()) {
    Output(*out);
    return 0;
  }
  SetError(out.status().message());
  return out.status().code() == StatusCode::kUnimplemented ? -2 : -1;
}

std::optional<std::string> Config(std::string_view key) {
  const uint64_t k = memory::Store(key);
  const uint64_t v = pier_extism_config_get(k);
  memory::Free(k);
  if (v == 0) return std::nullopt;
  std::string value = memory::Load(v);
  memory::Free(v);
  return value;
}

std::optional<std::string> GetVar(std::string_view key) {
  const uint64_t v = pier_extism_var_get(memory::Store(key));  // the host frees the key
  if (v == 0) return std::nullopt;
  std::string value = memory::Load(v);
  memory::Free(v);
  return value;
}

void SetVar(std::string_view key, std::string_view value) {
  pier_extism_var_set(memory::Store(key), memory::Store(value));
}

void DeleteVar(std::string_view key) { pier_extism_var_set(memory::Store(key), 0); }

void Log(LogLevel level, std::string_view message) {
  if (level < CurrentLogLevel()) return;
  const uint64_t m = memory::Store(message);
  switch (level) {
    case LogLevel::kTrace: pier_extism_log_trace(m); break;
    case LogLevel::kDebug: pier_extism_log_debug(m); break;
    case LogLevel::kInfo: pier_extism_log_info(m); break;
    case LogLevel::kWarn: pier_extism_log_warn(m); break;
    default: pier_extism_log_error(m); break;
  }
}

LogLevel CurrentLogLevel() { return static_cast<LogLevel>(pier_extism_get_log_level()); }

Result<HttpResponse> Send(const HttpRequest& request) {
  nlohmann::json req = {{"url", request.url}, {"method", request.method}, {"headers", nlohmann::json::object()}};
  for (const auto& [name, value] : request.headers) req["headers"][name] = value;
  const uint64_t body = memory::Store(request.body);
  const uint64_t h = pier_extism_http_request(memory::Store(ToJson(req)), body);
  HttpResponse response;
  response.status = pier_extism_http_status_code();
  response.body = memory::Load(h);
  memory::Free(h);
  if (const uint64_t hh = pier_extism_http_headers(); hh != 0) {
    PIER_ASSIGN_OR_RETURN(nlohmann::json headers, ParseJson(memory::Load(hh)));
    memory::Free(hh);
    if (headers.is_object()) {
      for (auto& [name, value] : headers.items()) {
        if (value.is_string()) response.headers[name] = value.get<std::string>();
      }
    }
  }
  return response;
}

}  // namespace pier::pdk
