// PackageReport: what a package is and what is wrong with it, found without
// loading it into a registry or running guest code: capabilities from the
// exports, imports against the host's functions and the manifest's
// permissions, and the manifest's permission/capability rules.
//
//   auto report = InspectPackage(runtime, package).value();
//   for (const std::string& p : report.problems) std::cout << p << "\n";
//
// Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "package/package.h"
#include "pier/runtime.h"

namespace pier {

struct PackageReport {
  std::vector<std::string> capabilities;  // spec names, e.g. "TaskWorker"
  std::vector<std::string> exports;
  std::vector<ImportName> imports;
  std::vector<std::string> problems;      // empty: the package would load
};

// Fails only when the module cannot be compiled.
Result<PackageReport> InspectPackage(Runtime& runtime, const Package& package);

}  // namespace pier
