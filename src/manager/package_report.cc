#include "manager/package_report.h"

#include <algorithm>

#include "pier/capabilities/callers.h"
#include "pier/services/host_services.h"

namespace pier {

Result<PackageReport> InspectPackage(Runtime& runtime, const Package& package) {
  auto info = runtime.Inspect(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(package.wasm.data()),
                                                      package.wasm.size()));
  if (!info.ok()) return info.status().WithContext("compiling plugin");
  PackageReport report;
  report.exports = info->exports;
  report.imports = info->imports;
  auto has_export = [&](std::string_view name) {
    return std::find(report.exports.begin(), report.exports.end(), name) != report.exports.end();
  };
  for (const capabilities::CapabilityExport& e : capabilities::AllCapabilityExports()) {
    if (has_export(e.export_name) &&
        std::find(report.capabilities.begin(), report.capabilities.end(), e.capability) == report.capabilities.end()) {
      report.capabilities.emplace_back(e.capability);
    }
  }

  const std::set<std::string> granted = package.manifest.permissions.Granted();
  const auto explain = services::MissingImportExplainer(granted);
  for (const ImportName& i : report.imports) {
    const std::string what = "imports " + i.module + "::" + i.name;
    if (i.module == "extism:host/env" || i.module == "wasi_snapshot_preview1") {
      if (!IsBuiltinImport(i.module, i.name)) report.problems.push_back(what + ", which this host does not provide");
    } else if (i.module != "extism:host/user") {
      report.problems.push_back(what + ": no host provides module " + i.module);
    } else {
      const auto& all = services::AllHostFunctions();
      auto f = std::find_if(all.begin(), all.end(), [&](const auto& h) { return h.name == i.name; });
      if (f == all.end()) {
        report.problems.push_back(what + ", which no host service provides");
      } else if (!f->permission.empty() && !granted.contains(std::string(f->permission))) {
        report.problems.push_back(what + ": " + explain(i.module, i.name));
      }
    }
  }
  for (std::string& v : CapabilityRuleViolations(package.manifest, report.capabilities, has_export)) {
    report.problems.push_back(std::move(v));
  }
  return report;
}

}  // namespace pier
