// Owning handles and helpers over Wasmtime's C API.
//
// Pier uses the C API rather than `wasmtime.hh`: with the minimal feature set
// (no `gc`), Wasmtime 48's C++ headers do not compile (they name GC types
// unconditionally), and the raw "unchecked" host-call path is the fastest one.
//
//   ModulePtr module = ...;
//   if (wasmtime_error_t* e = wasmtime_module_new(engine, bytes, n, &raw)) {
//     return InvalidArgumentError(TakeErrorMessage(e));
//   }
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <wasmtime.h>

// Pier's additions to the C API (third_party/wasmtime/src/lib.rs).
extern "C" {
// A store's limits replaced through its context, as wasmtime_store_limiter
// does through the store; callable from a host function.
void pier_context_set_limits(wasmtime_context_t* context, int64_t memory_size, int64_t table_elements,
                             int64_t instances, int64_t tables, int64_t memories);
// Keep modules' DWARF so trap backtraces carry file:line (changes compiled code).
void pier_config_backtrace_details_set(wasm_config_t* config, bool enable);
// An engine from `config` (consumed), or null with the reason in `why` where
// wasm_engine_new_with_config would abort (e.g. address space not reservable).
wasm_engine_t* pier_engine_try_new(wasm_config_t* config, wasm_byte_vec_t* why);
// Reset reused pooling slots by the pages Linux says were touched
// (PAGEMAP_SCAN, 6.7+; ignored where the kernel lacks it).
void pier_pooling_pagemap_scan_set(wasmtime_pooling_allocation_config_t* config, bool enable);
// Capture a Wasm core dump on every trap.
void pier_config_coredump_on_trap_set(wasm_config_t* config, bool enable);
// The core dump attached to `trap` (or `error`; one is null), serialised into
// `out` as a Wasm core dump file; false when none is attached.
bool pier_trap_coredump(wasmtime_context_t* context, const wasm_trap_t* trap, const wasmtime_error_t* error,
                        const char* name, size_t name_len, wasm_byte_vec_t* out);
// One line per backtrace frame (wasm_trap_trace's order): the demangled
// function name, then "\tfile:line[:column]" per DWARF symbol, innermost
// first. False when there is no backtrace.
bool pier_trap_frame_details(const wasm_trap_t* trap, const wasmtime_error_t* error, wasm_byte_vec_t* out);
// The failure's causes without Wasmtime's backtrace and core-dump layers,
// joined by ": ".
bool pier_trap_cause(const wasm_trap_t* trap, const wasmtime_error_t* error, wasm_byte_vec_t* out);
}

namespace pier::internal {

struct EngineDeleter {
  void operator()(wasm_engine_t* p) const { wasm_engine_delete(p); }
};
struct ModuleDeleter {
  void operator()(wasmtime_module_t* p) const { wasmtime_module_delete(p); }
};
struct StoreDeleter {
  void operator()(wasmtime_store_t* p) const { wasmtime_store_delete(p); }
};
struct LinkerDeleter {
  void operator()(wasmtime_linker_t* p) const { wasmtime_linker_delete(p); }
};
struct InstancePreDeleter {
  void operator()(wasmtime_instance_pre_t* p) const { wasmtime_instance_pre_delete(p); }
};

using EnginePtr = std::unique_ptr<wasm_engine_t, EngineDeleter>;
using StorePtr = std::unique_ptr<wasmtime_store_t, StoreDeleter>;
using LinkerPtr = std::unique_ptr<wasmtime_linker_t, LinkerDeleter>;
using InstancePrePtr = std::unique_ptr<wasmtime_instance_pre_t, InstancePreDeleter>;
// Compiled modules are shared by every plugin loaded from the same bytes.
using SharedModule = std::shared_ptr<wasmtime_module_t>;

inline SharedModule ShareModule(wasmtime_module_t* m) { return SharedModule(m, ModuleDeleter()); }

// Message of `error`, which is deleted.
inline std::string TakeErrorMessage(wasmtime_error_t* error) {
  wasm_byte_vec_t msg;
  wasmtime_error_message(error, &msg);
  std::string out(msg.data, msg.size);
  wasm_byte_vec_delete(&msg);
  wasmtime_error_delete(error);
  return out;
}

// An engine error in one line: "what: why (at offset N)". Wasmtime's
// messages run over many lines ("Caused by:", indented causes, byte dumps).
inline std::string OneLine(const std::string& message) {
  std::string out;
  size_t pos = 0;
  bool take_next = true;  // the first line, and the first line after "Caused by:"
  while (pos < message.size()) {
    const size_t nl = std::min(message.find('\n', pos), message.size());
    std::string line = message.substr(pos, nl - pos);
    pos = nl + 1;
    const size_t text = line.find_first_not_of(" \t");
    line = text == std::string::npos ? "" : line.substr(text);
    if (line.rfind("Caused by:", 0) == 0) {
      take_next = true;
      continue;
    }
    // Numbered causes ("0: ...", "1: ...") are each taken.
    const size_t digits = line.find_first_not_of("0123456789");
    const bool numbered = digits != std::string::npos && digits > 0 && line.compare(digits, 2, ": ") == 0;
    if (numbered) line = line.substr(digits + 2);
    if (line.empty() || !(take_next || numbered)) continue;
    if (const size_t dump = line.find(" - expected="); dump != std::string::npos) line.resize(dump);
    out += (out.empty() ? "" : ": ") + line;
    take_next = false;
  }
  if (const size_t at = message.rfind("(at offset "); at != std::string::npos) {
    const size_t close = message.find(')', at);
    const std::string offset = message.substr(at, close == std::string::npos ? std::string::npos : close - at + 1);
    if (out.find(offset) == std::string::npos) out += " " + offset;
  }
  return out;
}

struct ModuleImport {
  std::string module;
  std::string name;
  wasm_externkind_t kind;
};

// Every import of `module`, in order.
inline std::vector<ModuleImport> ModuleImports(const wasmtime_module_t* module) {
  wasm_importtype_vec_t imports;
  wasmtime_module_imports(module, &imports);
  std::vector<ModuleImport> out;
  for (size_t i = 0; i < imports.size; ++i) {
    const wasm_name_t* m = wasm_importtype_module(imports.data[i]);
    const wasm_name_t* n = wasm_importtype_name(imports.data[i]);
    out.push_back({std::string(m->data, m->size), std::string(n->data, n->size),
                   wasm_externtype_kind(wasm_importtype_type(imports.data[i]))});
  }
  wasm_importtype_vec_delete(&imports);
  return out;
}

}  // namespace pier::internal
