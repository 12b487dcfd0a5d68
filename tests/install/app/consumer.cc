// Loads a plugin and calls one export, through an installed Pier:
//   consumer PLUGIN.wasm EXPORT INPUT  -> prints the output
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "pier/runtime.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: consumer PLUGIN.wasm EXPORT INPUT\n";
    return 2;
  }
  auto runtime = pier::Runtime::Create({.cache_dir = std::filesystem::temp_directory_path() / "pier-consumer-cache"});
  if (!runtime.ok()) {
    std::cerr << runtime.status().message() << "\n";
    return 1;
  }
  auto plugin = (*runtime)->LoadFile(argv[1], pier::PluginOptions{});
  if (!plugin.ok()) {
    std::cerr << plugin.status().message() << "\n";
    return 1;
  }
  auto r = (*plugin)->Call(argv[2], argv[3]);
  if (!r.ok() || !r->is_output()) {
    std::cerr << "the call failed\n";
    return 1;
  }
  std::cout << r->output() << "\n";
  return 0;
}
