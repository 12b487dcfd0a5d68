#include "services/kvstore/postgres_kv_store.h"

namespace pier::kvstore {

namespace {

using pg::Params;
using pg::Rows;

#define PIER_KV_LIVE "(expires_at = 0 OR expires_at >= $2)"

constexpr std::string_view kLockPlugin = "SELECT 1::bigint FROM pg_advisory_xact_lock(hashtextextended($1, 11))";
// $1 plugin, $2 key, $3 value, $4 expires_at, $5 now, $6 size, $7 quota.
constexpr std::string_view kPut =
    "WITH old AS (SELECT size FROM pier.kv WHERE plugin = $1 AND key = $2 AND (expires_at = 0 OR expires_at >= $5)),"
    " used AS (SELECT coalesce(sum(size), 0)::bigint AS total FROM pier.kv WHERE plugin = $1"
    "   AND (expires_at = 0 OR expires_at >= $5)),"
    " would AS (SELECT (SELECT total FROM used) + $6 - coalesce((SELECT size FROM old), 0) AS total,"
    "   $6 - coalesce((SELECT size FROM old), 0) AS delta),"
    " ins AS (INSERT INTO pier.kv (plugin, key, value, size, expires_at, created_at, updated_at)"
    "   SELECT $1, $2, $3, $6, $4, $5, $5 WHERE (SELECT delta FROM would) <= 0 OR (SELECT total FROM would) <= $7"
    "   ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, size = excluded.size,"
    "   expires_at = excluded.expires_at, updated_at = excluded.updated_at RETURNING 1)"
    " SELECT (SELECT count(*) FROM ins)::bigint, (SELECT total FROM would)::bigint";
constexpr std::string_view kGet = "SELECT value FROM pier.kv WHERE plugin = $1 AND key = $3 AND " PIER_KV_LIVE;
constexpr std::string_view kGetMany =
    "SELECT key, value FROM pier.kv WHERE plugin = $1 AND key = ANY($3) AND " PIER_KV_LIVE;
constexpr std::string_view kHas = "SELECT 1::bigint FROM pier.kv WHERE plugin = $1 AND key = $3 AND " PIER_KV_LIVE;
constexpr std::string_view kListAll =
    "SELECT key FROM pier.kv WHERE plugin = $1 AND " PIER_KV_LIVE " ORDER BY key";
// The original's match: LIKE with the prefix's '%' and '_' escaped,
// ASCII-case-insensitive (lower() folds only ASCII under the C collation).
constexpr std::string_view kListPrefix =
    "SELECT key FROM pier.kv WHERE plugin = $1 AND lower(key) LIKE lower($3 COLLATE \"C\") ESCAPE '\\' AND "
    PIER_KV_LIVE " ORDER BY key";
constexpr std::string_view kDelete = "DELETE FROM pier.kv WHERE plugin = $1 AND key = $2";
constexpr std::string_view kDeletePrefix =
    "DELETE FROM pier.kv WHERE plugin = $1 AND lower(key) LIKE lower($2 COLLATE \"C\") ESCAPE '\\'";
constexpr std::string_view kUsed =
    "SELECT coalesce(sum(size), 0)::bigint FROM pier.kv WHERE plugin = $1 AND " PIER_KV_LIVE;
constexpr std::string_view kSweep = "DELETE FROM pier.kv WHERE plugin = $1 AND expires_at > 0 AND expires_at < $2";

Status CheckKey(std::string_view key) {
  if (key.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("key contains a NUL character, which PostgreSQL cannot store");
  }
  return OkStatus();
}

}  // namespace

Result<PutResult> PostgresKVStore::Put(std::string_view key, std::string_view value, int64_t expires_at, int64_t now,
                                       int64_t quota) {
  PIER_RETURN_IF_ERROR(CheckKey(key));
  auto r = db_->pool().RunAll({{kLockPlugin, Params().Text(plugin_)},
                               {kPut, Params()
                                          .Text(plugin_)
                                          .Text(key)
                                          .Bytes(value)
                                          .Int(expires_at > 0 ? expires_at : 0)
                                          .Int(now)
                                          .Int(static_cast<int64_t>(value.size()))
                                          .Int(quota)}});
  if (!r.ok()) return r.status().WithContext("storing value");
  const Rows& put = r->at(1);
  if (put.Int(0, 0) == 1) return PutResult{.stored = true};
  return PutResult{.stored = false, .would_use = put.Int(0, 1)};
}

Result<std::optional<std::string>> PostgresKVStore::Get(std::string_view key, int64_t now) {
  if (!CheckKey(key).ok()) return std::optional<std::string>();
  auto r = db_->pool().Run(kGet, Params().Text(plugin_).Int(now).Text(key));
  if (!r.ok()) return r.status().WithContext("reading value");
  if (r->empty()) return std::optional<std::string>();
  return std::optional<std::string>(r->Text(0, 0));
}

Result<std::map<std::string, std::string>> PostgresKVStore::GetMany(const std::vector<std::string>& keys, int64_t now) {
  std::vector<std::string> valid;
  for (const std::string& k : keys) {
    if (CheckKey(k).ok()) valid.push_back(k);
  }
  std::map<std::string, std::string> out;
  if (valid.empty()) return out;
  auto r = db_->pool().Run(kGetMany, Params().Text(plugin_).Int(now).TextArray(valid));
  if (!r.ok()) return r.status().WithContext("querying values");
  for (int i = 0; i < r->size(); ++i) out[r->Text(i, 0)] = r->Text(i, 1);
  return out;
}

Result<bool> PostgresKVStore::Has(std::string_view key, int64_t now) {
  if (!CheckKey(key).ok()) return false;
  auto r = db_->pool().Run(kHas, Params().Text(plugin_).Int(now).Text(key));
  if (!r.ok()) return r.status().WithContext("checking key");
  return !r->empty();
}

Result<std::vector<std::string>> PostgresKVStore::List(std::string_view prefix, int64_t now) {
  if (!CheckKey(prefix).ok()) return std::vector<std::string>();
  auto r = prefix.empty() ? db_->pool().Run(kListAll, Params().Text(plugin_).Int(now))
                          : db_->pool().Run(kListPrefix, Params().Text(plugin_).Int(now).Text(LikePrefix(prefix)));
  if (!r.ok()) return r.status().WithContext("listing keys");
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) out.push_back(r->Text(i, 0));
  return out;
}

Status PostgresKVStore::Delete(std::string_view key) {
  if (!CheckKey(key).ok()) return OkStatus();
  auto r = db_->pool().Run(kDelete, Params().Text(plugin_).Text(key));
  if (!r.ok()) return r.status().WithContext("deleting value");
  return OkStatus();
}

Result<int64_t> PostgresKVStore::DeleteByPrefix(std::string_view prefix) {
  if (!CheckKey(prefix).ok()) return 0;
  auto r = db_->pool().Run(kDeletePrefix, Params().Text(plugin_).Text(LikePrefix(prefix)));
  if (!r.ok()) return r.status().WithContext("deleting keys");
  return r->affected();
}

Result<int64_t> PostgresKVStore::Used(int64_t now) {
  auto r = db_->pool().Run(kUsed, Params().Text(plugin_).Int(now));
  if (!r.ok()) return r.status().WithContext("calculating storage used");
  return r->Int(0, 0);
}

Result<int64_t> PostgresKVStore::Sweep(int64_t now) {
  auto r = db_->pool().Run(kSweep, Params().Text(plugin_).Int(now));
  if (!r.ok()) return r.status().WithContext("sweeping expired keys");
  return r->affected();
}

}  // namespace pier::kvstore
