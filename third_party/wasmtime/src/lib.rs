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
