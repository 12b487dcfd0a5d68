// Fuzzes the kernel's memory blocks with a byte script, against a model:
// each op byte picks alloc / free / release / write+read / a raw range probe
// / reset; every live block the model holds must keep its length and its
// bytes, and a granted range must be real memory (AddressSanitizer checks).
#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "kernel/arena.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pier::internal::KernelArena arena(1 << 20);
  std::map<uint64_t, std::string> model;  // live handle -> its bytes
  size_t i = 0;
  auto next = [&]() -> uint64_t { return i < size ? data[i++] : 0; };
  auto pick = [&]() -> uint64_t {
    if (model.empty()) return next() * 977;
    auto it = model.begin();
    std::advance(it, static_cast<long>(next() % model.size()));
    return it->first;
  };
  while (i < size) {
    switch (next() % 7) {
      case 0: {  // alloc
        const uint64_t n = next() * 64 + next();
        auto h = arena.Alloc(n);
        if (h.ok() && *h != 0) {
          if (model.contains(*h)) __builtin_trap();  // a live block handed out twice
          model[*h] = std::string(n, '\0');
        }
        break;
      }
      case 1: {  // free
        const uint64_t h = pick();
        arena.Free(h);
        model.erase(h);
        break;
      }
      case 2: {  // release (quarantined: stays valid until reused)
        const uint64_t h = pick();
        arena.Release(h);
        model.erase(h);
        break;
      }
      case 3: {  // write inside a live block, read it back
        if (model.empty()) break;
        const uint64_t h = pick();
        std::string& bytes = model[h];
        if (bytes.empty()) break;
        const uint64_t off = next() % bytes.size();
        const uint64_t len = 1 + next() % (bytes.size() - off);
        uint8_t* p = arena.Bytes(h + off, len);
        if (p == nullptr) __builtin_trap();  // a live range refused
        for (uint64_t k = 0; k < len; ++k) p[k] = bytes[off + k] = static_cast<char>(next());
        break;
      }
      case 4: {  // probe any range: answered without touching memory it does not own
        const uint64_t addr = next() * 256 + next(), len = next() * 16;
        if (uint8_t* p = arena.Bytes(addr, len); p != nullptr && len > 0) {
          volatile uint8_t touch = p[len - 1];  // ASan flags a grant beyond the arena's storage
          (void)touch;
        }
        break;
      }
      case 5:
        arena.Reset();
        model.clear();
        break;
      default:
        (void)arena.Length(next() * 1024 + next());
    }
    for (const auto& [h, bytes] : model) {
      if (arena.Length(h) != bytes.size()) __builtin_trap();
      const std::string_view block = arena.Block(h);
      if (block.size() != bytes.size() || std::memcmp(block.data(), bytes.data(), bytes.size()) != 0) __builtin_trap();
    }
  }
  return 0;
}
