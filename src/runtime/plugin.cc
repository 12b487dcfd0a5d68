#include "pier/plugin.h"

#include "runtime/plugin_core.h"

namespace pier {

Plugin::Plugin(std::shared_ptr<internal::PluginCore> core) : core_(std::move(core)) {}
Plugin::~Plugin() = default;

Result<CallResult> Plugin::Call(std::string_view export_name, std::string_view input, const CallOptions& options) {
  return core_->Call(export_name, input, options);
}

bool Plugin::HasExport(std::string_view export_name) const {
  const auto& exports = core_->shared().exports;
  auto it = exports.find(export_name);
  return it != exports.end() && it->second.shape != internal::ExportShape::kNotCallable;
}

std::vector<std::string> Plugin::exports() const {
  std::vector<std::string> names;
  for (const auto& [name, info] : core_->shared().exports) {
    if (info.shape != internal::ExportShape::kNotCallable) names.push_back(name);
  }
  return names;
}

std::vector<ImportName> Plugin::imports() const {
  std::vector<ImportName> out;
  for (const auto& [module, name] : core_->shared().imports) out.push_back({module, name});
  return out;
}

const std::string& Plugin::name() const { return core_->shared().options.name; }
PluginStats Plugin::stats() const { return core_->stats(); }

}  // namespace pier
