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

use wasmtime_c_api::wasmtime::{
    Config, Enabled, Engine, Error, PoolingAllocationConfig, WasmBacktrace, WasmBacktraceDetails, WasmCoreDump,
};

const _: () = {
    assert!(std::mem::size_of::<wasm_engine_t>() == std::mem::size_of::<Engine>());
    assert!(std::mem::size_of::<wasm_config_t>() == std::mem::size_of::<Config>());
    assert!(
        std::mem::size_of::<wasmtime_pooling_allocation_config_t>()
            == std::mem::size_of::<PoolingAllocationConfig>()
    );
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

/// An engine from `c` (which is consumed), or null with the reason in `why`:
/// unlike `wasm_engine_new_with_config`, a configuration that cannot be
/// honoured (a pooling allocator whose address space cannot be reserved)
/// does not end the process.
#[unsafe(no_mangle)]
pub extern "C" fn pier_engine_try_new(
    mut c: Box<wasm_config_t>,
    why: &mut wasm_byte_vec_t,
) -> Option<Box<wasm_engine_t>> {
    match Engine::new(config_of(&mut c)) {
        // SAFETY: wasm_engine_t is a repr(C) struct whose one field is the engine.
        Ok(engine) => Some(unsafe { Box::from_raw(Box::into_raw(Box::new(engine)) as *mut wasm_engine_t) }),
        Err(e) => {
            why.set_buffer(format!("{e:#}").into_bytes());
            None
        }
    }
}

/// Reset a reused pooling slot's memory by asking Linux (6.7+, the
/// PAGEMAP_SCAN ioctl) which pages the last instance touched, restoring only
/// those in place (up to the keep-resident size) instead of every kept byte.
/// `Auto`: used where the kernel has it.
#[unsafe(no_mangle)]
pub extern "C" fn pier_pooling_pagemap_scan_set(c: &mut wasmtime_pooling_allocation_config_t, enable: bool) {
    // SAFETY: a repr(C) struct whose one field is the config; sizes asserted equal.
    let config = unsafe { &mut *(c as *mut wasmtime_pooling_allocation_config_t as *mut PoolingAllocationConfig) };
    config.pagemap_scan(if enable { Enabled::Auto } else { Enabled::No });
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

// ---------------------------------------------------------------------------
// Snapshots of initialised plugins, with wasmtime-wizer. Wizer does the module
// surgery only: `instrument` exports every memory and mutable global of the
// module, and `snapshot` writes a new module whose data segments and global
// initialisers are the state read back. Running the initialiser in between is
// Pier's job (its own WASI, every host import refused), through `run`.

use std::ffi::c_void;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

/// What Pier provides while a snapshot is taken. Every callback gets `user`.
#[repr(C)]
pub struct pier_snapshot_host_t {
    pub user: *mut c_void,
    /// Instantiates the instrumented module and runs its initialiser. False
    /// (with a reason in `why`) when it failed or touched what it must not.
    pub run: extern "C" fn(*mut c_void, *const u8, usize, &mut wasm_byte_vec_t) -> bool,
    /// The value of the instance's exported global `name`, as little-endian
    /// bits in `out` (4, 8 or 16 bytes used). False when there is none.
    pub global_get: extern "C" fn(*mut c_void, *const u8, usize, *mut u8) -> bool,
    /// The bytes of the instance's exported memory `name`. False when none.
    pub memory: extern "C" fn(*mut c_void, *const u8, usize, &mut *const u8, &mut usize) -> bool,
}

struct HostInstance<'a> {
    host: &'a pier_snapshot_host_t,
    failed: Option<String>,
}

// SAFETY: the host's callbacks are called on this thread only, while
// `pier_snapshot_module` runs; the futures never leave it.
unsafe impl Send for HostInstance<'_> {}

impl InstanceState for HostInstance<'_> {
    fn global_get(&mut self, name: &str, ty: ValType) -> impl Future<Output = SnapshotVal> + Send {
        let mut bits = [0u8; 16];
        if !(self.host.global_get)(self.host.user, name.as_ptr(), name.len(), bits.as_mut_ptr()) {
            self.failed.get_or_insert_with(|| format!("the instance has no global {name}"));
        }
        let value = match ty {
            ValType::I32 => SnapshotVal::I32(i32::from_le_bytes(bits[..4].try_into().unwrap())),
            ValType::I64 => SnapshotVal::I64(i64::from_le_bytes(bits[..8].try_into().unwrap())),
            ValType::F32 => SnapshotVal::F32(u32::from_le_bytes(bits[..4].try_into().unwrap())),
            ValType::F64 => SnapshotVal::F64(u64::from_le_bytes(bits[..8].try_into().unwrap())),
            _ => SnapshotVal::V128(u128::from_le_bytes(bits)),
        };
        std::future::ready(value)
    }

    fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) -> impl Future<Output = ()> + Send {
        let (mut data, mut len) = (std::ptr::null(), 0usize);
        if (self.host.memory)(self.host.user, name.as_ptr(), name.len(), &mut data, &mut len) && !data.is_null() {
            // SAFETY: the host hands out the live memory of the instance it
            // ran, which stays untouched until this call returns.
            contents(unsafe { std::slice::from_raw_parts(data, len) });
        } else {
            self.failed.get_or_insert_with(|| format!("the instance has no memory {name}"));
            contents(&[]);
        }
        std::future::ready(())
    }
}

/// Polls a future that never waits (every await in Wizer's snapshot resolves
/// at once with the state above) to its end.
fn run_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// Zero bytes between two snapshot segments below which they become one.
const MERGE_GAP: u64 = 64 * 1024;

/// Rewrites the snapshot's data section with as few segments as it can:
/// Wasmtime fills one entry per segment in every instance it makes, and a
/// snapshot has many. Wizer keeps an empty passive segment in place of each
/// original active one (Go emits tens of thousands), so that segment indices
/// stay valid for `memory.init` and `data.drop`; a module without a data
/// count section cannot use either, and those are dropped. The trailing run
/// of active segments (the snapshot's own, up to 10,000 small ones) becomes
/// a few large ones; the zeros merged in cost nothing at run time (the
/// memory image is mapped copy-on-write).
fn pack_data_segments(wasm: &[u8]) -> wasmtime_c_api::wasmtime::Result<Vec<u8>> {
    use wasmparser::{BinaryReader, DataKind, DataSectionReader, Operator};
    struct Active {
        memory: u32,
        is64: bool,
        offset: u64,
        data: Vec<u8>,
    }
    enum Segment<'a> {
        Kept(wasmparser::Data<'a>),
        Active(Active),
    }
    // The sections, raw; the data section replaced, and the data count
    // (which comes before the code) set to its new number of segments.
    let mut sections: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut reader = BinaryReader::new(&wasm[8..], 8);
    let mut count = None;
    let indexed = wasmparser::Parser::new(0)
        .parse_all(wasm)
        .any(|p| matches!(p, Ok(wasmparser::Payload::DataCountSection { .. })));
    while !reader.eof() {
        let id = reader.read_u8()?;
        let size = reader.read_var_u32()? as usize;
        let start = reader.original_position();
        let body = reader.read_bytes(size)?;
        if id != 11 {
            sections.push((id, body.to_vec()));
            continue;
        }
        let mut segments: Vec<Segment> = Vec::new();
        for data in DataSectionReader::new(BinaryReader::new(body, start))? {
            let data = data?;
            let active = match data.kind {
                DataKind::Active { memory_index, ref offset_expr } => {
                    let mut ops = offset_expr.get_operators_reader();
                    match (ops.read()?, ops.read()?) {
                        (Operator::I32Const { value }, Operator::End) => {
                            Some((memory_index, false, value as u32 as u64))
                        }
                        (Operator::I64Const { value }, Operator::End) => Some((memory_index, true, value as u64)),
                        _ => None,
                    }
                }
                DataKind::Passive if !indexed => continue,
                DataKind::Passive => None,
            };
            match active {
                Some((memory, is64, offset)) => {
                    segments.push(Segment::Active(Active { memory, is64, offset, data: data.data.to_vec() }))
                }
                None => segments.push(Segment::Kept(data)),
            }
        }
        let tail = segments.iter().rposition(|s| matches!(s, Segment::Kept(_))).map_or(0, |i| i + 1);
        let mut packed: Vec<Segment> = Vec::with_capacity(segments.len());
        for (i, segment) in segments.into_iter().enumerate() {
            if let (true, Segment::Active(b), Some(Segment::Active(a))) = (i >= tail, &segment, packed.last_mut()) {
                let end = a.offset + a.data.len() as u64;
                if a.memory == b.memory && a.is64 == b.is64 && b.offset >= end && b.offset - end <= MERGE_GAP {
                    a.data.resize((b.offset - a.offset) as usize, 0);
                    a.data.extend_from_slice(&b.data);
                    continue;
                }
            }
            packed.push(segment);
        }
        let mut section = wasm_encoder::DataSection::new();
        for segment in &packed {
            match segment {
                Segment::Active(a) => {
                    let offset = if a.is64 {
                        wasm_encoder::ConstExpr::i64_const(a.offset as i64)
                    } else {
                        wasm_encoder::ConstExpr::i32_const(a.offset as u32 as i32)
                    };
                    section.active(a.memory, &offset, a.data.iter().copied());
                }
                Segment::Kept(data) => {
                    wasm_encoder::reencode::utils::parse_data(&mut wasm_encoder::reencode::RoundtripReencoder, &mut section, data.clone())?;
                }
            }
        }
        count = Some(packed.len() as u32);
        let mut bytes = Vec::new();
        wasm_encoder::Section::append_to(&section, &mut bytes);
        sections.push((id, bytes)); // already framed
    }
    let mut out = wasm[..8].to_vec();
    for (id, body) in sections {
        match (id, count) {
            (11, _) => out.extend_from_slice(&body),
            (12, Some(n)) => wasm_encoder::Section::append_to(&wasm_encoder::DataCountSection { count: n }, &mut out),
            _ => {
                out.push(id);
                wasm_encoder::Encode::encode(&(body.len() as u32), &mut out);
                out.extend_from_slice(&body);
            }
        }
    }
    Ok(out)
}

/// Takes a snapshot of `wasm` after its export `init_func` (`_initialize` or
/// `__wasm_call_ctors`) has run: the result, in `out`, is a module whose
/// memories and globals start in that state and which no longer exports
/// `init_func`. False with the reason in `why` when the module cannot be
/// snapshotted (a feature Wizer cannot capture, or `run` refused).
#[unsafe(no_mangle)]
pub extern "C" fn pier_snapshot_module(
    wasm: *const u8,
    wasm_len: usize,
    init_func: *const u8,
    init_func_len: usize,
    host: &pier_snapshot_host_t,
    out: &mut wasm_byte_vec_t,
    why: &mut wasm_byte_vec_t,
) -> bool {
    // SAFETY: the caller passes readable buffers of the given lengths.
    let wasm = unsafe { std::slice::from_raw_parts(wasm, wasm_len) };
    let init_func = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(init_func, init_func_len) });
    let mut wizer = Wizer::new();
    wizer.init_func(init_func.as_ref());
    let (cx, instrumented) = match wizer.instrument(wasm) {
        Ok(v) => v,
        Err(e) => {
            why.set_buffer(format!("{e:#}").into_bytes());
            return false;
        }
    };
    let mut reason = wasm_byte_vec_t::default();
    if !(host.run)(host.user, instrumented.as_ptr(), instrumented.len(), &mut reason) {
        why.set_buffer(reason.take());
        return false;
    }
    let mut instance = HostInstance { host, failed: None };
    let result = run_ready(wizer.snapshot(&cx, &mut instance));
    if let Some(failed) = instance.failed {
        why.set_buffer(failed.into_bytes());
        return false;
    }
    match result.and_then(|bytes| pack_data_segments(&bytes)) {
        Ok(bytes) => {
            out.set_buffer(bytes);
            true
        }
        Err(e) => {
            why.set_buffer(format!("{e:#}").into_bytes());
            false
        }
    }
}
