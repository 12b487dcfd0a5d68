#include "common/random_id.h"

#include <pthread.h>

#include <chrono>

#include <openssl/rand.h>

namespace pier {

namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kIdLength = 22;
constexpr size_t kTimeChars = 9;  // 62^9 ms: past the year 400,000

// Random bytes from the system's CSPRNG, fetched 4 KiB at a time per thread
// (one RAND_bytes call per ~200 IDs instead of one per ID). A forked child
// drops what it inherited, so parent and child never hand out the same bytes.
thread_local unsigned char random_bytes[4096];
thread_local size_t random_left = 0;
const int kForkGuard = pthread_atfork(nullptr, nullptr, [] { random_left = 0; });

unsigned char RandomByte() {
  (void)kForkGuard;
  if (random_left == 0) {
    RAND_bytes(random_bytes, sizeof random_bytes);
    random_left = sizeof random_bytes;
  }
  return random_bytes[--random_left];
}

// Appends random base62 characters to `id` until it is kIdLength long.
void FillRandom(std::string& id) {
  while (id.size() < kIdLength) {
    const unsigned char b = RandomByte();
    if (b < 248) id += kAlphabet[b % 62];  // 248 = 4 * 62: no modulo bias
  }
}

}  // namespace

std::string NewRandomId() {
  std::string id;
  id.reserve(kIdLength);
  FillRandom(id);
  return id;
}

std::string NewTimeOrderedId(int64_t now_ms) {
  if (now_ms <= 0) {
    now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  }
  std::string id(kTimeChars, '0');
  uint64_t t = static_cast<uint64_t>(now_ms);
  for (size_t i = kTimeChars; i-- > 0; t /= 62) id[i] = kAlphabet[t % 62];
  id.reserve(kIdLength);
  FillRandom(id);
  return id;
}

}  // namespace pier
