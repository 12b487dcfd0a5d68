#include "runtime/core_dumps.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace pier::internal {

namespace {

// Plugin and export names come from manifests: keep file names to a safe
// alphabet and a bounded length.
std::string FileSafe(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (out.size() == 64) break;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += ok ? c : '_';
  }
  return out.empty() ? "plugin" : out;
}

}  // namespace

Result<std::filesystem::path> CoreDumps::Write(wasmtime_context_t* context, const wasm_trap_t* trap,
                                               const wasmtime_error_t* error, const std::string& plugin,
                                               const std::string& export_name) {
  const int n = written_.fetch_add(1);
  if (n >= max_files_) {
    written_.fetch_sub(1);
    return ResourceExhaustedError("core dump not written: " + std::to_string(max_files_) +
                                  " already written by this runtime");
  }
  wasm_byte_vec_t bytes{};
  if (!pier_trap_coredump(context, trap, error, plugin.data(), plugin.size(), &bytes)) {
    written_.fetch_sub(1);
    return NotFoundError("no core dump: the call did not end in a Wasm trap");
  }
  std::unique_ptr<wasm_byte_vec_t, decltype(&wasm_byte_vec_delete)> guard(&bytes, wasm_byte_vec_delete);

  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return UnavailableError("core dump not written: cannot create " + dir_.string() + ": " + ec.message());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  const std::filesystem::path path = dir_ / (FileSafe(plugin) + "." + FileSafe(export_name) + "." +
                                             std::to_string(ms) + "." + std::to_string(::getpid()) + "." +
                                             std::to_string(n) + ".coredump");
  // O_EXCL: never follow or overwrite what is already there.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return UnavailableError("core dump not written: " + path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size) {
    const ssize_t w = ::write(fd, bytes.data + done, bytes.size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return UnavailableError("core dump not written: " + path.string() + ": " + why);
    }
    done += static_cast<size_t>(w);
  }
  if (::close(fd) != 0) return UnavailableError("core dump not written: " + path.string() + ": close failed");
  return path;
}

}  // namespace pier::internal
