// Cache files: the envelope of the module cache's and the snapshot cache's
// entries — an 8-byte magic, the header's length (u32, little-endian), the
// header (text lines `name=value`), then the payload. Written beside the entry
// and renamed into place, so a reader never sees half a file.
//
//   WriteCacheFile(path, "PIERMOD1", header, payload, "module cache");
//   CacheFile f;
//   std::string why;
//   if (ReadCacheFile(path, "PIERMOD1", 4096, &f, &why) && why.empty()) use(f.header, f.payload);
//
// Thread-compatible (functions of their arguments only).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pier::internal {

struct CacheFile {
  std::string bytes;  // the whole file
  std::string_view header;
  std::string_view payload;
};

// False when there is no such file. Otherwise true, with `why` set when the
// file is not an entry of this kind or is truncated (then `out` is unset).
bool ReadCacheFile(const std::filesystem::path& path, std::string_view magic, size_t max_header, CacheFile* out,
                   std::string* why);

// Writes the entry; on failure logs (naming `what`) and leaves nothing behind.
void WriteCacheFile(const std::filesystem::path& path, std::string_view magic, std::string_view header,
                    std::string_view payload, std::string_view what);

// The value of header line `name=value`, or nullopt.
std::optional<std::string> CacheHeaderValue(std::string_view header, std::string_view name);

}  // namespace pier::internal
