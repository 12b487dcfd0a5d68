#include "runtime/module_cache.h"

#include <spdlog/spdlog.h>

#include "common/sha256.h"
#include "runtime/cache_file.h"

namespace pier::internal {

namespace {

constexpr std::string_view kMagic = "PIERMOD1";
constexpr size_t kMaxHeader = 4096;
// Modules kept compiled in memory; beyond this the map is simply cleared
// (plugins hold their own reference, so nothing in use is lost).
constexpr size_t kMaxInMemory = 256;

std::string_view AsChars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string Header(const EngineFlavor& engine, const std::string& wasm_sha, size_t payload_len,
                   const std::string& payload_sha) {
  return "format=1\nengine=" + engine.fingerprint + "\nwasm_sha256=" + wasm_sha +
         "\npayload_length=" + std::to_string(payload_len) + "\npayload_sha256=" + payload_sha + "\n";
}

}  // namespace

std::filesystem::path ModuleCache::EntryPath(const EngineFlavor& engine, const std::string& wasm_sha) const {
  if (dir_.empty()) return {};
  const std::string key = wasm_sha + "-" + Sha256Hex(engine.fingerprint).substr(0, 16);
  return dir_ / (key + ".cwasm");
}

Result<SharedModule> ModuleCache::Get(const EngineFlavor& engine, std::span<const uint8_t> wasm,
                                      std::string wasm_sha) {
  if (wasm_sha.empty()) wasm_sha = Sha256Hex(AsChars(wasm));
  const std::string memory_key = engine.fingerprint + "|" + wasm_sha;
  {
    MutexLock lock(mu_);
    if (auto it = memory_.find(memory_key); it != memory_.end()) {
      stats_.memory_hits++;
      return it->second;
    }
  }
  const std::filesystem::path path = EntryPath(engine, wasm_sha);
  SharedModule module;
  if (!path.empty()) module = LoadEntry(engine, wasm_sha, path);
  if (!module) {
    wasmtime_module_t* raw = nullptr;
    if (wasmtime_error_t* e = wasmtime_module_new(engine.engine.get(), wasm.data(), wasm.size(), &raw)) {
      return InvalidArgumentError("invalid Wasm module: " + OneLine(TakeErrorMessage(e)));
    }
    module = ShareModule(raw);
    stats_.compiled++;
    if (!path.empty()) StoreEntry(engine, wasm_sha, path, module.get());
  }
  MutexLock lock(mu_);
  if (memory_.size() >= kMaxInMemory) memory_.clear();
  memory_.emplace(memory_key, module);
  return module;
}

SharedModule ModuleCache::LoadEntry(const EngineFlavor& engine, const std::string& wasm_sha,
                                   const std::filesystem::path& path) {
  CacheFile file;
  std::string why;
  if (!ReadCacheFile(path, kMagic, kMaxHeader, &file, &why)) return nullptr;  // no entry yet
  auto reject = [&](std::string_view why) -> SharedModule {
    stats_.rejected++;
    spdlog::warn("module cache: ignoring {} ({}); recompiling", path.string(), why);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return nullptr;
  };
  if (!why.empty()) return reject(why);
  const std::string_view header = file.header;
  const std::string_view payload = file.payload;
  if (header != Header(engine, wasm_sha, payload.size(), Sha256Hex(payload))) {
    return reject("built for another module, engine or Wasmtime version, or damaged");
  }
  wasmtime_module_t* raw = nullptr;
  if (wasmtime_error_t* e = wasmtime_module_deserialize(
          engine.engine.get(), reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), &raw)) {
    return reject("Wasmtime refused it: " + OneLine(TakeErrorMessage(e)));
  }
  stats_.disk_hits++;
  return ShareModule(raw);
}

void ModuleCache::StoreEntry(const EngineFlavor& engine, const std::string& wasm_sha,
                             const std::filesystem::path& path, const wasmtime_module_t* module) {
  wasm_byte_vec_t bytes;
  if (wasmtime_error_t* e = wasmtime_module_serialize(module, &bytes)) {
    spdlog::warn("module cache: cannot serialize module: {}", TakeErrorMessage(e));
    return;
  }
  std::unique_ptr<wasm_byte_vec_t, decltype(&wasm_byte_vec_delete)> guard(&bytes, wasm_byte_vec_delete);
  const std::string_view payload_view(bytes.data, bytes.size);
  WriteCacheFile(path, kMagic, Header(engine, wasm_sha, payload_view.size(), Sha256Hex(payload_view)), payload_view,
                 "module cache");
}

}  // namespace pier::internal
