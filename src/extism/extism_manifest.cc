#include "pier/extism_manifest.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "http/http_client.h"
#include "pier/wire/gojson.h"

namespace pier {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxModules = 64;
constexpr uint64_t kMaxModuleBytes = 512ull << 20;
constexpr std::chrono::seconds kUrlDeadline{60};

Status Bad(const std::string& what) { return InvalidArgumentError("Extism manifest: " + what); }

Result<std::string> ReadFileBytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return NotFoundError("no such file: " + path.string());
  if (std::filesystem::file_size(path, ec) > kMaxModuleBytes) {
    return ResourceExhaustedError(path.string() + " is larger than " + std::to_string(kMaxModuleBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

Result<uint64_t> Unsigned(const Json& j, const std::string& field, uint64_t max) {
  if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<int64_t>() >= 0)) {
    return Bad("'" + field + "' must be a non-negative integer");
  }
  const uint64_t v = j.get<uint64_t>();
  if (v > max) return Bad("'" + field + "' is " + std::to_string(v) + ", more than " + std::to_string(max));
  return v;
}

// The bytes of one `wasm` entry.
Result<ExtismModule> ReadModule(const Json& entry, size_t index, const std::filesystem::path& base_dir,
                                const ExtismManifestOptions& options) {
  const std::string where = "wasm[" + std::to_string(index) + "]";
  if (!entry.is_object()) return Bad(where + " must be an object");
  ExtismModule m;
  if (auto it = entry.find("name"); it != entry.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) return Bad(where + ".name must be a non-empty string");
    m.name = it->get<std::string>();
  }
  const int sources = entry.contains("path") + entry.contains("data") + entry.contains("url");
  if (sources != 1) return Bad(where + " needs exactly one of 'path', 'data' or 'url'");
  if (auto it = entry.find("path"); it != entry.end()) {
    if (!it->is_string()) return Bad(where + ".path must be a string");
    std::filesystem::path path = it->get<std::string>();
    if (path.is_relative()) path = base_dir / path;
    auto bytes = options.read_module ? options.read_module(path) : ReadFileBytes(path);
    if (!bytes.ok()) return bytes.status().WithContext("Extism manifest " + where);
    m.bytes = std::move(*bytes);
    m.source = path.string();
  } else if (auto it = entry.find("data"); it != entry.end()) {
    if (it->is_string()) {
      auto bytes = wire::Base64Decode(it->get<std::string>());
      if (!bytes.ok()) return Bad(where + ".data: " + bytes.status().message());
      m.bytes = std::move(*bytes);
    } else if (it->is_array()) {  // a byte array, as some kits serialise it
      for (const Json& b : *it) {
        if (!b.is_number_unsigned() || b.get<uint64_t>() > 255) return Bad(where + ".data holds a non-byte");
        m.bytes.push_back(static_cast<char>(b.get<uint64_t>()));
      }
    } else {
      return Bad(where + ".data must be base64 text or an array of bytes");
    }
    m.source = "inline data of " + where;
  } else {
    const Json& url = entry["url"];
    if (!url.is_string()) return Bad(where + ".url must be a string");
    if (!options.allow_urls) {
      return PermissionDeniedError("Extism manifest " + where + " names a URL (" + url.get<std::string>() +
                                   "); fetching modules is off: download it and use 'path', or allow URLs");
    }
    http::ClientRequest request;
    request.url = url.get<std::string>();
    if (auto m_it = entry.find("method"); m_it != entry.end() && m_it->is_string()) request.method = *m_it;
    if (auto h = entry.find("headers"); h != entry.end() && h->is_object()) {
      for (auto& [k, v] : h->items()) {
        if (v.is_string()) request.headers.emplace_back(k, v.get<std::string>());
      }
    }
    http::ClientLimits limits;
    limits.max_body_bytes = kMaxModuleBytes;
    limits.deadline = std::chrono::steady_clock::now() + kUrlDeadline;
    auto response = http::NewCurlHttpClient()->Send(request, limits);
    if (!response.ok()) return response.status().WithContext("Extism manifest " + where + " fetching " + request.url);
    if (response->status != 200) {
      return UnavailableError("Extism manifest " + where + ": " + request.url + " answered " +
                              std::to_string(response->status));
    }
    m.bytes = std::move(response->body);
    m.source = request.url;
  }
  if (auto it = entry.find("hash"); it != entry.end() && !it->is_null()) {
    if (!it->is_string()) return Bad(where + ".hash must be a hex SHA-256");
    std::string want = it->get<std::string>();
    for (char& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string got = internal::Sha256Hex(m.bytes);
    if (want != got) {
      return DataLossError("Extism manifest " + where + " (" + m.source + "): SHA-256 is " + got +
                           ", the manifest says " + want);
    }
  }
  return m;
}

}  // namespace

Result<DirectoryMount> MakeAllowedPath(std::string_view host_spec, std::string_view guest,
                                       const std::filesystem::path& base_dir) {
  DirectoryMount mount;
  mount.read_only = host_spec.rfind("ro:", 0) == 0;
  std::filesystem::path host_path(host_spec.substr(mount.read_only ? 3 : 0));
  if (!base_dir.empty() && host_path.is_relative()) host_path = base_dir / host_path;
  const std::string host = host_path.string();
  std::error_code ec;
  if (host.empty() || !std::filesystem::is_directory(host, ec)) {
    return InvalidArgumentError("'" + host + "' is not a directory");
  }
  if (access(host.c_str(), R_OK | X_OK) != 0) return PermissionDeniedError("'" + host + "' cannot be read");
  mount.host = std::filesystem::canonical(host, ec);
  if (ec) return InvalidArgumentError("'" + host + "': " + ec.message());
  mount.guest = guest.empty() ? mount.host.string() : std::string(guest);
  if (mount.guest[0] != '/') return InvalidArgumentError("the guest path '" + mount.guest + "' must be absolute");
  for (const auto& part : std::filesystem::path(mount.guest)) {
    if (part == "..") return InvalidArgumentError("the guest path '" + mount.guest + "' must not contain '..'");
  }
  return mount;
}

size_t ExtismManifest::main_index() const {
  for (size_t i = 0; i < modules.size(); ++i) {
    if (modules[i].name == "main") return i;
  }
  return modules.empty() ? 0 : modules.size() - 1;
}

void ExtismManifest::ApplyTo(PluginOptions& options) const {
  for (const auto& [k, v] : config) options.config[k] = v;
  if (allowed_hosts) options.allowed_hosts = *allowed_hosts;
  options.mounts.insert(options.mounts.end(), allowed_paths.begin(), allowed_paths.end());
  if (max_pages) options.max_memory_bytes = *max_pages * PluginOptions::kWasmPage;
  if (max_http_response_bytes) options.max_http_response_bytes = *max_http_response_bytes;
  if (max_var_bytes) options.max_var_bytes = *max_var_bytes;
  if (timeout_ms) options.timeout = std::chrono::milliseconds(*timeout_ms);
}

Result<ExtismManifest> ParseExtismManifest(std::string_view text, const std::filesystem::path& base_dir,
                                           const ExtismManifestOptions& options) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not valid JSON");
  if (!j.is_object()) return Bad("must be a JSON object");
  ExtismManifest m;

  auto wasm = j.find("wasm");
  if (wasm == j.end() || !wasm->is_array() || wasm->empty()) return Bad("'wasm' must list at least one module");
  if (wasm->size() > kMaxModules) return Bad("more than " + std::to_string(kMaxModules) + " modules");
  for (size_t i = 0; i < wasm->size(); ++i) {
    PIER_ASSIGN_OR_RETURN(ExtismModule module, ReadModule((*wasm)[i], i, base_dir, options));
    m.modules.push_back(std::move(module));
  }
  // Unnamed modules: the last one is "main" when nothing else is; the others
  // cannot be linked against, so they get a name nobody imports.
  for (size_t i = 0; i < m.modules.size(); ++i) {
    if (!m.modules[i].name.empty()) continue;
    m.modules[i].name = i + 1 == m.modules.size() ? "main" : "wasm[" + std::to_string(i) + "]";
  }
  for (size_t i = 0; i < m.modules.size(); ++i) {
    for (size_t k = i + 1; k < m.modules.size(); ++k) {
      if (m.modules[i].name == m.modules[k].name) return Bad("two modules are named '" + m.modules[i].name + "'");
    }
  }

  if (auto it = j.find("config"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("'config' must be an object of strings");
    for (auto& [k, v] : it->items()) {
      if (!v.is_string()) return Bad("config '" + k + "' is not a string");
      m.config[k] = v.get<std::string>();
    }
  }
  if (auto it = j.find("allowed_hosts"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("'allowed_hosts' must be an array of strings");
    std::vector<std::string> hosts;
    for (const Json& h : *it) {
      if (!h.is_string()) return Bad("'allowed_hosts' holds a non-string");
      hosts.push_back(h.get<std::string>());
    }
    m.allowed_hosts = std::move(hosts);
  }
  if (auto it = j.find("allowed_paths"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("'allowed_paths' must map host paths to guest paths");
    for (auto& [host, guest] : it->items()) {
      if (!guest.is_string()) return Bad("allowed_paths '" + host + "' must map to a guest path");
      auto mount = MakeAllowedPath(host, guest.get<std::string>(), base_dir);
      if (!mount.ok()) return Bad("allowed_paths: " + mount.status().message());
      m.allowed_paths.push_back(std::move(*mount));
    }
  }
  if (auto it = j.find("memory"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("'memory' must be an object");
    if (auto f = it->find("max_pages"); f != it->end() && !f->is_null()) {
      PIER_ASSIGN_OR_RETURN(uint64_t pages, Unsigned(*f, "memory.max_pages", PluginOptions::kMaxWasmPages));
      if (pages == 0) return Bad("'memory.max_pages' must be at least 1");
      m.max_pages = pages;
    }
    if (auto f = it->find("max_http_response_bytes"); f != it->end() && !f->is_null()) {
      PIER_ASSIGN_OR_RETURN(m.max_http_response_bytes, Unsigned(*f, "memory.max_http_response_bytes", 1ull << 40));
    }
    if (auto f = it->find("max_var_bytes"); f != it->end() && !f->is_null()) {
      PIER_ASSIGN_OR_RETURN(m.max_var_bytes, Unsigned(*f, "memory.max_var_bytes", 1ull << 40));
    }
  }
  if (auto it = j.find("timeout_ms"); it != j.end() && !it->is_null()) {
    PIER_ASSIGN_OR_RETURN(m.timeout_ms, Unsigned(*it, "timeout_ms", 365ull * 24 * 3600 * 1000));
  }
  return m;
}

Result<ExtismManifest> ReadExtismManifest(const std::filesystem::path& file, const ExtismManifestOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFoundError("cannot read Extism manifest " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseExtismManifest(ss.str(), file.parent_path().empty() ? "." : file.parent_path(), options);
}

}  // namespace pier
