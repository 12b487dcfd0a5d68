//! Re-exports Wasmtime's C API so that every `wasm_*` / `wasmtime_*` symbol ends
//! up in the static archive Pier links against, plus the one function Pier
//! needs that the C API lacks.
pub use wasmtime_c_api::*;

use wasmtime_c_api::wasmtime::StoreLimitsBuilder;

/// Replaces a store's limits through its context, which (unlike
/// `wasmtime_store_limiter`, which needs the store itself) is what a host
/// function holds while the guest runs. Pier lowers and raises the
/// linear-memory limit as kernel memory comes and goes, so that one cap bounds
/// both. The store must already have a limiter installed with
/// `wasmtime_store_limiter`; the arguments mean the same (negative: no limit).
#[unsafe(no_mangle)]
pub extern "C" fn pier_context_set_limits(
    mut context: WasmtimeStoreContextMut<'_>,
    memory_size: i64,
    table_elements: i64,
    instances: i64,
    tables: i64,
    memories: i64,
) {
    let mut limits = StoreLimitsBuilder::new();
    if memory_size >= 0 {
        limits = limits.memory_size(memory_size as usize);
    }
    if table_elements >= 0 {
        limits = limits.table_elements(table_elements as usize);
    }
    if instances >= 0 {
        limits = limits.instances(instances as usize);
    }
    if tables >= 0 {
        limits = limits.tables(tables as usize);
    }
    if memories >= 0 {
        limits = limits.memories(memories as usize);
    }
    context.data_mut().store_limits = limits.build();
}

// ---------------------------------------------------------------------------
// Debugging a plugin that traps: settings and trap details the C API does not
// expose. `wasm_config_t`, `wasm_trap_t` and `wasmtime_error_t` are each a
// `#[repr(C)]` struct whose only field is the Wasmtime value (`Config`,
// `Error`), so that field sits at offset 0 and a pointer to the struct is a
// pointer to it. The assertions below break the build if that ever changes.

use wasmtime_c_api::wasmtime::{Config, Error, WasmBacktrace, WasmBacktraceDetails, WasmCoreDump};

const _: () = {
    assert!(std::mem::size_of::<wasm_config_t>() == std::mem::size_of::<Config>());
    assert!(std::mem::size_of::<wasm_trap_t>() == std::mem::size_of::<Error>());
    assert!(std::mem::size_of::<wasmtime_error_t>() == std::mem::size_of::<Error>());
};

fn config_of(c: &mut wasm_config_t) -> &mut Config {
    // SAFETY: see above — repr(C), single field, sizes asserted equal.
    unsafe { &mut *(c as *mut wasm_config_t as *mut Config) }
}

/// The error behind a trap or an error (whichever is non-null).
fn error_of<'a>(trap: *const wasm_trap_t, error: *const wasmtime_error_t) -> Option<&'a Error> {
    // SAFETY: see above; the caller passes live objects or null.
    unsafe {
        if !trap.is_null() {
            Some(&*(trap as *const Error))
        } else if !error.is_null() {
            Some(&*(error as *const Error))
        } else {
            None
        }
    }
}

/// Keep (or drop) a module's DWARF so that trap backtraces carry file:line.
/// It changes compiled artifacts, so it belongs in a module-cache key.
#[unsafe(no_mangle)]
pub extern "C" fn pier_config_backtrace_details_set(c: &mut wasm_config_t, enable: bool) {
    config_of(c).wasm_backtrace_details(if enable {
        WasmBacktraceDetails::Enable
    } else {
        WasmBacktraceDetails::Disable
    });
}

/// Capture a Wasm core dump (memories, globals, stack) on every trap.
#[unsafe(no_mangle)]
pub extern "C" fn pier_config_coredump_on_trap_set(c: &mut wasm_config_t, enable: bool) {
    config_of(c).coredump_on_trap(enable);
}

/// Serialises the core dump attached to a trap (or error) into `out`, as a
/// Wasm core dump file (the tool-conventions format). False when none is
/// attached (core dumps off, or the failure was not a Wasm trap). Must run
/// before anything else touches the store, whose memories it reads.
#[unsafe(no_mangle)]
pub extern "C" fn pier_trap_coredump(
    mut context: WasmtimeStoreContextMut<'_>,
    trap: *const wasm_trap_t,
    error: *const wasmtime_error_t,
    name: *const u8,
    name_len: usize,
    out: &mut wasm_byte_vec_t,
) -> bool {
    let Some(err) = error_of(trap, error) else { return false };
    let Some(dump) = err.downcast_ref::<WasmCoreDump>() else { return false };
    // SAFETY: the caller passes a readable name of name_len bytes.
    let name = unsafe { std::slice::from_raw_parts(name, name_len) };
    let name = String::from_utf8_lossy(name);
    out.set_buffer(dump.serialize(&mut context, &name));
    true
}

/// One line per frame of the trap's backtrace, in the order `wasm_trap_trace`
/// gives them: the function's demangled name (empty if it has none), then a
/// tab and the source position of each DWARF symbol the frame maps to
/// (innermost first, for inlined code), as `file:line[:column]`, tab-separated.
/// False when the failure has no backtrace.
#[unsafe(no_mangle)]
pub extern "C" fn pier_trap_frame_details(
    trap: *const wasm_trap_t,
    error: *const wasmtime_error_t,
    out: &mut wasm_byte_vec_t,
) -> bool {
    let Some(err) = error_of(trap, error) else { return false };
    let Some(trace) = err.downcast_ref::<WasmBacktrace>() else { return false };
    let mut text = String::new();
    for frame in trace.frames() {
        if let Some(name) = frame.func_name() {
            let _ = wasmtime_environ::demangle_function_name(&mut text, name);
        }
        for symbol in frame.symbols() {
            let Some(file) = symbol.file() else { continue };
            text.push('\t');
            text.push_str(file);
            if let Some(line) = symbol.line() {
                text.push_str(&format!(":{line}"));
                if let Some(column) = symbol.column() {
                    text.push_str(&format!(":{column}"));
                }
            }
        }
        text.push('\n');
    }
    out.set_buffer(text.into_bytes());
    true
}

/// The failure's message without the backtrace and core-dump layers Wasmtime
/// wraps around it: each remaining cause, outermost first, joined by ": "
/// (for a trap: "wasm trap: ..."; for a host function's error: its text).
#[unsafe(no_mangle)]
pub extern "C" fn pier_trap_cause(
    trap: *const wasm_trap_t,
    error: *const wasmtime_error_t,
    out: &mut wasm_byte_vec_t,
) -> bool {
    let Some(err) = error_of(trap, error) else { return false };
    let layers: Vec<String> = [
        err.downcast_ref::<WasmBacktrace>().map(|b| b.to_string()),
        err.downcast_ref::<WasmCoreDump>().map(|d| d.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let causes: Vec<String> = err
        .chain()
        .map(|e| e.to_string())
        .filter(|text| !layers.contains(text))
        .collect();
    out.set_buffer(causes.join(": ").into_bytes());
    true
}
