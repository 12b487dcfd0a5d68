// `pier library scan|list|show`: the reference catalog of a data folder.
//
//   pier library scan --config pier.toml            # every library, incrementally, with progress
//   pier library scan --config pier.toml --library 1 --full
//   pier library list --config pier.toml [--json]   # libraries with totals and last scan
//   pier library show 1 --config pier.toml [--json] # one library: totals, albums
//
// With --config the catalog's libraries and users are first made those of
// the file. Exit codes: 0 done, 1 refused (unknown library; scan problems
// are reported but do not fail), 3 usage or host error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pier::cli {

struct LibraryArgs {
  std::string config;
  std::string data;
  int32_t library = 0;
  bool full = false;
  bool json = false;
  bool quiet = false;
  std::string action;  // scan | list | show
};

CLI::App* AddLibraryCommand(CLI::App& app, LibraryArgs& args);
int RunLibrary(const LibraryArgs& args);

}  // namespace pier::cli
