#include "common/random_id.h"

#include <openssl/rand.h>

namespace pier {

std::string NewRandomId() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id;
  unsigned char buf[64];
  while (id.size() < 22) {
    RAND_bytes(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b < 248 && id.size() < 22) id += kAlphabet[b % 62];  // 248 = 4 * 62: no modulo bias
    }
  }
  return id;
}

}  // namespace pier
