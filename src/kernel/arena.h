// KernelArena: the Extism memory of one plugin instance, kept on the host.
//
// A flat 64-bit address space of blocks. A handle is the address of a block's
// first byte; guests also use interior addresses (handle + k). Address 0 is
// never valid. Every access is checked against the live block it falls in, so
// a bad, stale or out-of-range handle can never reach memory outside the arena.
//
//   KernelArena arena(/*limit_bytes=*/64 << 20);
//   uint64_t h = arena.Alloc(5).value();
//   std::memcpy(arena.Bytes(h, 5), "hello", 5);
//   arena.Length(h);  // 5
//
// Confined to one thread at a time (it belongs to one instance).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string_view>
#include <vector>

#include "pier/status.h"

namespace pier::internal {

// The other memory of an instance that shares one cap with its arena (the
// guest's linear memory): the arena grows only while both fit under cap(),
// and reports every change of its size so the other side can be bounded by
// what is left. Implemented by the runtime; unit tests may leave it out.
class MemoryShare {
 public:
  virtual ~MemoryShare() = default;
  virtual uint64_t cap() const = 0;                   // bound on arena + others
  virtual uint64_t others() const = 0;                // bytes the others hold now
  virtual void ArenaResized(uint64_t arena_bytes) = 0;
};

class KernelArena {
 public:
  // First valid address. Below it lies nothing; 0 is the null handle.
  static constexpr uint64_t kBase = 64;

  explicit KernelArena(uint64_t limit_bytes) : limit_(limit_bytes) {}

  // Joins the arena to a shared cap (nullptr: only its own limit). `share`
  // must outlive the arena or be detached first.
  void Share(MemoryShare* share);

  // A new block of `n` bytes, zero-filled. 0 for n == 0 (Extism behaviour).
  // ResourceExhausted once the arena would exceed its limit or the shared cap.
  Result<uint64_t> Alloc(uint64_t n);
  // Copies `bytes` into a new block; 0 for empty input.
  Result<uint64_t> AllocBytes(std::string_view bytes);

  // Releases the block starting at `h`. Unknown, interior and already-free
  // handles are ignored: PDKs double-free and free host-owned blocks.
  void Free(uint64_t h);

  // The host is done with a block the guest passed it (Extism says the host
  // frees such arguments). The block stays valid and is reused only after
  // kQuarantine newer releases: PDKs disagree on who frees arguments (go-pdk
  // frees them itself, after the host call returns), and reusing the space at
  // once would let that late free destroy whatever the host allocated there
  // next. The guest's own Free() still frees it immediately.
  void Release(uint64_t h);
  static constexpr size_t kQuarantine = 64;

  // Used length of the live block starting exactly at `h`; 0 otherwise.
  uint64_t Length(uint64_t h) const;

  // Pointer to [addr, addr + n) when that range lies inside one live block,
  // else nullptr. n == 0 is allowed and needs only a live block at addr.
  uint8_t* Bytes(uint64_t addr, uint64_t n);
  // The used bytes of the live block starting at `h`; empty when none.
  std::string_view Block(uint64_t h) const;

  // Drops every block. Memory above a small floor is returned to the system,
  // so one large call does not slow later ones.
  void Reset();

  uint64_t bytes_in_use() const { return data_.size(); }
  uint64_t live_blocks() const { return live_; }
  uint64_t limit() const { return limit_; }

 private:
  struct BlockInfo {
    uint64_t start;
    uint64_t capacity;
    uint64_t used;
    bool live;
    bool released = false;  // live, but released by the host (in quarantine)
  };
  void MakeFree(size_t index);

  // Index of the block containing `addr` (live or not), or npos.
  size_t Find(uint64_t addr) const;
  static constexpr size_t kNone = static_cast<size_t>(-1);

  uint64_t limit_;
  MemoryShare* share_ = nullptr;
  std::vector<uint8_t> data_;              // address a lives at data_[a - kBase]
  std::vector<BlockInfo> blocks_;          // sorted by start; blocks never move
  std::multimap<uint64_t, size_t> free_;   // capacity -> index of a freed block
  std::deque<size_t> quarantine_;          // released blocks, oldest first
  mutable size_t last_ = kNone;            // last block found: sequential access is O(1)
  uint64_t live_ = 0;
};

}  // namespace pier::internal
