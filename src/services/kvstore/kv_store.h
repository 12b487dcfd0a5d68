// KVStore: where a plugin's key-value data lives, behind one interface so
// another backend (PostgreSQL) can follow the SQLite one.
//
// Times are Unix seconds passed in by the caller (the service owns the
// clock). A value with `expires_at` 0 never expires; one whose expiry is
// before `now` is invisible at once, whether or not it was swept yet.
// Prefix matching is the original host's: SQL LIKE with '%' and '_'
// escaped, hence ASCII-case-insensitive ("User:" also lists "user:1"), and a
// backslash in the prefix escapes the next character.
//
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pier/status.h"

namespace pier::kvstore {

struct PutResult {
  bool stored = false;
  int64_t would_use = 0;  // not stored: the quota use the write would have led to
};

// The original's LIKE pattern for a prefix: '%' and '_' escaped (with a
// backslash), nothing else, then '%'.
inline std::string LikePrefix(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

class KVStore {
 public:
  virtual ~KVStore() = default;

  // Upserts `key`; in the same transaction, refuses (stored = false) a write
  // that grows the non-expired total above `quota`. Shrinking or same-size
  // writes always pass. `created_at` survives an update.
  virtual Result<PutResult> Put(std::string_view key, std::string_view value, int64_t expires_at, int64_t now,
                                int64_t quota) = 0;
  virtual Result<std::optional<std::string>> Get(std::string_view key, int64_t now) = 0;
  // The keys found (missing and expired ones are absent).
  virtual Result<std::map<std::string, std::string>> GetMany(const std::vector<std::string>& keys, int64_t now) = 0;
  virtual Result<bool> Has(std::string_view key, int64_t now) = 0;
  // Sorted ascending by byte order; "" = every key.
  virtual Result<std::vector<std::string>> List(std::string_view prefix, int64_t now) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Expired rows included; how many.
  virtual Result<int64_t> DeleteByPrefix(std::string_view prefix) = 0;
  // Bytes of values of non-expired keys.
  virtual Result<int64_t> Used(int64_t now) = 0;
  // Deletes expired rows; how many.
  virtual Result<int64_t> Sweep(int64_t now) = 0;
};

}  // namespace pier::kvstore
