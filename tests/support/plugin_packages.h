// Packages and calls the plugin tests share: a package of a built plugin
// with a manifest granting `permissions`, and an export's JSON answer.
//
//   testing::WritePackage(dir / "kv.ndp", "kv", R"({"kvstore":{}})", "go_nd_kvstore");
//   json out = testing::CallJson(*loaded, "nd_test_kvstore", {{"operation", "get"}});
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "manager/plugin_manager.h"
#include "support/test_plugins.h"
#include "support/zip_writer.h"

namespace pier::testing {

// `extra`: more manifest members, e.g. R"(,"config":{"schema":{…}})".
inline void WritePackage(const std::filesystem::path& file, const std::string& name, const std::string& permissions,
                         const std::string& wasm, const std::string& extra = "") {
  ZipWriter zip;
  zip.Add("manifest.json",
          R"({"name":")" + name + R"(","author":"pier","version":"1","permissions":)" + permissions + extra + "}");
  zip.Add("plugin.wasm", PluginWasm(wasm));
  zip.WriteTo(file);
}

// The export's output as JSON; a failed call fails the test and answers {}.
inline nlohmann::json CallJson(LoadedPlugin& p, const std::string& fn, const nlohmann::json& input) {
  auto r = p.plugin->Call(fn, input.dump());
  EXPECT_TRUE(r.ok() && r->is_output()) << fn << ": " << (r.ok() ? r->Describe() : r.status().message());
  return r.ok() && r->is_output() ? nlohmann::json::parse(r->output()) : nlohmann::json::object();
}

}  // namespace pier::testing
