// PostgresKVStore: KVStore for one plugin in the shared PostgreSQL database
// (table pier.kv, rows of this plugin). Same contract as SqliteKVStore:
// second-resolution expiry, the original's ASCII-case-insensitive prefix
// match, byte-order listing; the quota check and the write are one
// statement after a per-plugin transaction advisory lock, so writers on
// any number of nodes cannot overshoot the quota together.
//
// One difference: PostgreSQL text cannot hold a NUL character, so a key
// containing one is refused (kInvalidArgument) instead of stored.
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "services/kvstore/kv_store.h"
#include "storage/postgres/database.h"

namespace pier::kvstore {

class PostgresKVStore final : public KVStore {
 public:
  PostgresKVStore(std::shared_ptr<pg::Database> db, std::string plugin)
      : db_(std::move(db)), plugin_(std::move(plugin)) {}

  Result<PutResult> Put(std::string_view key, std::string_view value, int64_t expires_at, int64_t now,
                        int64_t quota) override;
  Result<std::optional<std::string>> Get(std::string_view key, int64_t now) override;
  Result<std::map<std::string, std::string>> GetMany(const std::vector<std::string>& keys, int64_t now) override;
  Result<bool> Has(std::string_view key, int64_t now) override;
  Result<std::vector<std::string>> List(std::string_view prefix, int64_t now) override;
  Status Delete(std::string_view key) override;
  Result<int64_t> DeleteByPrefix(std::string_view prefix) override;
  Result<int64_t> Used(int64_t now) override;
  Result<int64_t> Sweep(int64_t now) override;

 private:
  const std::shared_ptr<pg::Database> db_;
  const std::string plugin_;
};

}  // namespace pier::kvstore
