#include "kernel/kernel.h"

#include <algorithm>
#include "pier/json.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace pier::internal {

namespace {

std::string BadAddress(std::string_view function, int64_t addr, uint64_t n) {
  std::string m(function);
  m += ": handle/address " + std::to_string(addr);
  if (n > 1) m += " (+" + std::to_string(n) + " bytes)";
  m += " is not inside a live kernel memory block (bad, stale or out-of-range handle)";
  return m;
}

}  // namespace

Kernel::Kernel(std::shared_ptr<const KernelSettings> settings)
    : settings_(std::move(settings)), arena_(settings_->max_arena_bytes) {}

Status Kernel::BeginCall(std::string_view input, const CallState* call) {
  Reset();
  call_ = call;
  PIER_ASSIGN_OR_RETURN(input_, arena_.AllocBytes(input));
  input_length_ = input.size();
  return OkStatus();
}

void Kernel::Reset() {
  arena_.Reset();
  input_ = input_length_ = output_ = output_length_ = error_ = 0;
}

Result<std::string> Kernel::Output() {
  if (output_length_ == 0) return std::string();
  const uint8_t* p = arena_.Bytes(output_, output_length_);
  if (p == nullptr) {
    return DataLossError("output block at " + std::to_string(output_) +
                         " was freed or overwritten before the call returned");
  }
  return std::string(reinterpret_cast<const char*>(p), output_length_);
}

std::optional<std::string> Kernel::Error() const {
  if (error_ == 0) return std::nullopt;
  std::string_view text = arena_.Block(error_);
  if (text.empty()) return std::nullopt;
  return std::string(text);
}

Result<uint8_t*> Kernel::Access(std::string_view function, int64_t addr, uint64_t n) {
  uint8_t* p = addr > 0 ? arena_.Bytes(static_cast<uint64_t>(addr), n) : nullptr;
  if (p == nullptr) return InvalidArgumentError(BadAddress(function, addr, n));
  return p;
}

Result<uint64_t> Kernel::Alloc(int64_t n) {
  if (n < 0) return InvalidArgumentError("alloc: negative size " + std::to_string(n));
  auto h = arena_.Alloc(static_cast<uint64_t>(n));
  if (!h.ok()) return h.status().WithContext("alloc");
  return h;
}

int64_t Kernel::Length(int64_t h) const {
  return h > 0 ? static_cast<int64_t>(arena_.Length(static_cast<uint64_t>(h))) : 0;
}

Result<int32_t> Kernel::LoadU8(int64_t addr) {
  PIER_ASSIGN_OR_RETURN(uint8_t * p, Access("load_u8", addr, 1));
  return static_cast<int32_t>(*p);
}

Result<int64_t> Kernel::LoadU64(int64_t addr) {
  PIER_ASSIGN_OR_RETURN(uint8_t * p, Access("load_u64", addr, 8));
  int64_t v;
  std::memcpy(&v, p, 8);  // little-endian host, unaligned access allowed
  return v;
}

Status Kernel::StoreU8(int64_t addr, int32_t value) {
  PIER_ASSIGN_OR_RETURN(uint8_t * p, Access("store_u8", addr, 1));
  *p = static_cast<uint8_t>(value);
  return OkStatus();
}

Status Kernel::StoreU64(int64_t addr, int64_t value) {
  PIER_ASSIGN_OR_RETURN(uint8_t * p, Access("store_u64", addr, 8));
  std::memcpy(p, &value, 8);
  return OkStatus();
}

Result<int32_t> Kernel::InputLoadU8(int64_t offset) {
  if (offset < 0 || static_cast<uint64_t>(offset) >= input_length_) {
    return InvalidArgumentError("input_load_u8: offset " + std::to_string(offset) +
                                " is outside the input of " + std::to_string(input_length_) + " bytes");
  }
  return LoadU8(static_cast<int64_t>(input_) + offset);
}

Result<int64_t> Kernel::InputLoadU64(int64_t offset) {
  if (offset < 0 || input_length_ < 8 || static_cast<uint64_t>(offset) > input_length_ - 8) {
    return InvalidArgumentError("input_load_u64: offset " + std::to_string(offset) +
                                " is outside the input of " + std::to_string(input_length_) + " bytes");
  }
  return LoadU64(static_cast<int64_t>(input_) + offset);
}

Status Kernel::InputSet(int64_t h, int64_t length) {
  if (length < 0 || (length > 0 && arena_.Bytes(static_cast<uint64_t>(h), static_cast<uint64_t>(length)) == nullptr)) {
    return InvalidArgumentError(BadAddress("input_set", h, static_cast<uint64_t>(length)));
  }
  input_ = static_cast<uint64_t>(h);
  input_length_ = static_cast<uint64_t>(length);
  return OkStatus();
}

Status Kernel::OutputSet(int64_t addr, int64_t length) {
  if (length < 0) return InvalidArgumentError("output_set: negative length " + std::to_string(length));
  if (length > 0) PIER_RETURN_IF_ERROR(Access("output_set", addr, static_cast<uint64_t>(length)).status());
  output_ = static_cast<uint64_t>(addr);
  output_length_ = static_cast<uint64_t>(length);
  return OkStatus();
}

Status Kernel::ErrorSet(int64_t h) {
  if (h == 0) {
    error_ = 0;
    return OkStatus();
  }
  if (Length(h) == 0) {
    return InvalidArgumentError(BadAddress("error_set", h, 0));
  }
  error_ = static_cast<uint64_t>(h);
  return OkStatus();
}

Result<std::string_view> Kernel::ReadBlock(std::string_view function, int64_t h) const {
  if (h == 0) return std::string_view();
  if (h < 0 || arena_.Length(static_cast<uint64_t>(h)) == 0) {
    // A live empty block cannot exist (alloc(0) returns 0), so length 0 means "no block".
    return InvalidArgumentError(BadAddress(function, h, 0));
  }
  return arena_.Block(static_cast<uint64_t>(h));
}

Result<int64_t> Kernel::ConfigGet(int64_t key) {
  PIER_ASSIGN_OR_RETURN(std::string_view k, ReadBlock("config_get", key));
  auto it = settings_->config.find(std::string(k));
  if (it == settings_->config.end() || it->second.empty()) return int64_t{0};
  auto h = arena_.AllocBytes(it->second);
  if (!h.ok()) return h.status().WithContext("config_get");
  return static_cast<int64_t>(*h);
}

Result<int64_t> Kernel::VarGet(int64_t key) {
  PIER_ASSIGN_OR_RETURN(std::string_view k, ReadBlock("var_get", key));
  auto it = vars_.find(k);
  arena_.Release(static_cast<uint64_t>(key));
  if (it == vars_.end()) return int64_t{0};
  auto h = arena_.AllocBytes(it->second);
  if (!h.ok()) return h.status().WithContext("var_get");
  return static_cast<int64_t>(*h);
}

Status Kernel::VarSet(int64_t key, int64_t value) {
  PIER_ASSIGN_OR_RETURN(std::string_view k, ReadBlock("var_set", key));
  PIER_ASSIGN_OR_RETURN(std::string_view v, ReadBlock("var_set", value));
  PIER_RETURN_IF_ERROR(PutVar(k, value != 0 ? std::optional<std::string_view>(v) : std::nullopt).WithContext("var_set"));
  arena_.Release(static_cast<uint64_t>(key));
  arena_.Release(static_cast<uint64_t>(value));
  return OkStatus();
}

std::optional<std::string> Kernel::Var(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

Status Kernel::PutVar(std::string_view name, std::optional<std::string_view> value) {
  const uint64_t cap = settings_->max_var_bytes;
  if (cap == 0) return FailedPreconditionError("vars are disabled for this plugin (max_var_bytes = 0)");
  uint64_t total = var_bytes_;
  auto it = vars_.find(name);
  if (it != vars_.end()) total -= it->first.size() + it->second.size();
  if (value) {
    total += name.size() + value->size();
    if (total > cap) {
      return ResourceExhaustedError("vars would take " + std::to_string(total) + " bytes, over the limit of " +
                                    std::to_string(cap) + " (max_var_bytes)");
    }
    vars_[std::string(name)] = std::string(*value);
  } else if (it != vars_.end()) {
    vars_.erase(it);
  }
  var_bytes_ = total;
  return OkStatus();
}

void Kernel::ClearVars() {
  vars_.clear();
  var_bytes_ = 0;
}

Status Kernel::Log(LogLevel level, int64_t message) {
  static constexpr std::string_view kNames[] = {"log_trace", "log_debug", "log_info", "log_warn", "log_error"};
  PIER_ASSIGN_OR_RETURN(std::string_view text, ReadBlock(kNames[static_cast<int>(level)], message));
  if (level >= settings_->log_level && settings_->log_level != LogLevel::kOff) {
    settings_->log_sink(level, settings_->plugin_name, text);
  }
  arena_.Release(static_cast<uint64_t>(message));
  return OkStatus();
}

Result<int64_t> Kernel::HttpRequest(int64_t request, int64_t body) {
  PIER_ASSIGN_OR_RETURN(std::string_view req_text, ReadBlock("http_request", request));
  PIER_ASSIGN_OR_RETURN(std::string_view body_bytes, ReadBlock("http_request", body));
  nlohmann::json req = ParseJsonOrNull(req_text);
  if (!req.is_object() || !req.contains("url") || !req["url"].is_string()) {
    return InvalidArgumentError("http_request: the request must be a JSON object with a string \"url\"");
  }
  http::ClientRequest out;
  out.url = req["url"].get<std::string>();
  if (auto m = req.find("method"); m != req.end() && m->is_string() && !m->get<std::string>().empty()) {
    out.method = m->get<std::string>();
  }
  if (auto hs = req.find("headers"); hs != req.end() && hs->is_object()) {
    for (auto& [name, value] : hs->items()) {
      if (value.is_string()) out.headers.emplace_back(name, value.get<std::string>());
    }
  }
  out.body = std::string(body_bytes);
  arena_.Release(static_cast<uint64_t>(request));
  arena_.Release(static_cast<uint64_t>(body));

  PIER_ASSIGN_OR_RETURN(std::string host, http::UrlHost(out.url));
  if (!settings_->allowed_hosts.Allows(host)) {
    return PermissionDeniedError("http_request: host '" + host + "' is not allowed" +
                                 (settings_->allowed_hosts.empty() ? " (the plugin has no allowed hosts)"
                                                                   : " (not in allowed_hosts)"));
  }
  http::ClientLimits limits;
  limits.max_body_bytes = settings_->max_http_response_bytes;
  if (call_ != nullptr) {
    limits.deadline = call_->deadline;
    limits.cancelled = [call = call_] { return call->cancelled(); };
  }
  auto response = settings_->http->Send(out, limits);
  if (!response.ok()) {
    if (call_ != nullptr) PIER_RETURN_IF_ERROR(call_->CheckInterrupted());
    return response.status().WithContext("http_request to " + host);
  }

  http_status_ = response->status;
  if (settings_->http_response_headers) {
    nlohmann::json headers = nlohmann::json::object();
    // Names lower-cased and repeated values joined with ',', as Extism's hosts give them.
    for (auto& [name, value] : response->headers) {
      std::string key = name;
      std::transform(key.begin(), key.end(), key.begin(), ::tolower);
      auto& slot = headers[key];
      slot = slot.is_string() ? slot.get<std::string>() + "," + value : value;
    }
    http_headers_json_ = headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  auto h = arena_.AllocBytes(response->body);
  if (!h.ok()) return h.status().WithContext("http_request");
  return static_cast<int64_t>(*h);
}

Result<int64_t> Kernel::HttpHeaders() {
  if (!settings_->http_response_headers || http_headers_json_.empty()) return int64_t{0};
  auto h = arena_.AllocBytes(http_headers_json_);
  if (!h.ok()) return h.status().WithContext("http_headers");
  return static_cast<int64_t>(*h);
}

}  // namespace pier::internal
