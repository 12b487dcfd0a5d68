// TempDir: a fresh folder under the system's temporary folder, removed with
// everything in it when the object goes.
//
//   pier::testing::TempDir dir;
//   std::ofstream(dir.path() / "file") << "x";
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace pier::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pier-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace pier::testing
