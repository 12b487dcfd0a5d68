#include "kernel/arena.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace pier::internal {

namespace {
// Kept across Reset() so small calls never reallocate.
constexpr uint64_t kRetainedBytes = 1 << 20;
}  // namespace

Result<uint64_t> KernelArena::Alloc(uint64_t n) {
  if (n == 0) return uint64_t{0};
  // Reuse a freed block when one fits without wasting more than half of it.
  if (auto it = free_.lower_bound(n); it != free_.end() && it->first <= 2 * n + 64) {
    BlockInfo& b = blocks_[it->second];
    free_.erase(it);
    b.live = true;
    b.released = false;
    b.used = n;
    std::memset(&data_[b.start - kBase], 0, b.capacity);
    ++live_;
    return b.start;
  }
  if (n > limit_ || data_.size() > limit_ - n) {
    return ResourceExhaustedError("kernel memory limit of " + std::to_string(limit_) +
                                  " bytes reached (alloc of " + std::to_string(n) + " bytes with " +
                                  std::to_string(data_.size()) + " in use)");
  }
  if (share_ != nullptr) {
    const uint64_t cap = share_->cap(), others = share_->others();
    if (others > cap || n > cap - others || data_.size() > cap - others - n) {
      return ResourceExhaustedError("memory cap of " + std::to_string(cap) + " bytes reached (alloc of " +
                                    std::to_string(n) + " bytes with " + std::to_string(data_.size()) +
                                    " bytes of kernel memory and " + std::to_string(others) +
                                    " bytes of linear memory in use)");
    }
  }
  const uint64_t start = kBase + data_.size();
  data_.resize(data_.size() + n);
  blocks_.push_back({start, n, n, true});
  ++live_;
  if (share_ != nullptr) share_->ArenaResized(data_.size());
  return start;
}

void KernelArena::Share(MemoryShare* share) {
  share_ = share;
  if (share_ != nullptr) share_->ArenaResized(data_.size());
}

Result<uint64_t> KernelArena::AllocBytes(std::string_view bytes) {
  PIER_ASSIGN_OR_RETURN(uint64_t h, Alloc(bytes.size()));
  if (h != 0) std::memcpy(&data_[h - kBase], bytes.data(), bytes.size());
  return h;
}

size_t KernelArena::Find(uint64_t addr) const {
  if (last_ != kNone) {
    const BlockInfo& b = blocks_[last_];
    if (addr >= b.start && addr - b.start < b.capacity) return last_;
  }
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), addr,
                             [](uint64_t a, const BlockInfo& b) { return a < b.start; });
  if (it == blocks_.begin()) return kNone;
  --it;
  if (addr - it->start >= it->capacity) return kNone;
  last_ = static_cast<size_t>(it - blocks_.begin());
  return last_;
}

void KernelArena::MakeFree(size_t i) {
  BlockInfo& b = blocks_[i];
  b.live = false;
  b.released = false;
  b.used = 0;
  --live_;
  free_.emplace(b.capacity, i);
}

void KernelArena::Free(uint64_t h) {
  const size_t i = Find(h);
  if (i == kNone || !blocks_[i].live || blocks_[i].start != h) return;
  MakeFree(i);  // a quarantine entry for it is skipped when it comes due
}

void KernelArena::Release(uint64_t h) {
  const size_t i = Find(h);
  if (i == kNone || !blocks_[i].live || blocks_[i].start != h || blocks_[i].released) return;
  blocks_[i].released = true;
  quarantine_.push_back(i);
  if (quarantine_.size() > kQuarantine) {
    const size_t due = quarantine_.front();
    quarantine_.pop_front();
    if (blocks_[due].live && blocks_[due].released) MakeFree(due);
  }
}

uint64_t KernelArena::Length(uint64_t h) const {
  const size_t i = Find(h);
  if (i == kNone) return 0;
  const BlockInfo& b = blocks_[i];
  return (b.live && b.start == h) ? b.used : 0;
}

uint8_t* KernelArena::Bytes(uint64_t addr, uint64_t n) {
  const size_t i = Find(addr);
  if (i == kNone) return nullptr;
  const BlockInfo& b = blocks_[i];
  if (!b.live || n > b.capacity - (addr - b.start)) return nullptr;
  return &data_[addr - kBase];
}

std::string_view KernelArena::Block(uint64_t h) const {
  const size_t i = Find(h);
  if (i == kNone) return {};
  const BlockInfo& b = blocks_[i];
  if (!b.live || b.start != h) return {};
  return {reinterpret_cast<const char*>(&data_[h - kBase]), b.used};
}

void KernelArena::Reset() {
  blocks_.clear();
  free_.clear();
  quarantine_.clear();
  last_ = kNone;
  live_ = 0;
  data_.clear();
  if (data_.capacity() > kRetainedBytes) {
    std::vector<uint8_t>().swap(data_);
    data_.reserve(kRetainedBytes);
  }
  if (share_ != nullptr) share_->ArenaResized(0);
}

}  // namespace pier::internal
