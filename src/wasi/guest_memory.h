// GuestMemory: a bounds-checked view of a plugin's linear memory for the
// duration of one host call. Every pointer a guest passes goes through here.
//
//   GuestMemory mem(data, size);
//   uint32_t len;
//   if (!mem.Read(ptr, &len)) return kErrnoFault;
//
// Valid only until the guest runs again (memory may grow and move).
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace pier::internal {

class GuestMemory {
 public:
  GuestMemory(uint8_t* data, uint64_t size) : data_(data), size_(size) {}

  // Pointer to [ptr, ptr + len) or nullptr when out of bounds.
  uint8_t* Range(uint32_t ptr, uint64_t len) const {
    if (data_ == nullptr || ptr > size_ || len > size_ - ptr) return nullptr;
    return data_ + ptr;
  }

  template <typename T>
  bool Read(uint32_t ptr, T* out) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const uint8_t* p = Range(ptr, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(out, p, sizeof(T));
    return true;
  }

  template <typename T>
  bool Write(uint32_t ptr, const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    uint8_t* p = Range(ptr, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(p, &value, sizeof(T));
    return true;
  }

  uint64_t size() const { return size_; }

 private:
  uint8_t* data_;
  uint64_t size_;
};

}  // namespace pier::internal
