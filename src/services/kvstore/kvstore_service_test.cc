// The KVStore service's contract (spec §6.1) over a fake clock and each
// backend: a real SQLite file, and a real PostgreSQL server (KVStoreContract).
#include "services/kvstore/kvstore_service.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "common/byte_size.h"
#include "services/kvstore/postgres_kv_store.h"
#include "services/kvstore/sqlite_kv_store.h"
#include "support/postgres.h"
#include "support/test_call_context.h"

namespace pier::kvstore {
namespace {

namespace fs = std::filesystem;

using NoContext = pier::testing::TestCallContext;

TEST(ByteSize, ParsesLikeTheOriginal) {
  EXPECT_EQ(ParseByteSize("1MB").value(), 1'000'000);
  EXPECT_EQ(ParseByteSize("10KB").value(), 10'000);
  EXPECT_EQ(ParseByteSize("500kb").value(), 500'000);
  EXPECT_EQ(ParseByteSize("1MiB").value(), 1'048'576);
  EXPECT_EQ(ParseByteSize("2 Ki").value(), 2048);
  EXPECT_EQ(ParseByteSize("1.5 GB").value(), 1'500'000'000);
  EXPECT_EQ(ParseByteSize("1,000 k").value(), 1'000'000);
  EXPECT_EQ(ParseByteSize("42").value(), 42);
  EXPECT_EQ(ParseByteSize("7b").value(), 7);
  EXPECT_EQ(ParseByteSize("1M").value(), 1'000'000);
  EXPECT_EQ(ParseByteSize("1g").value(), 1'000'000'000);
  for (const char* bad : {"", "MB", "-1MB", "1 lightyear", "1e3", "99999999999 EB"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatByteSize(2048), "2.0 kB");
  EXPECT_EQ(FormatByteSize(1000), "1.0 kB");
  EXPECT_EQ(FormatByteSize(10'000), "10 kB");
  EXPECT_EQ(FormatByteSize(999), "999 B");
  EXPECT_EQ(FormatByteSize(5), "5 B");
  EXPECT_EQ(FormatByteSize(1'048'576), "1.0 MB");
}

constexpr const char* kPostgresDatabase = "pier_kvstore_test";

class KVStoreTest : public ::testing::Test {
 protected:
  virtual std::string backend() const { return "sqlite"; }
  void SetUp() override {
    if (backend() == "postgres") {
      if (!pier::testing::PostgresAvailable()) GTEST_SKIP() << pier::testing::kNoPostgres;
      pier::testing::FreshPostgresDatabase(kPostgresDatabase);
    }
    dir_ = fs::temp_directory_path() / ("pier-kv-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    Open(10'000);
  }
  std::unique_ptr<KVStore> NewStore() {
    if (backend() == "postgres") {
      auto db = pg::Database::Open({.url = pier::testing::PostgresDatabaseUrl(kPostgresDatabase), .listen = false});
      return std::make_unique<PostgresKVStore>(std::move(db).value(), "plugin-under-test");
    }
    return SqliteKVStore::Open(dir_ / "kvstore.db").value();
  }
  void TearDown() override {
    kv_.reset();
    fs::remove_all(dir_);
  }
  void Open(int64_t quota) {
    kv_.reset();
    kv_ = std::make_unique<KVStoreService>(NewStore(),
                                           KVStoreOptions{.quota = quota, .now_s = [this] { return now_.load(); }});
  }
  Status Set(const std::string& k, const std::string& v) { return kv_->Set(ctx_, {k, v}); }
  Status SetTtl(const std::string& k, const std::string& v, int64_t ttl) { return kv_->SetWithTTL(ctx_, {k, v, ttl}); }
  std::optional<std::string> Get(const std::string& k) {
    auto r = kv_->Get(ctx_, {k}).value();
    return r.exists ? std::optional<std::string>(r.value) : std::nullopt;
  }
  std::vector<std::string> List(const std::string& prefix) { return kv_->List(ctx_, {prefix}).value().keys; }
  int64_t Used() { return kv_->GetStorageUsed(ctx_, {}).value().bytes; }

  fs::path dir_;
  std::atomic<int64_t> now_ = 1'700'000'000;
  NoContext ctx_;
  std::unique_ptr<KVStoreService> kv_;
};

// What every backend must do.
class KVStoreContract : public KVStoreTest, public ::testing::WithParamInterface<std::string> {
 protected:
  std::string backend() const override { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Backends, KVStoreContract, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(KVStoreContract, CrudWithBinaryValues) {
  const std::string binary("a\0b\xff\x00z", 6);
  ASSERT_TRUE(Set("k", binary).ok());
  EXPECT_EQ(Get("k"), binary);
  EXPECT_TRUE(kv_->Has(ctx_, {"k"}).value().exists);
  ASSERT_TRUE(Set("empty", "").ok());
  auto empty = kv_->Get(ctx_, {"empty"}).value();
  EXPECT_TRUE(empty.exists) << "an existing empty value exists";
  EXPECT_EQ(empty.value, "");
  EXPECT_FALSE(kv_->Get(ctx_, {"missing"}).value().exists);
  ASSERT_TRUE(kv_->Delete(ctx_, {"k"}).ok());
  ASSERT_TRUE(kv_->Delete(ctx_, {"k"}).ok()) << "deleting a missing key is fine";
  EXPECT_FALSE(Get("k"));
  // Odd keys on reads simply find nothing.
  EXPECT_FALSE(kv_->Get(ctx_, {std::string(1000, 'x')}).value().exists);
}

TEST_P(KVStoreContract, KeysAreValidatedOnWrites) {
  EXPECT_EQ(Set("", "v").message(), "key cannot be empty");
  EXPECT_EQ(Set(std::string(257, 'k'), "v").message(), "key exceeds maximum length of 256 bytes");
  EXPECT_EQ(Set(std::string(300, 'k'), "v").message(), "key exceeds maximum length of 256 bytes");
  EXPECT_TRUE(Set(std::string(256, 'k'), "v").ok());
  EXPECT_EQ(SetTtl("k", "v", 0).message(), "ttlSeconds must be greater than 0");
  EXPECT_EQ(SetTtl("k", "v", -5).message(), "ttlSeconds must be greater than 0");
}

TEST_P(KVStoreContract, QuotaCountsLiveValuesWithTheOriginalMessage) {
  Open(1000);  // "1KB"
  EXPECT_EQ(Set("big", std::string(2048, 'x')).message(), "storage limit exceeded: would use 2.0 kB of 1.0 kB allowed");
  ASSERT_TRUE(Set("a", std::string(600, 'x')).ok());
  EXPECT_EQ(Used(), 600);
  ASSERT_TRUE(Set("a", std::string(600, 'y')).ok()) << "same size overwrite";
  ASSERT_TRUE(Set("a", std::string(100, 'y')).ok()) << "shrinking";
  EXPECT_EQ(Used(), 100);
  ASSERT_TRUE(Set("b", std::string(900, 'x')).ok());
  EXPECT_FALSE(Set("c", "x").ok()) << "1001 > 1000";
  ASSERT_TRUE(kv_->Delete(ctx_, {"b"}).ok());
  EXPECT_EQ(Used(), 100);
  // Over quota already (a smaller quota after a reload), shrinking still works.
  ASSERT_TRUE(Set("b", std::string(900, 'x')).ok());
  Open(500);
  EXPECT_EQ(Used(), 1000) << "the file survives a reopen";
  EXPECT_TRUE(Set("b", std::string(10, 'x')).ok());
}

TEST_P(KVStoreContract, ConcurrentWritersCannotOvershootTheQuota) {
  Open(10'000);
  std::vector<std::thread> writers;
  std::atomic<int> stored = 0;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 20; ++i) stored += Set("w" + std::to_string(w) + "-" + std::to_string(i), std::string(100, 'x')).ok();
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(stored.load(), 100) << "exactly quota / size writes fit";
  EXPECT_EQ(Used(), 10'000);
}

TEST_P(KVStoreContract, TtlHasOneSecondResolutionAndExpiredKeysVanishAtOnce) {
  ASSERT_TRUE(SetTtl("t", "v", 10).ok());
  ASSERT_TRUE(Set("keep", "v").ok());
  now_ += 10;
  EXPECT_EQ(Get("t"), "v") << "visible until its expiry second has fully passed";
  now_ += 1;
  EXPECT_FALSE(Get("t"));
  EXPECT_FALSE(kv_->Has(ctx_, {"t"}).value().exists);
  EXPECT_EQ(List(""), std::vector<std::string>{"keep"});
  EXPECT_EQ(Used(), 1);
  EXPECT_TRUE(kv_->GetMany(ctx_, {{"t", "keep"}}).value().values.contains("keep"));
  EXPECT_FALSE(kv_->GetMany(ctx_, {{"t", "keep"}}).value().values.contains("t"));
  // An expired key does not count against the quota and can be written again.
  ASSERT_TRUE(Set("t", "new").ok());
  EXPECT_EQ(Get("t"), "new");
  // Set clears a TTL.
  ASSERT_TRUE(SetTtl("x", "v", 1).ok());
  ASSERT_TRUE(Set("x", "v").ok());
  now_ += 100;
  EXPECT_EQ(Get("x"), "v");
}

TEST_F(KVStoreTest, ExpiredRowsAreSweptAtStopAndByTheSweeper) {
  ASSERT_TRUE(SetTtl("gone", "v", 1).ok());
  now_ += 5;
  kv_->Stop();
  // Read the file directly: the row is physically gone.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "kvstore.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM kvstore", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 0);
  sqlite3_finalize(s);
  sqlite3_close(db);

  kv_ = std::make_unique<KVStoreService>(
      SqliteKVStore::Open(dir_ / "kvstore.db").value(),
      KVStoreOptions{.now_s = [this] { return now_.load(); }, .sweep_interval = std::chrono::milliseconds(20)});
  kv_->Start();
  ASSERT_TRUE(SetTtl("soon", "v", 1).ok());
  now_ += 5;
  // The row is only invisible until a sweep; the sweeper deletes it by itself.
  auto rows = [&] {
    sqlite3* raw = nullptr;
    sqlite3_open((dir_ / "kvstore.db").c_str(), &raw);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(raw, "SELECT COUNT(*) FROM kvstore", -1, &q, nullptr);
    const int n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    sqlite3_finalize(q);
    sqlite3_close(raw);
    return n;
  };
  bool swept = false;
  for (int i = 0; i < 300 && !swept; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    swept = rows() == 0;
  }
  EXPECT_TRUE(swept) << "the sweeper removed the expired row by itself";
}

TEST_P(KVStoreContract, PrefixesMatchAsTheOriginalDoes) {
  for (const char* k : {"user:1", "User:2", "user_x", "userAx", "a%b", "a%c", "ab", "a\\b"}) ASSERT_TRUE(Set(k, "v").ok());
  EXPECT_EQ(List("user:"), (std::vector<std::string>{"User:2", "user:1"})) << "ASCII case folding";
  EXPECT_EQ(List("user_"), std::vector<std::string>{"user_x"}) << "'_' is literal";
  EXPECT_EQ(List("a%"), (std::vector<std::string>{"a%b", "a%c"})) << "'%' is literal";
  EXPECT_EQ(List("a\\b"), std::vector<std::string>{"ab"}) << "a backslash escapes the next character";
  EXPECT_EQ(List("").size(), 8u);
  EXPECT_EQ(kv_->DeleteByPrefix(ctx_, {""}).status().message(), "prefix cannot be empty");
  ASSERT_TRUE(SetTtl("user:old", "v", 1).ok());
  now_ += 10;
  EXPECT_EQ(kv_->DeleteByPrefix(ctx_, {"USER"}).value().deleted_count, 5) << "expired rows are deleted and counted";
  EXPECT_TRUE(kv_->GetMany(ctx_, {}).value().values.empty());
}

TEST_P(KVStoreContract, GetManyCrossesTheChunkSize) {
  std::vector<std::string> keys;
  for (int i = 0; i < 450; ++i) {
    keys.push_back("k" + std::to_string(i));
    if (i % 2 == 0) ASSERT_TRUE(Set(keys.back(), std::to_string(i)).ok());
  }
  auto values = kv_->GetMany(ctx_, {keys}).value().values;
  EXPECT_EQ(values.size(), 225u);
  EXPECT_EQ(values["k448"], "448");
}

// A kvstore.db written by Navidrome (its schema, its datetime text) opens in place.
TEST_F(KVStoreTest, AnExistingNavidromeFileOpensInPlace) {
  kv_.reset();
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "kvstore.db").c_str(), &db), SQLITE_OK);
  const char* sql =
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE IF NOT EXISTS kvstore (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, size INTEGER NOT NULL,"
      " created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);"
      "ALTER TABLE kvstore ADD COLUMN expires_at DATETIME DEFAULT NULL;"
      "CREATE INDEX idx_kvstore_expires_at ON kvstore(expires_at);"
      "PRAGMA user_version = 3;"
      "INSERT INTO kvstore (key, value, size) VALUES ('old', X'616263', 3);"
      "INSERT INTO kvstore (key, value, size, expires_at) VALUES ('ttl', X'78', 1, '2023-11-14 22:13:30');";
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  now_ = 1'700'000'000;  // 2023-11-14 22:13:20 UTC
  Open(10'000);
  EXPECT_EQ(Get("old"), "abc");
  EXPECT_EQ(Get("ttl"), "x") << "expires 10 s later";
  now_ += 11;
  EXPECT_FALSE(Get("ttl"));
  EXPECT_EQ(SqliteDatetime(1'700'000'000), "2023-11-14 22:13:20");
}

}  // namespace
}  // namespace pier::kvstore
