#include "runtime/cache_file.h"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>

namespace pier::internal {

bool ReadCacheFile(const std::filesystem::path& path, std::string_view magic, size_t max_header, CacheFile* out,
                   std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out->bytes = std::move(ss).str();
  const std::string_view file = out->bytes;
  why->clear();
  if (file.size() < magic.size() + 4 || file.substr(0, magic.size()) != magic) {
    *why = "not a Pier cache entry";
    return true;
  }
  uint32_t header_len;
  std::memcpy(&header_len, file.data() + magic.size(), 4);
  const size_t header_at = magic.size() + 4;
  if (header_len > max_header || file.size() < header_at + header_len) {
    *why = "truncated header";
    return true;
  }
  out->header = file.substr(header_at, header_len);
  out->payload = file.substr(header_at + header_len);
  return true;
}

void WriteCacheFile(const std::filesystem::path& path, std::string_view magic, std::string_view header,
                    std::string_view payload, std::string_view what) {
  static std::atomic<uint64_t> serial{0};
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::string tmp =
      path.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial.fetch_add(1));
  const uint32_t header_len = static_cast<uint32_t>(header.size());
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file.write(magic.data(), static_cast<std::streamsize>(magic.size()));
    file.write(reinterpret_cast<const char*>(&header_len), 4);
    file.write(header.data(), static_cast<std::streamsize>(header.size()));
    file.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    if (!file) {
      spdlog::warn("{}: cannot write {}", what, tmp);
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    spdlog::warn("{}: cannot install {}: {}", what, path.string(), ec.message());
    std::filesystem::remove(tmp, ec);
  }
}

std::optional<std::string> CacheHeaderValue(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    const size_t nl = std::min(header.find('\n', pos), header.size());
    std::string_view line = header.substr(pos, nl - pos);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == '=') {
      return std::string(line.substr(name.size() + 1));
    }
    pos = nl + 1;
  }
  return std::nullopt;
}

}  // namespace pier::internal
