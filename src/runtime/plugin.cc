#include "pier/plugin.h"

#include "runtime/instance.h"
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
std::vector<CallInProgress> Plugin::CallsInProgress() const { return core_->CallsInProgress(); }
bool Plugin::Interrupt(uint64_t id) const { return core_->Interrupt(id); }
SnapshotInfo Plugin::snapshot() const { return core_->shared().snapshot; }

std::unique_ptr<PluginSession> Plugin::OpenSession() { return std::make_unique<PluginSession>(core_); }

PluginSession::PluginSession(std::shared_ptr<internal::PluginCore> core) : core_(std::move(core)) {}
PluginSession::~PluginSession() = default;

Result<CallResult> PluginSession::Call(std::string_view export_name, std::string_view input,
                                       const CallOptions& options) {
  return core_->Call(export_name, input, options, &instance_);
}

Result<std::optional<std::string>> PluginSession::Var(std::string_view name) {
  PIER_ASSIGN_OR_RETURN(internal::Instance * inst, core_->Pin(&instance_));
  return inst->kernel().Var(name);
}

Status PluginSession::SetVar(std::string_view name, std::string_view value) {
  PIER_ASSIGN_OR_RETURN(internal::Instance * inst, core_->Pin(&instance_));
  return inst->kernel().PutVar(name, value);
}

Status PluginSession::RemoveVar(std::string_view name) {
  PIER_ASSIGN_OR_RETURN(internal::Instance * inst, core_->Pin(&instance_));
  return inst->kernel().PutVar(name, std::nullopt);
}

Status PluginSession::ClearVars() {
  PIER_ASSIGN_OR_RETURN(internal::Instance * inst, core_->Pin(&instance_));
  inst->kernel().ClearVars();
  return OkStatus();
}

Result<std::map<std::string, std::string>> PluginSession::Vars() {
  PIER_ASSIGN_OR_RETURN(internal::Instance * inst, core_->Pin(&instance_));
  const auto& vars = inst->kernel().vars();
  return std::map<std::string, std::string>(vars.begin(), vars.end());
}

}  // namespace pier
