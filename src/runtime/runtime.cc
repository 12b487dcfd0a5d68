// pier::Runtime and the plugin load sequence: compile (or fetch from the
// module cache), describe exports, bind imports, pre-link.
#include "pier/runtime.h"

#include "pier/extism_manifest.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "runtime/bindings.h"
#include "runtime/plugin_core.h"
#include "runtime/runtime_core.h"

namespace pier {

namespace {

using internal::ExportInfo;
using internal::ExportShape;

std::string ValTypeName(const wasm_valtype_t* t) {
  switch (wasm_valtype_kind(t)) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    default: return "ref";
  }
}

std::string Join(const wasm_valtype_vec_t* v) {
  std::string s;
  for (size_t i = 0; i < v->size; ++i) s += (i ? ", " : "") + ValTypeName(v->data[i]);
  return s;
}

ExportInfo Describe(const wasm_functype_t* ft) {
  const wasm_valtype_vec_t* params = wasm_functype_params(ft);
  const wasm_valtype_vec_t* results = wasm_functype_results(ft);
  ExportInfo info;
  info.signature = "(" + Join(params) + ") -> (" + Join(results) + ")";
  if (params->size == 0 && results->size == 0) info.shape = ExportShape::kReturnsNothing;
  if (params->size == 0 && results->size == 1 && wasm_valtype_kind(results->data[0]) == WASM_I32) {
    info.shape = ExportShape::kReturnsI32;
  }
  return info;
}

using ExportTable = std::map<std::string, ExportInfo, std::less<>>;

ExportTable ExportsOf(const wasmtime_module_t* module) {
  ExportTable table;
  wasm_exporttype_vec_t exports;
  wasmtime_module_exports(module, &exports);
  for (size_t i = 0; i < exports.size; ++i) {
    const wasm_externtype_t* type = wasm_exporttype_type(exports.data[i]);
    if (wasm_externtype_kind(type) != WASM_EXTERN_FUNC) continue;
    const wasm_name_t* n = wasm_exporttype_name(exports.data[i]);
    table.emplace(std::string(n->data, n->size), Describe(wasm_externtype_as_functype_const(type)));
  }
  wasm_exporttype_vec_delete(&exports);
  return table;
}

bool Nullary(const ExportTable& exports, const char* name) {
  auto it = exports.find(name);
  return it != exports.end() && it->second.shape == ExportShape::kReturnsNothing;
}

std::vector<internal::Initializer> InitializersOf(const ExportTable& exports) {
  std::vector<internal::Initializer> out;
  // Reactors: `_initialize` (Go, TinyGo, wasi-libc reactors) runs the guest
  // runtime's set-up; `__wasm_call_ctors` is the alternative, never both.
  if (Nullary(exports, "_initialize")) {
    out.push_back({"_initialize"});
  } else if (Nullary(exports, "__wasm_call_ctors")) {
    out.push_back({"__wasm_call_ctors"});
  }
  // GHC's runtime system must be started with hs_init(argc, argv) before any
  // Haskell export runs (Extism's Haskell kit relies on the host doing it);
  // like Extism's hosts, Pier passes null for both.
  if (auto it = exports.find("hs_init"); it != exports.end() && it->second.signature == "(i32, i32) -> ()") {
    out.push_back({"hs_init", /*argc_argv=*/true});
  }
  return out;
}

void DescribeExports(const wasmtime_module_t* module, internal::PluginShared& shared) {
  shared.exports = ExportsOf(module);
  shared.initializers = InitializersOf(shared.exports);
  shared.is_command = Nullary(shared.exports, "_start") && !Nullary(shared.exports, "_initialize");
}

// The modules `main` needs, each after those it imports: an import whose
// module name is another module's name links to it. Cycles are refused.
Status OrderLinks(const std::string& main, const std::map<std::string, internal::SharedModule>& modules,
                  std::vector<std::string>* order) {
  std::map<std::string, int> state;  // 1 visiting, 2 done
  std::vector<std::string> path;
  std::function<Status(const std::string&)> visit = [&](const std::string& name) -> Status {
    if (state[name] == 2) return OkStatus();
    if (state[name] == 1) {
      std::string cycle;
      auto from = std::find(path.begin(), path.end(), name);
      for (auto it = from; it != path.end(); ++it) cycle += *it + " -> ";
      return InvalidArgumentError("Extism manifest: modules import each other in a cycle: " + cycle + name);
    }
    state[name] = 1;
    path.push_back(name);
    std::set<std::string> wanted;
    for (const internal::ModuleImport& i : internal::ModuleImports(modules.at(name).get())) {
      if (i.module != name && modules.contains(i.module)) wanted.insert(i.module);
    }
    for (const std::string& dep : wanted) PIER_RETURN_IF_ERROR(visit(dep));
    path.pop_back();
    state[name] = 2;
    if (name != main) order->push_back(name);
    return OkStatus();
  };
  return visit(main);
}

// Fresh-instance plugins live on the pooling engines (engine_set.h).
const internal::EngineFlavor& EngineFor(internal::RuntimeCore& core, const PluginOptions& options) {
  return core.engines().Get(options.fuel.has_value(), options.instance_mode == InstanceMode::kFreshPerCall);
}

// Fresh instances of a reactor (one nullary initialiser) can start from a
// snapshot. Not: linked plugins (their modules share state across stores),
// GHC's hs_init (it takes arguments), commands (they end their runtime).
bool WantsSnapshot(const internal::PluginShared& shared) {
  return shared.options.instance_mode == InstanceMode::kFreshPerCall && shared.options.snapshot &&
         shared.links.empty() && !shared.is_command && shared.initializers.size() == 1 &&
         !shared.initializers[0].argc_argv;
}

// Replaces `module` by its snapshot (and drops the initialiser), or notes why not.
void UseSnapshot(internal::RuntimeCore& core, const internal::EngineFlavor& engine, std::span<const uint8_t> wasm,
                 internal::PluginShared& shared, internal::SharedModule* module) {
  const std::string& init = shared.initializers[0].name;
  internal::SnapshotEntry s = core.snapshots().Get(engine, wasm, init, shared);
  if (!s.module) {
    shared.snapshot.refused = s.refused;
    shared.snapshot.from_disk = s.from_disk;
    spdlog::info("plugin '{}': fresh instances run {} each time, without a snapshot: {}", shared.options.name, init,
                  s.refused);
    return;
  }
  *module = std::move(s.module);
  shared.initializers.clear();
  shared.snapshot = {true, s.from_disk, s.reads.Describe(), ""};
  shared.wasi.monotonic_offset_ns = s.MonotonicOffsetNs();
}

}  // namespace

bool IsBuiltinImport(std::string_view module, std::string_view name) {
  if (module == internal::kEnvModule) return internal::KernelImportNames().contains(name);
  if (module == internal::kWasiModule) return internal::WasiImportNames().contains(name);
  return false;
}

Runtime::Runtime(std::shared_ptr<internal::RuntimeCore> core) : core_(std::move(core)) {}
Runtime::~Runtime() = default;

Result<std::unique_ptr<Runtime>> Runtime::Create(RuntimeOptions options) {
  auto engines = internal::EngineSet::Create(options);
  auto core = std::make_shared<internal::RuntimeCore>(std::move(options), std::move(engines));
  return std::unique_ptr<Runtime>(new Runtime(std::move(core)));
}

Result<std::unique_ptr<Plugin>> Runtime::Load(std::span<const uint8_t> wasm, PluginOptions options) {
  if (options.name.empty()) options.name = "plugin";
  const internal::EngineFlavor& engine = EngineFor(*core_, options);
  auto module = core_->cache().Get(engine, wasm);
  if (!module.ok()) return module.status().WithContext("loading plugin '" + options.name + "'");
  return LoadCompiled(std::move(*module), {}, std::move(options), wasm);
}

Result<std::unique_ptr<Plugin>> Runtime::LoadExtism(const ExtismManifest& manifest, PluginOptions options) {
  if (manifest.modules.empty()) return InvalidArgumentError("Extism manifest: no module");
  const ExtismModule& main = manifest.modules[manifest.main_index()];
  if (options.name.empty() || options.name == "plugin") {
    options.name = main.name == "main" ? std::filesystem::path(main.source).stem().string() : main.name;
    if (options.name.empty()) options.name = "plugin";
  }
  const internal::EngineFlavor& engine = EngineFor(*core_, options);
  std::map<std::string, internal::SharedModule> compiled;
  for (const ExtismModule& m : manifest.modules) {
    auto module = core_->cache().Get(
        engine, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(m.bytes.data()), m.bytes.size()));
    if (!module.ok()) {
      return module.status().WithContext("loading plugin '" + options.name + "', module '" + m.name + "' (" +
                                         m.source + ")");
    }
    compiled.emplace(m.name, std::move(*module));
  }
  std::vector<std::string> order;
  PIER_RETURN_IF_ERROR(OrderLinks(main.name, compiled, &order));
  // An import from a module that is neither the host's nor the manifest's.
  std::set<std::string, std::less<>> host_modules = {std::string(internal::kEnvModule),
                                                     std::string(internal::kWasiModule), "extism:host/user"};
  for (const HostFunction& f : options.host_functions) host_modules.insert(f.module);
  std::vector<std::string> names = order;
  names.push_back(main.name);
  for (const std::string& name : names) {
    for (const internal::ModuleImport& i : internal::ModuleImports(compiled.at(name).get())) {
      if (host_modules.contains(i.module) || compiled.contains(i.module)) continue;
      std::string listed;
      for (const auto& [n, m] : compiled) listed += (listed.empty() ? "" : ", ") + n;
      return NotFoundError("plugin '" + options.name + "': module '" + name + "' imports " + i.module +
                           "::" + i.name + ", but no module of the manifest is named '" + i.module +
                           "' (it has " + listed + ") and the host provides no such function");
    }
  }
  std::vector<internal::LinkedModule> links;
  for (const std::string& name : order) {
    links.push_back({name, compiled.at(name), InitializersOf(ExportsOf(compiled.at(name).get()))});
  }
  std::span<const uint8_t> main_bytes;
  if (links.empty()) main_bytes = {reinterpret_cast<const uint8_t*>(main.bytes.data()), main.bytes.size()};
  return LoadCompiled(compiled.at(main.name), std::move(links), std::move(options), main_bytes);
}

Result<std::unique_ptr<Plugin>> Runtime::LoadCompiled(internal::SharedModule module,
                                                      std::vector<internal::LinkedModule> links,
                                                      PluginOptions options, std::span<const uint8_t> wasm) {
  if (!options.log_sink) options.log_sink = internal::DefaultLogSink();
  const internal::EngineFlavor& engine = EngineFor(*core_, options);
  auto shared = std::make_unique<internal::PluginShared>();
  auto kernel = std::make_shared<internal::KernelSettings>();
  kernel->plugin_name = options.name;
  kernel->config = options.config;
  kernel->allowed_hosts = internal::HostPatterns(options.allowed_hosts);
  // Kernel memory counts against max_memory_bytes with linear memory; its own
  // cap, when set, bounds it further.
  kernel->max_arena_bytes = options.max_arena_bytes > 0 ? std::min(options.max_arena_bytes, options.max_memory_bytes)
                                                        : options.max_memory_bytes;
  kernel->max_var_bytes = options.max_var_bytes;
  kernel->max_http_response_bytes = options.max_http_response_bytes;
  kernel->http_response_headers = options.http_response_headers;
  kernel->log_level = options.log_level;
  kernel->log_sink = options.log_sink;
  kernel->http = core_->http();
  shared->kernel = std::move(kernel);
  auto mounts = internal::MountRoots::Open(options.mounts);
  if (!mounts.ok()) return mounts.status().WithContext("loading plugin '" + options.name + "'");
  shared->wasi = internal::WasiSettings{options.name, options.log_level, options.log_sink, std::move(*mounts)};
  shared->options = std::move(options);
  DescribeExports(module.get(), *shared);
  shared->links = std::move(links);
  if (WantsSnapshot(*shared) && !wasm.empty()) UseSnapshot(*core_, engine, wasm, *shared, &module);

  auto plugin =
      std::make_shared<internal::PluginCore>(core_, engine.engine.get(), std::move(module), std::move(shared));
  PIER_RETURN_IF_ERROR(plugin->Link());
  return std::make_unique<Plugin>(std::move(plugin));
}

Result<std::unique_ptr<Plugin>> Runtime::LoadFile(const std::filesystem::path& path, PluginOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open plugin file " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = std::move(ss).str();
  if (options.name.empty() || options.name == "plugin") options.name = path.stem().string();
  return Load(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
              std::move(options));
}

Result<ModuleInfo> Runtime::Inspect(std::span<const uint8_t> wasm) {
  auto module = core_->cache().Get(core_->engines().Get(false), wasm);
  if (!module.ok()) return module.status();
  internal::PluginShared shared;
  DescribeExports(module->get(), shared);
  ModuleInfo info;
  for (const auto& [name, e] : shared.exports) {
    if (e.shape != ExportShape::kNotCallable) info.exports.push_back(name);
  }
  for (internal::ModuleImport& i : internal::ModuleImports(module->get())) {
    info.imports.push_back({std::move(i.module), std::move(i.name)});
  }
  return info;
}

std::string_view Runtime::WasmtimeVersion() { return WASMTIME_VERSION; }

const std::shared_ptr<Metrics>& Runtime::metrics() const { return core_->metrics(); }

RuntimeStats Runtime::stats() const {
  const auto& s = core_->cache().stats();
  return {s.compiled.load(), s.disk_hits.load(), s.rejected.load(), s.memory_hits.load()};
}

}  // namespace pier
