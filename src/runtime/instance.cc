#include "runtime/instance.h"

#include <algorithm>
#include <cstdio>

#include "runtime/plugin_core.h"
#include "runtime/runtime_core.h"

namespace pier::internal {

namespace {

// A failed call whose linear memory ended this close to the cap is reported
// as hitting the memory limit: Wasm gives no signal for a refused
// `memory.grow`, the guest just sees -1 and aborts (Go grows in 4 MiB steps).
constexpr uint64_t kMemoryCapMargin = 8 << 20;
constexpr size_t kMaxTrapMessage = 4096;

TrapKind KindOf(StatusCode code) {
  switch (code) {
    case StatusCode::kDeadlineExceeded: return TrapKind::kTimeout;
    case StatusCode::kCancelled: return TrapKind::kCancelled;
    case StatusCode::kResourceExhausted: return TrapKind::kOutOfMemory;
    default: return TrapKind::kCrash;
  }
}

constexpr size_t kMaxFrames = 64;

// Per-frame names and source positions (pier_trap_frame_details), one
// entry per frame; empty when Wasmtime gave none.
struct FrameDetail {
  std::string name;                    // demangled
  std::vector<std::string> locations;  // "file:line:column", innermost first
};

std::vector<FrameDetail> FrameDetails(const wasm_trap_t* trap, const wasmtime_error_t* error) {
  std::vector<FrameDetail> out;
  wasm_byte_vec_t text{};
  if (!pier_trap_frame_details(trap, error, &text)) return out;
  std::string_view rest(text.data, text.size);
  while (!rest.empty()) {
    const size_t nl = std::min(rest.find('\n'), rest.size());
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(std::min(nl + 1, rest.size()));
    FrameDetail d;
    size_t tab = line.find('\t');
    d.name = std::string(line.substr(0, tab));
    while (tab != std::string_view::npos) {
      line.remove_prefix(tab + 1);
      tab = line.find('\t');
      d.locations.emplace_back(line.substr(0, tab));
    }
    out.push_back(std::move(d));
  }
  wasm_byte_vec_delete(&text);
  return out;
}

// Trap::backtrace from Wasmtime's frames (and deletes them). Frames of a
// module without a name of its own are named after the plugin; a run of
// identical frames (recursion) is one entry that says how many.
std::vector<std::string> Backtrace(wasm_frame_vec_t* frames, const std::vector<FrameDetail>& details,
                                   const std::string& plugin) {
  std::vector<std::string> out;
  std::string last;
  size_t repeats = 0;
  auto flush = [&] {
    if (repeats > 0) out.back() += " (and " + std::to_string(repeats) + " more times)";
    repeats = 0;
  };
  for (size_t i = 0; i < frames->size; ++i) {
    const wasm_frame_t* f = frames->data[i];
    const wasm_name_t* module = wasmtime_frame_module_name(f);
    const wasm_name_t* func = wasmtime_frame_func_name(f);
    const FrameDetail* detail = i < details.size() ? &details[i] : nullptr;
    std::string frame = module != nullptr && module->size > 0 ? std::string(module->data, module->size) : plugin;
    frame += "!";
    if (detail != nullptr && !detail->name.empty()) {
      frame += detail->name;
    } else if (func != nullptr && func->size > 0) {
      frame += std::string(func->data, func->size);
    } else {
      frame += "function[" + std::to_string(wasm_frame_func_index(f)) + "]";
    }
    char offset[32];
    snprintf(offset, sizeof offset, " @0x%zx", wasm_frame_module_offset(f));
    frame += offset;
    if (detail != nullptr && !detail->locations.empty()) {
      frame += " at " + detail->locations.front();
      for (size_t k = 1; k < detail->locations.size(); ++k) frame += ", inlined into " + detail->locations[k];
    }
    if (frame == last) {
      ++repeats;
      continue;
    }
    flush();
    if (out.size() == kMaxFrames) {
      out.push_back("... " + std::to_string(frames->size - i) + " more frames");
      break;
    }
    out.push_back(frame);
    last = std::move(frame);
  }
  flush();
  wasm_frame_vec_delete(frames);
  return out;
}

std::string Clip(std::string s) {
  if (s.size() > kMaxTrapMessage) {
    s.resize(kMaxTrapMessage);
    s += "...";
  }
  return s;
}

}  // namespace

Instance::Instance(PluginCore& core)
    : core_(core), state_(std::make_unique<InstanceState>(&core.shared(), &core)) {
  store_.reset(wasmtime_store_new(core.engine(), state_.get(), nullptr));
  state_->AttachStore(store_.get());
  context_ = state_->context;
}

Instance::~Instance() { state_->kernel.arena().Share(nullptr); }

Result<std::unique_ptr<Instance>> Instance::Create(PluginCore& core, const CallState& call) {
  std::unique_ptr<Instance> inst(new Instance(core));
  const PluginOptions& options = core.shared().options;
  inst->state_->kernel.arena().Share(&inst->state_->memory_cap);
  inst->state_->Arm(call);

  wasm_trap_t* trap = nullptr;
  wasmtime_error_t* failed = core.pre() != nullptr
                                 ? wasmtime_instance_pre_instantiate(core.pre(), inst->context_, &inst->instance_, &trap)
                                 : inst->InstantiateLinked(&trap);
  if (wasmtime_error_t* error = failed) {
    std::string message = TakeErrorMessage(error);
    if (message.find("memory") != std::string::npos &&
        (message.find("limit") != std::string::npos || message.find("exceeds") != std::string::npos)) {
      return ResourceExhaustedError("cannot instantiate: " + message + " (memory cap " +
                                    std::to_string(options.max_memory_bytes) + " bytes)");
    }
    return FailedPreconditionError("cannot instantiate: " + message);
  }
  if (trap != nullptr) {
    Failure f = inst->Describe("start", trap, nullptr);  // the module's start function
    wasmtime_trap_code_t code;
    if (wasmtime_trap_code(trap, &code)) f.code = code;
    wasm_trap_delete(trap);
    Trap t = inst->DescribeTrap(f);
    return FailedPreconditionError("instantiation trapped (" + std::string(TrapKindName(t.kind)) + "): " + t.message);
  }
  inst->state_->FindMemory(inst->instance_);
  return inst;
}

wasmtime_error_t* Instance::InstantiateLinked(wasm_trap_t** trap) {
  auto linker = core_.NewLinker();
  if (!linker.ok()) return wasmtime_error_new(linker.status().message().c_str());
  for (const LinkedModule& link : core_.shared().links) {
    wasmtime_instance_t dep;
    if (wasmtime_error_t* e = wasmtime_linker_instantiate(linker->get(), context_, link.module.get(), &dep, trap)) {
      return e;
    }
    if (*trap != nullptr) return nullptr;
    linked_.push_back(dep);
    if (wasmtime_error_t* e =
            wasmtime_linker_define_instance(linker->get(), context_, link.name.data(), link.name.size(), &dep)) {
      return e;
    }
  }
  return wasmtime_linker_instantiate(linker->get(), context_, core_.module(), &instance_, trap);
}

std::optional<Instance::Failure> Instance::Invoke(const std::string& name, const ExportInfo& info, int32_t* rc,
                                                  std::span<const int32_t> args, const wasmtime_instance_t* from) {
  wasmtime_func_t func;
  if (from != nullptr) {  // a linked module's initialiser: called once, not cached
    wasmtime_extern_t item;
    if (!wasmtime_instance_export_get(context_, from, name.data(), name.size(), &item) ||
        item.kind != WASMTIME_EXTERN_FUNC) {
      return Failure{"export " + name + " is not a function", std::nullopt};
    }
    func = item.of.func;
  } else {
    auto it = funcs_.find(name);
    if (it == funcs_.end()) {
      wasmtime_extern_t item;
      if (!wasmtime_instance_export_get(context_, &instance_, name.data(), name.size(), &item) ||
          item.kind != WASMTIME_EXTERN_FUNC) {
        return Failure{"export " + name + " is not a function", std::nullopt};
      }
      it = funcs_.emplace(name, item.of.func).first;
    }
    func = it->second;
  }
  wasmtime_val_raw_t raw[2] = {};
  wasm_trap_t* trap = nullptr;
  for (size_t i = 0; i < args.size() && i < 2; ++i) raw[i].i32 = args[i];
  const size_t slots = std::max<size_t>(info.shape == ExportShape::kReturnsI32 ? 1 : 0, std::min<size_t>(args.size(), 2));
  wasmtime_error_t* error = wasmtime_func_call_unchecked(context_, &func, raw, slots, &trap);
  if (error != nullptr) {
    Failure f = Describe(name, nullptr, error);
    wasmtime_error_delete(error);
    return f;
  }
  if (trap != nullptr) {
    Failure f = Describe(name, trap, nullptr);
    wasmtime_trap_code_t code;
    if (wasmtime_trap_code(trap, &code)) f.code = code;
    wasm_trap_delete(trap);
    return f;
  }
  *rc = info.shape == ExportShape::kReturnsI32 ? raw[0].i32 : 0;
  return std::nullopt;
}

Instance::Failure Instance::Describe(const std::string& name, const wasm_trap_t* trap, const wasmtime_error_t* error) {
  Failure f;
  const std::string& plugin = core_.shared().options.name;
  wasm_frame_vec_t frames{};
  if (trap != nullptr) {
    wasm_trap_trace(trap, &frames);
  } else {
    wasmtime_error_wasm_trace(error, &frames);
  }
  f.backtrace = Backtrace(&frames, FrameDetails(trap, error), plugin);
  wasm_byte_vec_t cause{};
  if (pier_trap_cause(trap, error, &cause)) {
    f.message.assign(cause.data, cause.size);
    wasm_byte_vec_delete(&cause);
  }
  // "cause (at f, g, h)": where it happened, in one log line.
  std::string where;
  for (size_t i = 0; i < f.backtrace.size() && i < 4; ++i) {
    const std::string& frame = f.backtrace[i];
    where += (i ? ", " : "") + frame.substr(0, frame.find(" @0x"));
  }
  if (!where.empty()) f.message += " (at " + where + ")";
  CoreDumps& dumps = core_.runtime().core_dumps();
  if (dumps.enabled()) {
    auto path = dumps.Write(context_, trap, error, plugin, name);
    if (path.ok()) {
      f.coredump = path->string();
    } else {
      f.coredump_note = path.status().message();
    }
  }
  return f;
}

Result<CallResult> Instance::Call(const std::string& name, const ExportInfo& info, std::string_view input,
                                  const CallState& call) {
  state_->Arm(call);
  PIER_RETURN_IF_ERROR(state_->kernel.BeginCall(input, &state_->call).WithContext("passing the call input"));
  state_->wasi.BeginCall(&state_->call);
  struct EndCall {
    InstanceState* s;
    ~EndCall() {
      s->wasi.EndCall();
      s->kernel.EndCall();
    }
  } end{state_.get()};

  const PluginShared& shared = core_.shared();
  if (!initialized_) {
    // Linked modules first, each before those that import it, then the main module.
    std::vector<std::pair<const Initializer*, const wasmtime_instance_t*>> inits;
    for (size_t i = 0; i < shared.links.size() && i < linked_.size(); ++i) {
      for (const Initializer& init : shared.links[i].initializers) inits.emplace_back(&init, &linked_[i]);
    }
    for (const Initializer& init : shared.initializers) inits.emplace_back(&init, nullptr);
    for (const auto& [init, from] : inits) {
      int32_t ignored;
      const ExportInfo shape{ExportShape::kReturnsNothing, init->argc_argv ? "(i32, i32) -> ()" : "() -> ()"};
      const int32_t null_args[2] = {0, 0};
      std::span<const int32_t> args;
      if (init->argc_argv) args = null_args;
      if (auto failure = Invoke(init->name, shape, &ignored, args, from)) {
        CallResult failed = Outcome(init->name, failure, 0);
        reusable_ = false;
        if (failed.is_trap()) {
          Trap t = failed.trap();
          t.message = init->name + " failed: " + t.message;
          return CallResult::Trapped(std::move(t));
        }
        if (!failed.is_output()) return failed;  // proc_exit(n) from the initialiser
      }
    }
  }
  initialized_ = true;

  int32_t rc = 0;
  std::optional<Failure> failure = Invoke(name, info, &rc);
  CallResult result = Outcome(name, failure, rc);
  if (name == "_start" && shared.is_command) reusable_ = false;  // the guest runtime has exited
  return result;
}

CallResult Instance::Outcome(const std::string& name, const std::optional<Failure>& failure, int32_t rc) {
  Kernel& kernel = state_->kernel;
  if (failure) {
    reusable_ = false;
    if (auto code = state_->wasi.exit_code()) {
      if (*code != 0) {
        if (auto oom = MemoryCapHit("the plugin exited with code " + std::to_string(*code))) {
          return CallResult::Trapped(std::move(*oom));
        }
        return CallResult::Error({"module closed with exit_code(" + std::to_string(*code) + ")", *code});
      }
      // proc_exit(0): a success, judged like a normal return below.
    } else {
      return CallResult::Trapped(DescribeTrap(*failure));
    }
  }
  if (auto error = kernel.Error()) return CallResult::Error({std::move(*error), rc});
  if (rc == 0) {
    auto out = kernel.Output();
    if (!out.ok()) {
      reusable_ = false;
      return CallResult::Trapped({TrapKind::kCrash, out.status().message()});
    }
    return CallResult::Output(std::move(*out));
  }
  if (rc == PluginError::kNotImplemented) return CallResult::Error({"function not implemented: " + name, rc});
  return CallResult::Error({"plugin call exited with code " + std::to_string(static_cast<uint32_t>(rc)), rc});
}

Trap Instance::DescribeTrap(const Failure& failure) {
  Trap t = TrapOf(failure);
  t.backtrace = failure.backtrace;
  t.coredump = failure.coredump;
  if (!failure.coredump_note.empty()) t.message += " (" + failure.coredump_note + ")";
  return t;
}

Trap Instance::TrapOf(const Failure& failure) {
  const PluginOptions& options = core_.shared().options;
  if (state_->stop) return {KindOf(state_->stop->code()), Clip(state_->stop->message())};
  if (failure.code) {
    switch (*failure.code) {
      case WASMTIME_TRAP_CODE_OUT_OF_FUEL:
        return {TrapKind::kOutOfFuel,
                "plugin ran out of fuel (" + std::to_string(options.fuel.value_or(0)) + " units per call)"};
      case WASMTIME_TRAP_CODE_STACK_OVERFLOW:
        return {TrapKind::kStackOverflow, "stack overflow (unbounded recursion?): " + Clip(failure.message)};
      case WASMTIME_TRAP_CODE_INTERRUPT:
        if (state_->call.cancelled()) return {TrapKind::kCancelled, "call cancelled"};
        return {TrapKind::kTimeout,
                "call exceeded its timeout of " + std::to_string(state_->call.timeout.count()) + " ms"};
      default:
        break;
    }
  }
  if (auto oom = MemoryCapHit(failure.message)) return std::move(*oom);
  return {TrapKind::kCrash, Clip(failure.message)};
}

std::optional<Trap> Instance::MemoryCapHit(const std::string& detail) {
  const uint64_t cap = core_.shared().options.max_memory_bytes;
  const uint64_t linear = state_->MainMemoryBytes();
  const uint64_t kernel = state_->kernel.arena().bytes_in_use();
  if (linear + kernel + std::min<uint64_t>(kMemoryCapMargin, cap / 4) < cap) return std::nullopt;
  return Trap{TrapKind::kOutOfMemory, "memory cap of " + std::to_string(cap) + " bytes reached (linear memory at " +
                                          std::to_string(linear) + " bytes, kernel memory at " +
                                          std::to_string(kernel) + " bytes): " + Clip(detail)};
}

}  // namespace pier::internal
