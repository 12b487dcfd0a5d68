// Connection: one libpq connection to PostgreSQL, with statements prepared
// once per connection, parameters and results in binary (no text escaping of
// payloads), and pipelines: several statements sent at once and run as one
// implicit transaction, one network round trip for all of them.
//
//   auto c = Connection::Connect({.url = "postgresql:///pier?host=/tmp/pg"}).value();
//   auto rows = c->Run("SELECT id FROM pier.tasks WHERE plugin = $1", Params().Text("thumbs")).value();
//   auto all = c->RunAll({{"UPDATE ...", Params().Int(1)}, {"SELECT ...", {}}});  // all or nothing
//
// Errors: a lost connection is kUnavailable (ok() turns false), and so is a
// deadlock or serialisation failure (try again); a statement timeout is
// kDeadlineExceeded, a unique violation kAlreadyExists, anything else
// kInternal with the server's message. No message contains the URL's password.
//
// A Connection is confined to one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pier/status.h"

namespace pier::pg {

// The URL with any password replaced by "***" (URI and key=value forms).
std::string RedactUrl(std::string_view url);

// A statement's parameters ($1, $2, ...), sent in binary.
class Params {
 public:
  Params& Int(int64_t v);    // bigint
  Params& Int32(int32_t v);  // integer
  Params& Text(std::string_view v);
  Params& Bytes(std::string_view v);  // bytea
  Params& Bool(bool v);
  // One-dimensional arrays (for unnest: one statement for many rows).
  Params& TextArray(const std::vector<std::string>& v);  // text[]
  Params& BytesArray(const std::vector<std::string>& v);  // bytea[]
  Params& IntArray(const std::vector<int64_t>& v);        // bigint[]
  Params& Int32Array(const std::vector<int32_t>& v);      // integer[]
  Params& BoolArray(const std::vector<bool>& v);          // boolean[]

  int size() const { return static_cast<int>(types_.size()); }
  const std::vector<Oid>& types() const { return types_; }
  const std::vector<std::string>& values() const { return values_; }

 private:
  Params& Array(Oid element, Oid array, const std::vector<std::string>& encoded);
  std::vector<Oid> types_;
  std::vector<std::string> values_;
};

// A statement's result rows, read in binary: columns must be bigint,
// integer, smallint, boolean, text or bytea (cast in SQL otherwise).
class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return r_ ? PQntuples(r_.get()) : 0; }
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;  // 0 when null
  bool Bool(int row, int col) const;
  std::string Text(int row, int col) const;  // text or bytea; "" when null
  // Rows a write changed (INSERT/UPDATE/DELETE), else 0.
  int64_t affected() const;

 private:
  std::shared_ptr<PGresult> r_;
};

struct Query {
  std::string_view sql;
  Params params;
};

inline constexpr size_t kPipelineChunk = 256;

struct ConnectOptions {
  std::string url;
  std::chrono::seconds connect_timeout{5};
  std::chrono::milliseconds statement_timeout{30000};  // 0: none
  std::string application_name = "pier";
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Connect(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Simple-protocol text: several statements, no parameters, no rows.
  Status Exec(std::string_view sql);
  Result<Rows> Run(std::string_view sql, const Params& params = {});
  // Every query in one transaction: either all apply or none does. Up to
  // kPipelineChunk queries go in one pipeline (one round trip, an implicit
  // transaction); longer lists in chunks of an explicit one. Results in order.
  Result<std::vector<Rows>> RunAll(const std::vector<Query>& queries);

  // False once the connection was lost (replace it).
  bool ok() const;
  // For an idle connection: reads whatever the server sent meanwhile (a
  // termination notice, say) without blocking; false when it is gone.
  bool CheckIdle();
  int socket() const { return PQsocket(conn_); }
  PGconn* raw() { return conn_; }
  const std::string& redacted_url() const { return redacted_; }

 private:
  Connection(PGconn* conn, std::string redacted) : conn_(conn), redacted_(std::move(redacted)) {}
  // The statement's prepared name ("p<n>"), and whether it must be prepared first.
  std::pair<std::string, bool> Name(std::string_view sql);
  Status ErrorOf(const PGresult* r, std::string_view what) const;
  Status LostError(std::string_view what) const;
  Result<std::vector<Rows>> RunPipeline(std::vector<Query>::const_iterator begin,
                                        std::vector<Query>::const_iterator end);
  // Drains a failed pipeline and leaves pipeline mode.
  void AbandonPipeline();

  PGconn* conn_;
  const std::string redacted_;
  std::unordered_map<std::string, std::string> names_;  // SQL -> prepared name
  std::unordered_set<std::string> prepared_;            // names the server knows
};

}  // namespace pier::pg
