//! Re-exports Wasmtime's C API so that every `wasm_*` / `wasmtime_*` symbol ends
//! up in the static archive Pier links against.
pub use wasmtime_c_api::*;
