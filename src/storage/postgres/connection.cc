#include "storage/postgres/connection.h"

#include <poll.h>

#include <cstdlib>
#include <regex>

namespace pier::pg {

namespace {

constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kBytea = 17, kBool = 16, kTextArray = 1009, kByteaArray = 1001,
              kInt8Array = 1016, kInt4Array = 1007, kBoolArray = 1000;

std::string BigEndian(uint64_t v, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

std::string Trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string s(url);
  // URI: scheme://user:password@host
  static const std::regex uri(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@?#]*):[^@/?#]*@)");
  s = std::regex_replace(s, uri, "$1:***@");
  // password=... as a URI query parameter or a key=value pair.
  static const std::regex query(R"(([?&]password=)[^&]*)");
  s = std::regex_replace(s, query, "$1***");
  static const std::regex keyword(R"((^|\s)password\s*=\s*('([^'\\]|\\.)*'|\S*))");
  s = std::regex_replace(s, keyword, "$1password=***");
  return s;
}

Params& Params::Int(int64_t v) {
  types_.push_back(kInt8);
  values_.push_back(BigEndian(static_cast<uint64_t>(v), 8));
  return *this;
}

Params& Params::Int32(int32_t v) {
  types_.push_back(kInt4);
  values_.push_back(BigEndian(static_cast<uint32_t>(v), 4));
  return *this;
}

Params& Params::Text(std::string_view v) {
  types_.push_back(kText);
  values_.emplace_back(v);
  return *this;
}

Params& Params::Bytes(std::string_view v) {
  types_.push_back(kBytea);
  values_.emplace_back(v);
  return *this;
}

Params& Params::Bool(bool v) {
  types_.push_back(kBool);
  values_.push_back(std::string(1, v ? '\1' : '\0'));
  return *this;
}

Params& Params::Array(Oid element, Oid array, const std::vector<std::string>& encoded) {
  // The binary array format: dimensions, null flag, element type, then
  // each dimension's size and lower bound, then (length, bytes) per element.
  std::string out = BigEndian(1, 4) + BigEndian(0, 4) + BigEndian(element, 4) + BigEndian(encoded.size(), 4) +
                    BigEndian(1, 4);
  for (const std::string& e : encoded) out += BigEndian(e.size(), 4) + e;
  types_.push_back(array);
  values_.push_back(std::move(out));
  return *this;
}

Params& Params::TextArray(const std::vector<std::string>& v) { return Array(kText, kTextArray, v); }
Params& Params::BytesArray(const std::vector<std::string>& v) { return Array(kBytea, kByteaArray, v); }

Params& Params::IntArray(const std::vector<int64_t>& v) {
  std::vector<std::string> e;
  e.reserve(v.size());
  for (int64_t x : v) e.push_back(BigEndian(static_cast<uint64_t>(x), 8));
  return Array(kInt8, kInt8Array, e);
}

Params& Params::Int32Array(const std::vector<int32_t>& v) {
  std::vector<std::string> e;
  e.reserve(v.size());
  for (int32_t x : v) e.push_back(BigEndian(static_cast<uint32_t>(x), 4));
  return Array(kInt4, kInt4Array, e);
}

Params& Params::BoolArray(const std::vector<bool>& v) {
  std::vector<std::string> e;
  e.reserve(v.size());
  for (bool x : v) e.push_back(std::string(1, x ? '\1' : '\0'));
  return Array(kBool, kBoolArray, e);
}

int64_t Rows::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col));
  const int len = PQgetlength(r_.get(), row, col);
  uint64_t v = 0;
  for (int i = 0; i < len; ++i) v = (v << 8) | p[i];
  switch (PQftype(r_.get(), col)) {
    case kInt2: return static_cast<int16_t>(v);
    case kInt4: return static_cast<int32_t>(v);
    case kBool: return v != 0;
    default: return static_cast<int64_t>(v);
  }
}

bool Rows::Bool(int row, int col) const { return Int(row, col) != 0; }

std::string Rows::Text(int row, int col) const {
  if (IsNull(row, col)) return {};
  return std::string(PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col)));
}

int64_t Rows::affected() const {
  if (!r_) return 0;
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<Connection>> Connection::Connect(const ConnectOptions& o) {
  const std::string timeout = std::to_string(o.connect_timeout.count());
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {o.url.c_str(), timeout.c_str(), o.application_name.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  const std::string redacted = RedactUrl(o.url);
  if (conn == nullptr) return UnavailableError("PostgreSQL at " + redacted + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return UnavailableError("cannot connect to PostgreSQL at " + redacted + ": " + RedactUrl(message));
  }
  std::unique_ptr<Connection> c(new Connection(conn, redacted));
  // Our own sessions' hygiene: bounded statements, no transaction left open.
  std::string setup = "SET statement_timeout = " + std::to_string(o.statement_timeout.count()) +
                      "; SET idle_in_transaction_session_timeout = 60000; SET client_min_messages = warning";
  PIER_RETURN_IF_ERROR(c->Exec(setup));
  return c;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

bool Connection::CheckIdle() {
  if (!ok()) return false;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  if (poll(&p, 1, 0) <= 0) return true;  // nothing arrived: still there
  // Data on an idle connection is a notice or the server hanging up.
  if (PQconsumeInput(conn_) != 1) return false;
  while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  return ok() && (p.revents & (POLLHUP | POLLERR)) == 0;
}

Status Connection::LostError(std::string_view what) const {
  return UnavailableError(std::string(what) + ": lost the connection to PostgreSQL at " + redacted_ + ": " +
                          Trimmed(PQerrorMessage(conn_)));
}

Status Connection::ErrorOf(const PGresult* r, std::string_view what) const {
  if (!ok()) return LostError(what);
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state ? state : "";
  std::string message = r ? Trimmed(PQresultErrorMessage(r)) : Trimmed(PQerrorMessage(conn_));
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  message = std::string(what) + ": " + message;
  if (code == "57014") return DeadlineExceededError(message);
  if (code == "23505") return AlreadyExistsError(message);
  if (code == "40001" || code == "40P01" || code.rfind("08", 0) == 0 || code == "57P01") {
    return UnavailableError(message);
  }
  return InternalError(message);
}

Status Connection::Exec(std::string_view sql) {
  PGresult* r = PQexec(conn_, std::string(sql).c_str());
  Status st = OkStatus();
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) st = ErrorOf(r, "running SQL");
  PQclear(r);
  return st;
}

std::pair<std::string, bool> Connection::Name(std::string_view sql) {
  auto it = names_.find(std::string(sql));
  if (it == names_.end()) it = names_.emplace(std::string(sql), "p" + std::to_string(names_.size() + 1)).first;
  return {it->second, !prepared_.contains(it->second)};
}

Result<Rows> Connection::Run(std::string_view sql, const Params& params) {
  PIER_ASSIGN_OR_RETURN(auto all, RunAll({Query{sql, params}}));
  return std::move(all.at(0));
}

void Connection::AbandonPipeline() {
  // Read whatever is left up to the sync, then leave pipeline mode.
  for (int guard = 0; guard < 100000 && ok(); ++guard) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) break;
      if (PQexitPipelineMode(conn_) == 1) break;
      continue;
    }
    const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (sync) {
      PQexitPipelineMode(conn_);
      break;
    }
  }
}

Result<std::vector<Rows>> Connection::RunAll(const std::vector<Query>& queries) {
  if (queries.size() <= kPipelineChunk) return RunPipeline(queries.begin(), queries.end());
  // Longer: chunks of one explicit transaction, so neither side's socket
  // buffer fills while the other waits (a pipeline's classic deadlock).
  std::vector<Rows> out;
  out.reserve(queries.size());
  Status st = Exec("BEGIN");
  for (auto it = queries.begin(); st.ok() && it != queries.end();) {
    auto end = queries.end() - it > static_cast<std::ptrdiff_t>(kPipelineChunk) ? it + kPipelineChunk : queries.end();
    auto part = RunPipeline(it, end);
    if (!part.ok()) {
      st = part.status();
      break;
    }
    for (Rows& r : *part) out.push_back(std::move(r));
    it = end;
  }
  if (st.ok()) st = Exec("COMMIT");
  if (!st.ok()) {
    if (ok() && PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)Exec("ROLLBACK");
    return st;
  }
  return out;
}

Result<std::vector<Rows>> Connection::RunPipeline(std::vector<Query>::const_iterator begin,
                                                  std::vector<Query>::const_iterator end) {
  if (!ok()) return LostError("running a statement");
  if (PQenterPipelineMode(conn_) != 1) return ErrorOf(nullptr, "entering pipeline mode");
  struct Sent {
    std::string name;
    bool prepare;
  };
  std::vector<Sent> sent;
  sent.reserve(static_cast<size_t>(end - begin));
  std::unordered_set<std::string> preparing;  // prepared earlier in this pipeline
  for (auto q_it = begin; q_it != end; ++q_it) {
    const Query& q = *q_it;
    auto [name, prepare] = Name(q.sql);
    if (prepare && !preparing.insert(name).second) prepare = false;
    const Params& p = q.params;
    if (prepare &&
        PQsendPrepare(conn_, name.c_str(), std::string(q.sql).c_str(), p.size(), p.types().data()) != 1) {
      Status st = ErrorOf(nullptr, "sending a statement");
      AbandonPipeline();
      return st;
    }
    std::vector<const char*> values(static_cast<size_t>(p.size()));
    std::vector<int> lengths(static_cast<size_t>(p.size())), formats(static_cast<size_t>(p.size()), 1);
    for (int i = 0; i < p.size(); ++i) {
      const auto k = static_cast<size_t>(i);
      values[k] = p.values()[k].data();
      lengths[k] = static_cast<int>(p.values()[k].size());
    }
    if (PQsendQueryPrepared(conn_, name.c_str(), p.size(), values.data(), lengths.data(), formats.data(),
                            /*resultFormat=*/1) != 1) {
      Status st = ErrorOf(nullptr, "sending a statement");
      AbandonPipeline();
      return st;
    }
    sent.push_back({std::move(name), prepare});
  }
  if (PQpipelineSync(conn_) != 1) {
    Status st = ErrorOf(nullptr, "sending a statement");
    AbandonPipeline();
    return st;
  }

  std::vector<Rows> out;
  out.reserve(sent.size());
  Status failure = OkStatus();
  // One result (then a null) per prepare and per execution, then the sync.
  auto next = [&]() -> PGresult* {
    PGresult* r = PQgetResult(conn_);
    if (r != nullptr) {
      PGresult* end = PQgetResult(conn_);  // the null that ends this command's results
      if (end != nullptr) PQclear(end);
    }
    return r;
  };
  for (const Sent& s : sent) {
    if (s.prepare) {
      PGresult* r = next();
      if (r == nullptr) {
        failure = LostError("preparing a statement");
        break;
      }
      const ExecStatusType st = PQresultStatus(r);
      if (st == PGRES_COMMAND_OK) {
        prepared_.insert(s.name);
      } else if (failure.ok() && st != PGRES_PIPELINE_ABORTED) {
        failure = ErrorOf(r, "preparing a statement");
      }
      PQclear(r);
    }
    PGresult* r = next();
    if (r == nullptr) {
      if (failure.ok()) failure = LostError("running a statement");
      break;
    }
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
      out.emplace_back(r);
    } else {
      if (failure.ok() && st != PGRES_PIPELINE_ABORTED) failure = ErrorOf(r, "running a statement");
      if (failure.ok()) failure = InternalError("running a statement: the pipeline was aborted");
      PQclear(r);
    }
  }
  // The sync's result ends the pipeline.
  if (ok()) {
    PGresult* r = PQgetResult(conn_);
    while (r != nullptr && PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
      PQclear(r);
      r = PQgetResult(conn_);
    }
    if (r != nullptr) PQclear(r);
    if (PQexitPipelineMode(conn_) != 1) AbandonPipeline();
  }
  if (!failure.ok()) return failure;
  if (!ok()) return LostError("running a statement");
  return out;
}

}  // namespace pier::pg
