#include "package/package.h"

#include <sys/stat.h>
#include <zip.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "common/sha256.h"

namespace pier {

namespace {

constexpr std::string_view kManifest = "manifest.json";
constexpr std::string_view kWasm = "plugin.wasm";

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// Why an entry name is unsafe, or empty when it is fine.
std::string UnsafeName(std::string_view name) {
  if (name.empty()) return "has an empty name";
  if (name.front() == '/' || (name.size() >= 2 && name[1] == ':')) return "has an absolute path";
  if (name.find('\\') != std::string_view::npos) return "contains a backslash";
  if (name.find('\0') != std::string_view::npos) return "contains a NUL byte";
  size_t start = 0;
  while (start <= name.size()) {
    const size_t end = std::min(name.find('/', start), name.size());
    if (name.substr(start, end - start) == "..") return "escapes the package folder (\"..\")";
    start = end + 1;
  }
  return "";
}

bool ReadFile(const std::filesystem::path& path, uint64_t max, std::string* out, std::string* error) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    *error = "missing " + path.filename().string();
    return false;
  }
  if (S_ISLNK(st.st_mode)) {
    *error = path.filename().string() + " is a symbolic link";
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = path.filename().string() + " is not a regular file";
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > max) {
    *error = path.filename().string() + " is " + std::to_string(st.st_size) + " bytes, over the limit of " +
             std::to_string(max);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = std::move(ss).str();
  return true;
}

class ZipReader {
 public:
  ZipReader(const PackageLimits& limits) : limits_(limits) {}

  Status Open(const std::filesystem::path& path) {
    int error = 0;
    // Not ZIP_CHECKCONS: archives written with data descriptors (streaming
    // writers, CMake's) fail it, yet the original host reads them. Sizes are
    // checked while reading instead (Read()).
    zip_.reset(zip_open(path.c_str(), ZIP_RDONLY, &error));
    if (!zip_ && error == ZIP_ER_EXISTS) {
      return InvalidArgumentError("has duplicate entries (two entries with the same name)");
    }
    if (!zip_) {
      zip_error_t ze;
      zip_error_init_with_code(&ze, error);
      std::string why = zip_error_strerror(&ze);
      zip_error_fini(&ze);
      return InvalidArgumentError("not a readable ZIP archive (" + why + ")");
    }
    return OkStatus();
  }

  // Checks every entry; remembers the indexes of the two members.
  Status Scan() {
    const zip_int64_t n = zip_get_num_entries(zip_.get(), 0);
    if (n < 0 || n > limits_.max_entries) {
      return InvalidArgumentError("has " + std::to_string(n) + " entries, over the limit of " +
                                  std::to_string(limits_.max_entries));
    }
    std::set<std::string> seen;
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      zip_stat_init(&st);
      if (zip_stat_index(zip_.get(), i, ZIP_FL_ENC_RAW, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) {
        return InvalidArgumentError("entry " + std::to_string(i) + " cannot be read");
      }
      const std::string name = st.name;
      if (std::string why = UnsafeName(name); !why.empty()) {
        return InvalidArgumentError("entry \"" + name + "\" " + why);
      }
      if (!seen.insert(name).second) {
        return InvalidArgumentError("has duplicate entries (\"" + name + "\" appears twice)");
      }
      zip_uint8_t opsys;
      zip_uint32_t attributes;
      if (zip_file_get_external_attributes(zip_.get(), i, 0, &opsys, &attributes) == 0 &&
          opsys == ZIP_OPSYS_UNIX && S_ISLNK(attributes >> 16)) {
        return InvalidArgumentError("entry \"" + name + "\" is a symbolic link");
      }
      if (name == kManifest) manifest_ = i;
      if (name == kWasm) wasm_ = i;
    }
    if (manifest_ < 0) return InvalidArgumentError("package missing manifest.json");
    if (wasm_ < 0) return InvalidArgumentError("package missing plugin.wasm");
    return OkStatus();
  }

  Status Read(zip_int64_t index, std::string_view name, uint64_t max, std::string* out, bool check_only = false) {
    zip_stat_t st;
    zip_stat_init(&st);
    zip_stat_index(zip_.get(), index, 0, &st);
    if (st.size > max) {
      return InvalidArgumentError(std::string(name) + " is " + std::to_string(st.size) +
                                  " bytes, over the limit of " + std::to_string(max));
    }
    if (st.comp_size > 0 && st.size / st.comp_size > limits_.max_compression_ratio) {
      return InvalidArgumentError(std::string(name) + " expands " + std::to_string(st.size / st.comp_size) +
                                  " times: refused as a likely zip bomb");
    }
    if (check_only) return OkStatus();
    std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen_index(zip_.get(), index, 0));
    if (!f) return InvalidArgumentError(std::string(name) + " cannot be opened: " + zip_strerror(zip_.get()));
    out->clear();
    char buf[1 << 16];
    zip_int64_t got;
    // Never trust the declared size: stop as soon as the data exceeds it.
    while ((got = zip_fread(f.get(), buf, sizeof buf)) > 0) {
      if (out->size() + static_cast<uint64_t>(got) > std::min<uint64_t>(max, st.size)) {
        return InvalidArgumentError(std::string(name) + " holds more data than it declares");
      }
      out->append(buf, static_cast<size_t>(got));
    }
    if (got < 0) return InvalidArgumentError(std::string(name) + " is damaged: " + zip_file_strerror(f.get()));
    return OkStatus();
  }

  zip_int64_t manifest() const { return manifest_; }
  zip_int64_t wasm() const { return wasm_; }

 private:
  const PackageLimits& limits_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
  zip_int64_t manifest_ = -1;
  zip_int64_t wasm_ = -1;
};

Status ReadArchive(const std::filesystem::path& path, bool manifest_only, const PackageLimits& limits, Package* p) {
  ZipReader zip(limits);
  PIER_RETURN_IF_ERROR(zip.Open(path));
  PIER_RETURN_IF_ERROR(zip.Scan());
  PIER_RETURN_IF_ERROR(zip.Read(zip.manifest(), kManifest, limits.max_manifest_bytes, &p->manifest_text));
  PIER_RETURN_IF_ERROR(zip.Read(zip.wasm(), kWasm, limits.max_wasm_bytes, &p->wasm, manifest_only));
  std::string whole, error;
  if (!ReadFile(path, limits.max_wasm_bytes + limits.max_manifest_bytes + (64 << 20), &whole, &error)) {
    return InvalidArgumentError(error);
  }
  p->sha256 = internal::Sha256Hex(whole);
  return OkStatus();
}

Status ReadFolder(const std::filesystem::path& dir, bool manifest_only, const PackageLimits& limits, Package* p) {
  std::string error;
  if (!ReadFile(dir / kManifest, limits.max_manifest_bytes, &p->manifest_text, &error)) {
    return InvalidArgumentError(error.rfind("missing ", 0) == 0 ? "package missing manifest.json" : error);
  }
  std::string wasm;
  if (!ReadFile(dir / kWasm, limits.max_wasm_bytes, &wasm, &error)) {
    return InvalidArgumentError(error.rfind("missing ", 0) == 0 ? "package missing plugin.wasm" : error);
  }
  p->sha256 = internal::Sha256Hex(p->manifest_text + wasm);
  if (!manifest_only) p->wasm = std::move(wasm);
  return OkStatus();
}

}  // namespace

bool LooksLikePackage(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return std::filesystem::exists(path / kManifest, ec);
  const std::string name = path.filename().string();
  return name.size() > kPackageExtension.size() &&
         name.compare(name.size() - kPackageExtension.size(), kPackageExtension.size(), kPackageExtension) == 0;
}

std::string PluginIdFor(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return path.stem().string();
  // "plugins/x/" names folder x too.
  return path.has_filename() ? path.filename().string() : path.parent_path().filename().string();
}

Result<Package> OpenPackage(const std::filesystem::path& path, bool manifest_only, const PackageLimits& limits) {
  const std::string where = "opening package " + path.string();
  Package p;
  p.path = path;
  std::error_code ec;
  const bool folder = std::filesystem::is_directory(path, ec);
  p.id = PluginIdFor(path);
  PIER_RETURN_IF_ERROR(ValidatePluginId(p.id).WithContext(where));
  if (!folder && !std::filesystem::exists(path, ec)) return NotFoundError(where + ": no such file");
  Status st = folder ? ReadFolder(path, manifest_only, limits, &p) : ReadArchive(path, manifest_only, limits, &p);
  PIER_RETURN_IF_ERROR(st.WithContext(where));
  auto manifest = ParseManifest(p.manifest_text);
  if (!manifest.ok()) return manifest.status().WithContext(where);
  p.manifest = std::move(*manifest);
  return p;
}

}  // namespace pier
