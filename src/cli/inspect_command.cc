#include "cli/inspect_command.h"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "manager/package_report.h"

namespace pier::cli {

namespace {

std::string Join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out.empty() ? "none" : out;
}

std::vector<std::string> DescribePermissions(const Permissions& p) {
  std::vector<std::string> out;
  for (const std::string& key : p.Granted()) {
    std::string d = key;
    if (key == "http" && !p.http->required_hosts.empty()) d += " (hosts: " + Join(p.http->required_hosts) + ")";
    if (key == "websocket" && !p.websocket->required_hosts.empty()) {
      d += " (hosts: " + Join(p.websocket->required_hosts) + ")";
    }
    if (key == "taskqueue") d += " (maxConcurrency " + std::to_string(p.taskqueue->max_concurrency) + ")";
    if (key == "kvstore" && !p.kvstore->max_size.empty()) d += " (maxSize " + p.kvstore->max_size + ")";
    if (key == "library" && p.library->filesystem) d += " (filesystem)";
    out.push_back(d);
  }
  return out;
}

}  // namespace

CLI::App* AddInspectCommand(CLI::App& app, InspectArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Show a package's manifest, capabilities, imports and permission problems, without loading it");
  cmd->footer("Exit status: 0 no problems, 1 problems found, 3 the package cannot be read.");
  cmd->add_option("package", a.package, "An .ndp file or a folder with manifest.json and plugin.wasm")->required();
  cmd->add_flag("--json", a.json, "Print the report as JSON");
  return cmd;
}

int RunInspect(const InspectArgs& a) {
  auto package = OpenPackage(a.package);
  if (!package.ok()) {
    std::cerr << "pier inspect: " << package.status().message() << "\n";
    return 3;
  }
  auto runtime = Runtime::Create();
  if (!runtime.ok()) {
    std::cerr << "pier inspect: " << runtime.status().message() << "\n";
    return 3;
  }
  auto report = InspectPackage(**runtime, *package);
  if (!report.ok()) {
    std::cerr << "pier inspect: " << package->id << ": " << report.status().message() << "\n";
    return 3;
  }
  const Manifest& m = package->manifest;
  std::map<std::string, std::vector<std::string>> imports;
  for (const ImportName& i : report->imports) imports[i.module].push_back(i.name);

  if (a.json) {
    nlohmann::json j = {{"id", package->id},
                        {"path", package->path.string()},
                        {"sha256", package->sha256},
                        {"manifest", m.raw},
                        {"permissions", m.permissions.Granted()},
                        {"capabilities", report->capabilities},
                        {"exports", report->exports},
                        {"imports", imports},
                        {"problems", report->problems}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "Plugin " << package->id << "  (" << package->path.string() << ")\n"
              << "  sha256        " << package->sha256 << "\n"
              << "  name          " << m.name << "\n"
              << "  version       " << m.version << "\n"
              << "  author        " << m.author << "\n";
    if (!m.description.empty()) std::cout << "  description   " << m.description << "\n";
    std::cout << "  permissions   " << Join(DescribePermissions(m.permissions)) << "\n"
              << "  config        " << (m.config_schema ? "has a config schema" : "none") << "\n"
              << "  capabilities  " << Join(report->capabilities) << "\n"
              << "  imports\n";
    for (const auto& [module, names] : imports) {
      if (module == "extism:host/user") {
        std::cout << "    " << module << ": " << Join(names) << "\n";
      } else {
        std::cout << "    " << module << ": " << names.size() << " functions\n";
      }
    }
    if (report->problems.empty()) {
      std::cout << "  problems      none\n";
    } else {
      std::cout << "  problems\n";
      for (const std::string& p : report->problems) std::cout << "    - " << p << "\n";
    }
  }
  return report->problems.empty() ? 0 : 1;
}

}  // namespace pier::cli
