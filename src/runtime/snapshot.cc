#include "runtime/snapshot.h"

#include <time.h>

#include <cstring>
#include <set>
#include <spdlog/spdlog.h>

#include "common/sha256.h"
#include "runtime/bindings.h"
#include "runtime/cache_file.h"
#include "runtime/host_call.h"
#include "runtime/instance_state.h"

namespace pier::internal {

namespace {

// Bump when the sandbox or the snapshot's format changes what a snapshot holds.
constexpr int kSnapshotFormat = 1;
constexpr std::string_view kMagic = "PIERSNP1";
constexpr size_t kMaxHeader = 8192;
constexpr size_t kMaxInMemory = 256;  // snapshots remembered in memory

uint64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

using S = InstanceState;
using I32 = int32_t;
using I64 = int64_t;

// The WASI functions a runtime's start-up may call while a snapshot is taken,
// each recording what it read. The rest of WASI refuses (below).
constexpr auto kClockTimeGet = +[](S& s, I32 id, I64 p, I32 out) {
  s.init_reads->clock = true;
  return s.wasi.ClockTimeGet(s.Guest(), id, p, out);
};
constexpr auto kClockResGet = +[](S& s, I32 id, I32 out) {
  s.init_reads->clock = true;
  return s.wasi.ClockResGet(s.Guest(), id, out);
};
constexpr auto kRandomGet = +[](S& s, I32 buf, I32 len) {
  s.init_reads->random = true;
  return s.wasi.RandomGet(s.Guest(), buf, len);
};
constexpr auto kArgsGet = +[](S& s, I32 a, I32 b) {
  s.init_reads->environment = true;
  return s.wasi.ArgsGet(s.Guest(), a, b);
};
constexpr auto kArgsSizesGet = +[](S& s, I32 a, I32 b) {
  s.init_reads->environment = true;
  return s.wasi.ArgsSizesGet(s.Guest(), a, b);
};
constexpr auto kFdWrite = +[](S& s, I32 fd, I32 iov, I32 n, I32 out) {
  s.init_reads->output = true;
  return s.wasi.FdWrite(s.Guest(), fd, iov, n, out);
};

// Go's runtime sets the standard streams' flags at start-up, and may stat
// them; on them Pier keeps nothing. On a file or directory either would be
// state outside memory (or could change before an instance runs).
constexpr auto kFdFdstatSetFlags = +[](S& s, I32 fd, I32 flags) -> Result<I32> {
  if (Wasi::IsStdio(fd)) return s.wasi.FdFdstatSetFlags(s.Guest(), fd, flags);
  return FailedPreconditionError("its initialiser calls wasi_snapshot_preview1::fd_fdstat_set_flags on descriptor " +
                                 std::to_string(fd) + ", state a snapshot cannot hold");
};
constexpr auto kFdFilestatGet = +[](S& s, I32 fd, I32 out) -> Result<I32> {
  if (Wasi::IsStdio(fd)) return s.wasi.FdFilestatGet(s.Guest(), fd, out);
  return FailedPreconditionError("its initialiser calls wasi_snapshot_preview1::fd_filestat_get on descriptor " +
                                 std::to_string(fd) + ", which may change before an instance runs");
};

Status DefineRecordingWasi(wasmtime_linker_t* l) {
  PIER_RETURN_IF_ERROR((DefineHostCall<kFdFdstatSetFlags>(l, kWasiModule, "fd_fdstat_set_flags")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kFdFilestatGet>(l, kWasiModule, "fd_filestat_get")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kClockTimeGet>(l, kWasiModule, "clock_time_get")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kClockResGet>(l, kWasiModule, "clock_res_get")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kRandomGet>(l, kWasiModule, "random_get")));
  // Pier has no arguments and no environment: both answer the same (empty).
  PIER_RETURN_IF_ERROR((DefineHostCall<kArgsGet>(l, kWasiModule, "args_get")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kArgsSizesGet>(l, kWasiModule, "args_sizes_get")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kArgsGet>(l, kWasiModule, "environ_get")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kArgsSizesGet>(l, kWasiModule, "environ_sizes_get")));
  PIER_RETURN_IF_ERROR((DefineHostCall<kFdWrite>(l, kWasiModule, "fd_write")));
  return OkStatus();
}

// Allowed as Pier defines them: they read the instance's fixed set-up (the
// standard streams and the pre-opened directories, the same in every
// instance) or do nothing lasting.
const std::set<std::string, std::less<>>& PlainWasiAllowed() {
  static const std::set<std::string, std::less<>> names = {"fd_fdstat_get", "fd_prestat_get", "fd_prestat_dir_name",
                                                           "sched_yield"};
  return names;
}
// The names DefineRecordingWasi defines.
const std::set<std::string, std::less<>>& RecordedWasi() {
  static const std::set<std::string, std::less<>> names = NamesDefinedBy(&DefineRecordingWasi, kWasiModule);
  return names;
}

// Env of a refusing import: its name, for the message.
wasm_trap_t* Refuse(void* env, wasmtime_caller_t* caller, wasmtime_val_raw_t*, size_t) {
  const std::string& name = *static_cast<const std::string*>(env);
  return StateOf(caller).Stop(FailedPreconditionError("its initialiser calls " + name +
                                                      ", whose answer cannot be frozen into a snapshot"));
}

// The failure's causes in one line (and deletes `trap` and `error`).
std::string Cause(wasm_trap_t* trap, wasmtime_error_t* error) {
  wasm_byte_vec_t cause{};
  std::string out = "unknown failure";
  if (pier_trap_cause(trap, error, &cause)) {
    out.assign(cause.data, cause.size);
    wasm_byte_vec_delete(&cause);
  }
  if (trap != nullptr) wasm_trap_delete(trap);
  if (error != nullptr) wasmtime_error_delete(error);
  return out;
}

// One snapshot being taken: the instrumented module's instance, alive from
// `run` until Wizer has read its state back.
class SnapshotRun {
 public:
  SnapshotRun(const EngineFlavor& engine, EpochTicker& ticker, const std::string& init, const PluginShared& shared)
      : engine_(engine), ticker_(ticker), init_(init), shared_(shared),
        state_(std::make_unique<InstanceState>(&shared, nullptr)) {
    state_->init_reads = &reads_;
  }
  ~SnapshotRun() { store_.reset(); }  // before the module and linker it was made from

  Status Run(std::span<const uint8_t> instrumented);
  bool Global(std::string_view name, uint8_t out[16]);
  bool Memory(std::string_view name, const uint8_t** data, size_t* size);

  const InitReads& reads() const { return reads_; }
  // A refusal that will hold next time too; any refusal before Run (Wizer's:
  // a feature it cannot capture) does.
  bool lasting() const { return lasting_ || !started_; }

 private:
  Status Link(wasmtime_linker_t* linker);

  const EngineFlavor& engine_;
  EpochTicker& ticker_;
  const std::string& init_;
  const PluginShared& shared_;
  InitReads reads_;
  bool started_ = false;
  bool lasting_ = false;
  std::vector<std::unique_ptr<std::string>> refused_names_;  // envs of the refusing imports
  std::unique_ptr<InstanceState> state_;
  SharedModule module_;
  LinkerPtr linker_;
  StorePtr store_;
  wasmtime_context_t* context_ = nullptr;
  wasmtime_instance_t instance_{};
};

Status SnapshotRun::Link(wasmtime_linker_t* linker) {
  wasmtime_linker_allow_shadowing(linker, true);
  PIER_RETURN_IF_ERROR(DefineWasiImports(linker));
  PIER_RETURN_IF_ERROR(DefineRecordingWasi(linker));
  wasm_importtype_vec_t imports;
  wasmtime_module_imports(module_.get(), &imports);
  Status status = OkStatus();
  for (size_t i = 0; i < imports.size && status.ok(); ++i) {
    const wasm_name_t* m = wasm_importtype_module(imports.data[i]);
    const wasm_name_t* n = wasm_importtype_name(imports.data[i]);
    const std::string module(m->data, m->size), name(n->data, n->size);
    if (module == kWasiModule && (PlainWasiAllowed().contains(name) || RecordedWasi().contains(name))) continue;
    const wasm_externtype_t* type = wasm_importtype_type(imports.data[i]);
    const wasm_functype_t* ft = wasm_externtype_as_functype_const(type);
    if (ft == nullptr) {
      lasting_ = true;
      status = FailedPreconditionError("it imports " + module + "::" + name + ", which is not a function");
      break;
    }
    refused_names_.push_back(std::make_unique<std::string>(module + "::" + name));
    if (wasmtime_error_t* e = wasmtime_linker_define_func_unchecked(linker, module.data(), module.size(), name.data(),
                                                                   name.size(), ft, &Refuse,
                                                                   refused_names_.back().get(), nullptr)) {
      status = InternalError("defining " + module + "::" + name + ": " + TakeErrorMessage(e));
    }
  }
  wasm_importtype_vec_delete(&imports);
  return status;
}

Status SnapshotRun::Run(std::span<const uint8_t> instrumented) {
  started_ = true;
  wasmtime_module_t* raw = nullptr;
  if (wasmtime_error_t* e = wasmtime_module_new(engine_.engine.get(), instrumented.data(), instrumented.size(), &raw)) {
    lasting_ = true;
    return FailedPreconditionError("the instrumented module does not compile: " + OneLine(TakeErrorMessage(e)));
  }
  module_ = ShareModule(raw);
  linker_.reset(wasmtime_linker_new(engine_.engine.get()));
  PIER_RETURN_IF_ERROR(Link(linker_.get()));

  const PluginOptions& options = shared_.options;
  store_.reset(wasmtime_store_new(engine_.engine.get(), state_.get(), nullptr));
  state_->AttachStore(store_.get());
  context_ = state_->context;
  CallState call;
  call.timeout = options.timeout;
  if (options.timeout.count() > 0) call.deadline = Clock::now() + options.timeout;
  state_->Arm(call);
  state_->wasi.BeginCall(&state_->call);
  struct EndCall {
    InstanceState* s;
    ~EndCall() { s->wasi.EndCall(); }
  } end{state_.get()};

  EpochTicker::ActiveCall active(ticker_);
  wasm_trap_t* trap = nullptr;
  if (wasmtime_error_t* e = wasmtime_linker_instantiate(linker_.get(), context_, module_.get(), &instance_, &trap)) {
    return FailedPreconditionError("it cannot be instantiated: " + OneLine(TakeErrorMessage(e)));
  }
  if (trap != nullptr) return FailedPreconditionError("its start function trapped: " + Cause(trap, nullptr));
  state_->FindMemory(instance_);
  wasmtime_extern_t item;
  if (!wasmtime_instance_export_get(context_, &instance_, init_.data(), init_.size(), &item) ||
      item.kind != WASMTIME_EXTERN_FUNC) {
    lasting_ = true;
    return FailedPreconditionError("it exports no function " + init_);
  }
  wasmtime_func_t func = item.of.func;
  wasmtime_error_t* error = wasmtime_func_call(context_, &func, nullptr, 0, nullptr, 0, &trap);
  if (error == nullptr && trap == nullptr) return OkStatus();

  std::string why = Cause(trap, error);
  if (state_->stop) {
    // A refused import says so itself; a timeout or cancellation is not lasting.
    lasting_ = state_->stop->code() == StatusCode::kFailedPrecondition;
    if (lasting_) return FailedPreconditionError(state_->stop->message());
    return FailedPreconditionError("its initialiser " + init_ + " did not finish: " + state_->stop->message());
  }
  if (auto code = state_->wasi.exit_code()) {
    lasting_ = true;
    return FailedPreconditionError("its initialiser " + init_ + " called proc_exit(" + std::to_string(*code) + ")");
  }
  return FailedPreconditionError("its initialiser " + init_ + " failed: " + why);
}

bool SnapshotRun::Global(std::string_view name, uint8_t out[16]) {
  wasmtime_extern_t item;
  if (context_ == nullptr || !wasmtime_instance_export_get(context_, &instance_, name.data(), name.size(), &item)) {
    return false;
  }
  if (item.kind != WASMTIME_EXTERN_GLOBAL) {
    wasmtime_extern_delete(&item);
    return false;
  }
  wasmtime_val_t value;
  wasmtime_global_get(context_, &item.of.global, &value);
  bool ok = true;
  switch (value.kind) {
    case WASMTIME_I32: std::memcpy(out, &value.of.i32, 4); break;
    case WASMTIME_I64: std::memcpy(out, &value.of.i64, 8); break;
    case WASMTIME_F32: std::memcpy(out, &value.of.f32, 4); break;
    case WASMTIME_F64: std::memcpy(out, &value.of.f64, 8); break;
    case WASMTIME_V128: std::memcpy(out, value.of.v128, 16); break;
    default: ok = false; break;
  }
  wasmtime_val_unroot(&value);
  wasmtime_extern_delete(&item);
  return ok;
}

bool SnapshotRun::Memory(std::string_view name, const uint8_t** data, size_t* size) {
  wasmtime_extern_t item;
  if (context_ == nullptr || !wasmtime_instance_export_get(context_, &instance_, name.data(), name.size(), &item)) {
    return false;
  }
  const bool ok = item.kind == WASMTIME_EXTERN_MEMORY;
  if (ok) {
    *data = wasmtime_memory_data(context_, &item.of.memory);
    *size = wasmtime_memory_data_size(context_, &item.of.memory);
  }
  wasmtime_extern_delete(&item);
  return ok;
}

// The callbacks pier_snapshot_module makes, onto a SnapshotRun.
bool RunCallback(void* user, const uint8_t* wasm, size_t len, wasm_byte_vec_t* why) {
  Status st = static_cast<SnapshotRun*>(user)->Run({wasm, len});
  if (st.ok()) return true;
  wasm_byte_vec_new(why, st.message().size(), st.message().data());
  return false;
}
bool GlobalCallback(void* user, const uint8_t* name, size_t len, uint8_t* out) {
  return static_cast<SnapshotRun*>(user)->Global({reinterpret_cast<const char*>(name), len}, out);
}
bool MemoryCallback(void* user, const uint8_t* name, size_t len, const uint8_t** data, size_t* size) {
  return static_cast<SnapshotRun*>(user)->Memory({reinterpret_cast<const char*>(name), len}, data, size);
}

std::string_view AsChars(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
std::span<const uint8_t> AsBytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// One line: no newline can break the header.
std::string Flat(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

extern "C" {
struct pier_snapshot_host_t {
  void* user;
  bool (*run)(void*, const uint8_t*, size_t, wasm_byte_vec_t*);
  bool (*global_get)(void*, const uint8_t*, size_t, uint8_t*);
  bool (*memory)(void*, const uint8_t*, size_t, const uint8_t**, size_t*);
};
bool pier_snapshot_module(const uint8_t* wasm, size_t wasm_len, const char* init_func, size_t init_func_len,
                          const pier_snapshot_host_t* host, wasm_byte_vec_t* out, wasm_byte_vec_t* why);
}

namespace {

// Each kind of read: its flag, its word in a cache header, its words for people.
struct ReadKind {
  bool InitReads::*flag;
  std::string_view word;
  std::string_view text;
};
constexpr ReadKind kReadKinds[] = {
    {&InitReads::clock, "clock", "clock"},
    {&InitReads::random, "random", "random bytes"},
    {&InitReads::environment, "environment", "arguments and environment"},
    {&InitReads::output, "output", "output"},
};

// The `field` of every kind set in `reads`, joined by `separator`.
std::string JoinReads(const InitReads& reads, std::string_view ReadKind::*field, std::string_view separator) {
  std::string out;
  for (const ReadKind& k : kReadKinds) {
    if (!(reads.*k.flag)) continue;
    if (!out.empty()) out += separator;
    out += k.*field;
  }
  return out;
}

}  // namespace

std::string InitReads::Describe() const {
  const std::string out = JoinReads(*this, &ReadKind::text, ", ");
  return out.empty() ? "nothing" : out;
}

std::string InitReads::Encode() const { return JoinReads(*this, &ReadKind::word, ","); }

InitReads InitReads::Decode(std::string_view text) {
  InitReads r;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view word = text.substr(pos, comma - pos);
    for (const ReadKind& k : kReadKinds) r.*k.flag |= word == k.word;
    pos = comma + 1;
  }
  return r;
}

uint64_t SnapshotEntry::MonotonicOffsetNs() const {
  const uint64_t now = MonotonicNs();
  return monotonic_ns > now ? monotonic_ns - now + 1'000'000 : 0;
}

Result<TakenSnapshot> TakeSnapshot(const EngineFlavor& engine, EpochTicker& ticker, std::span<const uint8_t> wasm,
                                   const std::string& init, const PluginShared& shared, SnapshotRefusal* refusal) {
  SnapshotRun run(engine, ticker, init, shared);
  const pier_snapshot_host_t host{&run, &RunCallback, &GlobalCallback, &MemoryCallback};
  wasm_byte_vec_t out{}, why{};
  const bool ok = pier_snapshot_module(wasm.data(), wasm.size(), init.data(), init.size(), &host, &out, &why);
  std::string reason(why.data == nullptr ? "" : std::string(why.data, why.size));
  wasm_byte_vec_delete(&why);
  if (!ok) {
    wasm_byte_vec_delete(&out);
    if (refusal != nullptr) *refusal = {reason, run.lasting()};
    return FailedPreconditionError(reason);
  }
  TakenSnapshot taken{std::string(out.data, out.size), run.reads(), MonotonicNs()};
  wasm_byte_vec_delete(&out);
  return taken;
}

SnapshotEntry SnapshotCache::Get(const EngineFlavor& engine, std::span<const uint8_t> wasm, const std::string& init,
                                 const PluginShared& shared) {
  std::string inputs = "snapshot=" + std::to_string(kSnapshotFormat) + "\nwasm_sha256=" + Sha256Hex(AsChars(wasm)) +
                       "\ninit=" + init + "\nmemory_cap=" + std::to_string(shared.options.max_memory_bytes) +
                       "\nmounts=";
  for (const DirectoryMount& m : shared.options.mounts) inputs += m.guest + (m.read_only ? ":ro;" : ":rw;");
  const std::string key = Sha256Hex(inputs);
  const std::string memory_key = engine.fingerprint + "|" + key;
  {
    MutexLock lock(mu_);
    if (auto it = memory_.find(memory_key); it != memory_.end()) return it->second;
  }
  SnapshotEntry entry;
  bool keep = true;  // remembered for this process: a snapshot or a lasting refusal
  if (!LoadEntry(engine, key, &entry)) {
    SnapshotRefusal refusal;
    auto taken = TakeSnapshot(engine, *ticker_, wasm, init, shared, &refusal);
    if (taken.ok()) {
      auto module = modules_->Get(engine, AsBytes(taken->wasm));
      if (module.ok()) {
        entry.module = std::move(*module);
        entry.reads = taken->reads;
        entry.monotonic_ns = taken->monotonic_ns;
        StoreEntry(key, &*taken, "");
      } else {
        entry.refused = "the snapshot does not compile: " + module.status().message();
        StoreEntry(key, nullptr, entry.refused);
      }
    } else {
      entry.refused = taken.status().message();
      keep = refusal.lasting;
      if (refusal.lasting) StoreEntry(key, nullptr, entry.refused);
    }
  }
  if (!keep) return entry;  // a trap or timeout: the next load tries again
  MutexLock lock(mu_);
  // Plugins hold their own reference, so clearing loses nothing in use.
  if (memory_.size() >= kMaxInMemory) memory_.clear();
  memory_.emplace(memory_key, entry);
  return entry;
}

bool SnapshotCache::LoadEntry(const EngineFlavor& engine, const std::string& key, SnapshotEntry* out) {
  if (dir_.empty()) return false;
  const std::filesystem::path path = dir_ / (key + ".snapshot");
  CacheFile file;
  std::string why;
  if (!ReadCacheFile(path, kMagic, kMaxHeader, &file, &why)) return false;
  auto reject = [&](std::string_view why) {
    spdlog::warn("snapshot cache: ignoring {} ({}); taking the snapshot again", path.string(), why);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return false;
  };
  if (!why.empty()) return reject(why);
  const std::string_view header = file.header, payload = file.payload;
  const std::string payload_sha = Sha256Hex(payload);
  if (CacheHeaderValue(header, "key") != key ||
      CacheHeaderValue(header, "payload_length") != std::to_string(payload.size()) ||
      CacheHeaderValue(header, "payload_sha256") != payload_sha) {
    return reject("made for other inputs, or damaged");
  }
  if (auto refused = CacheHeaderValue(header, "refused")) {
    out->refused = *refused;
    out->from_disk = true;
    return true;
  }
  auto module = modules_->Get(engine, AsBytes(payload), payload_sha);
  if (!module.ok()) return reject(module.status().message());
  out->module = std::move(*module);
  out->reads = InitReads::Decode(CacheHeaderValue(header, "reads").value_or(""));
  out->monotonic_ns = std::strtoull(CacheHeaderValue(header, "monotonic_ns").value_or("0").c_str(), nullptr, 10);
  out->from_disk = true;
  return true;
}

void SnapshotCache::StoreEntry(const std::string& key, const TakenSnapshot* taken, const std::string& refused) {
  if (dir_.empty()) return;
  const std::string_view payload = taken != nullptr ? std::string_view(taken->wasm) : std::string_view();
  std::string header = "format=" + std::to_string(kSnapshotFormat) + "\nkey=" + key + "\n";
  if (taken != nullptr) {
    header += "reads=" + taken->reads.Encode() + "\nmonotonic_ns=" + std::to_string(taken->monotonic_ns) + "\n";
  } else {
    header += "refused=" + Flat(refused) + "\n";
  }
  header += "payload_length=" + std::to_string(payload.size()) + "\npayload_sha256=" + Sha256Hex(payload) + "\n";
  if (header.size() > kMaxHeader) return;
  WriteCacheFile(dir_ / (key + ".snapshot"), kMagic, header, payload, "snapshot cache");
}

}  // namespace pier::internal
