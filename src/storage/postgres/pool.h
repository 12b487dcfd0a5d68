// Pool: a node's connections to one PostgreSQL database, shared by every
// plugin's task and key-value stores. A connection is taken for one
// operation (a statement or a pipeline) and given back; one found broken is
// dropped and replaced. While the server is unreachable, new connections
// are attempted with exponential back-off (50 ms doubling to 5 s) and
// callers get kUnavailable at once in between, so a dead server costs no
// thread a connect timeout per call.
//
//   auto pool = Pool::Open({.url = url}).value();    // fails when unreachable
//   auto rows = pool->Run("SELECT 1").value();
//   pool->With([](Connection& c) { return c.RunAll({...}); });
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "common/mutex.h"
#include "storage/postgres/connection.h"

namespace pier::pg {

struct PoolOptions {
  ConnectOptions connect;
  int size = 8;  // connections open at most
};

class Pool {
 public:
  static Result<std::shared_ptr<Pool>> Open(PoolOptions options);
  ~Pool() = default;

  // Runs `op` on a connection of the pool (waits while all are in use).
  template <typename R>
  R With(const std::function<R(Connection&)>& op) {
    auto lease = Acquire();
    if (!lease.ok()) return lease.status();
    R r = op(*lease->get());
    Release(std::move(*lease));
    return r;
  }
  Result<Rows> Run(std::string_view sql, const Params& params = {});
  Result<std::vector<Rows>> RunAll(const std::vector<Query>& queries);

  const PoolOptions& options() const { return options_; }
  const std::string& redacted_url() const { return redacted_; }

 private:
  explicit Pool(PoolOptions options);
  Result<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> c);

  const PoolOptions options_;
  const std::string redacted_;
  Mutex mu_;
  CondVar freed_;
  std::vector<std::unique_ptr<Connection>> idle_ PIER_GUARDED_BY(mu_);
  int open_ PIER_GUARDED_BY(mu_) = 0;  // idle + in use
  std::chrono::steady_clock::time_point retry_at_ PIER_GUARDED_BY(mu_);  // no connect before this
  std::chrono::milliseconds backoff_ PIER_GUARDED_BY(mu_){0};
  Status last_error_ PIER_GUARDED_BY(mu_);
};

}  // namespace pier::pg
