// The dashboard's files (dashboard/ in the source tree), compiled into the
// binary by tools/embed_files.py, so `pier serve` needs nothing beside it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace pier::dashboard {

struct Asset {
  std::string_view path;  // relative to dashboard/: "index.html", "vendor/preact/preact.mjs"
  const unsigned char* data;
  size_t size;
};

// Sorted by path.
const std::vector<Asset>& Assets();

}  // namespace pier::dashboard
