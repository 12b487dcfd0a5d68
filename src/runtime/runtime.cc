// pier::Runtime and the plugin load sequence: compile (or fetch from the
// module cache), describe exports, bind imports, pre-link.
#include "pier/runtime.h"

#include <algorithm>
#include <fstream>
#include <sstream>

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

void DescribeExports(const wasmtime_module_t* module, internal::PluginShared& shared) {
  wasm_exporttype_vec_t exports;
  wasmtime_module_exports(module, &exports);
  for (size_t i = 0; i < exports.size; ++i) {
    const wasm_externtype_t* type = wasm_exporttype_type(exports.data[i]);
    if (wasm_externtype_kind(type) != WASM_EXTERN_FUNC) continue;
    const wasm_name_t* n = wasm_exporttype_name(exports.data[i]);
    shared.exports.emplace(std::string(n->data, n->size), Describe(wasm_externtype_as_functype_const(type)));
  }
  wasm_exporttype_vec_delete(&exports);

  auto nullary = [&](const char* name) {
    auto it = shared.exports.find(name);
    return it != shared.exports.end() && it->second.shape == ExportShape::kReturnsNothing;
  };
  // Reactors: `_initialize` (Go, TinyGo, wasi-libc reactors) runs the guest
  // runtime's set-up; `__wasm_call_ctors` is the alternative, never both.
  if (nullary("_initialize")) {
    shared.initializers.push_back({"_initialize"});
  } else if (nullary("__wasm_call_ctors")) {
    shared.initializers.push_back({"__wasm_call_ctors"});
  }
  // GHC's runtime system must be started with hs_init(argc, argv) before any
  // Haskell export runs (Extism's Haskell kit relies on the host doing it);
  // like Extism's hosts, Pier passes null for both.
  if (auto it = shared.exports.find("hs_init"); it != shared.exports.end() && it->second.signature == "(i32, i32) -> ()") {
    shared.initializers.push_back({"hs_init", /*argc_argv=*/true});
  }
  shared.is_command = nullary("_start") && !nullary("_initialize");
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
  auto core = std::make_shared<internal::RuntimeCore>(std::move(options), internal::EngineSet::Create());
  return std::unique_ptr<Runtime>(new Runtime(std::move(core)));
}

Result<std::unique_ptr<Plugin>> Runtime::Load(std::span<const uint8_t> wasm, PluginOptions options) {
  if (options.name.empty()) options.name = "plugin";
  if (!options.log_sink) options.log_sink = internal::DefaultLogSink();
  const internal::EngineFlavor& engine = core_->engines().Get(options.fuel.has_value());
  auto module = core_->cache().Get(engine, wasm);
  if (!module.ok()) return module.status().WithContext("loading plugin '" + options.name + "'");

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
  DescribeExports(module->get(), *shared);

  auto plugin =
      std::make_shared<internal::PluginCore>(core_, engine.engine.get(), std::move(*module), std::move(shared));
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

RuntimeStats Runtime::stats() const {
  const auto& s = core_->cache().stats();
  return {s.compiled.load(), s.disk_hits.load(), s.rejected.load(), s.memory_hits.load()};
}

}  // namespace pier
