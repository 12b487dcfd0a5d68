// SqliteKVStore: a plugin's KVStore in `<data>/plugins/<id>/kvstore.db`,
// with the original host's schema (user_version 3: table `kvstore`, text
// DATETIME columns in UTC at one-second resolution), so an existing
// Navidrome file opens in place and stays readable by Navidrome.
//
// One writer connection (writes serialised, each quota check and its write
// in one BEGIN IMMEDIATE transaction) and one reader connection (WAL lets
// reads go on during a write), `synchronous=FULL` as the original.
//
//   auto store = SqliteKVStore::Open(dir / "kvstore.db").value();
//
// Thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <memory>

#include "common/mutex.h"
#include "services/kvstore/kv_store.h"
#include "storage/sqlite/database.h"

namespace pier::kvstore {

class SqliteKVStore final : public KVStore {
 public:
  static Result<std::unique_ptr<SqliteKVStore>> Open(const std::filesystem::path& file);

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
  SqliteKVStore(std::unique_ptr<sqlite::Database> writer, std::unique_ptr<sqlite::Database> reader) {
    writer_.db = std::move(writer);
    reader_.db = std::move(reader);
  }
  // A cached statement in use; reset when the use ends, so no read keeps a
  // snapshot open on the connection.
  class InUse {
   public:
    explicit InUse(sqlite::Statement* s) : s_(s) {}
    InUse(InUse&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    InUse& operator=(InUse&&) = delete;
    ~InUse() {
      if (s_ != nullptr) s_->Reset();
    }
    sqlite::Statement* operator->() const { return s_; }

   private:
    sqlite::Statement* s_;
  };
  // A connection and the statements prepared on it, reused.
  struct Connection {
    std::unique_ptr<sqlite::Database> db;
    std::map<std::string, sqlite::Statement, std::less<>> statements;
    // The statement for `sql`, ready to bind; caller holds the connection's mutex.
    Result<InUse> Prepare(std::string_view sql);
  };
  Result<int64_t> UsedOn(Connection& c, int64_t now);  // caller holds that connection's mutex

  Mutex write_mu_;
  Connection writer_ PIER_GUARDED_BY(write_mu_);
  Mutex read_mu_;
  Connection reader_ PIER_GUARDED_BY(read_mu_);
};

// "YYYY-MM-DD HH:MM:SS" in UTC, as SQLite's datetime() writes it.
std::string SqliteDatetime(int64_t unix_seconds);

}  // namespace pier::kvstore
