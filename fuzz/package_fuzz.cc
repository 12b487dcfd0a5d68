// Fuzzes the .ndp package reader: the input is the package file's bytes
// (a ZIP, usually), read with the default limits.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "package/package.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("pier-package-fuzz-" + std::to_string(getpid()) + ".ndp");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  (void)pier::OpenPackage(file);
  (void)pier::OpenPackage(file, /*manifest_only=*/true);
  return 0;
}
