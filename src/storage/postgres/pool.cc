#include "storage/postgres/pool.h"

#include <spdlog/spdlog.h>

namespace pier::pg {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{50}, kMaxBackoff{5000};
}

Pool::Pool(PoolOptions options) : options_(std::move(options)), redacted_(RedactUrl(options_.connect.url)) {}

Result<std::shared_ptr<Pool>> Pool::Open(PoolOptions options) {
  if (options.size < 1) options.size = 1;
  std::shared_ptr<Pool> pool(new Pool(std::move(options)));
  PIER_ASSIGN_OR_RETURN(auto first, Connection::Connect(pool->options_.connect));
  pool->Release(std::move(first));
  MutexLock lock(pool->mu_);
  pool->open_ = 1;
  return pool;
}

Result<std::unique_ptr<Connection>> Pool::Acquire() {
  MutexLock lock(mu_);
  while (true) {
    while (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      if (c->CheckIdle()) return c;
      --open_;  // lost while idle (server restart, terminated session): replace it
    }
    if (open_ < options_.size) break;
    freed_.Wait(mu_);
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < retry_at_) return last_error_;
  ++open_;
  lock.Unlock();
  auto c = Connection::Connect(options_.connect);
  lock.Lock();
  if (!c.ok()) {
    --open_;
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    if (last_error_.ok()) spdlog::error("storage: {} (retrying with back-off)", c.status().message());
    last_error_ = c.status();
    freed_.NotifyOne();
    return c.status();
  }
  if (!last_error_.ok()) spdlog::info("storage: connected to PostgreSQL at {} again", redacted_);
  backoff_ = std::chrono::milliseconds(0);
  last_error_ = OkStatus();
  return c;
}

void Pool::Release(std::unique_ptr<Connection> c) {
  MutexLock lock(mu_);
  if (c->ok()) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  freed_.NotifyOne();
}

Result<Rows> Pool::Run(std::string_view sql, const Params& params) {
  return With<Result<Rows>>([&](Connection& c) { return c.Run(sql, params); });
}

Result<std::vector<Rows>> Pool::RunAll(const std::vector<Query>& queries) {
  return With<Result<std::vector<Rows>>>([&](Connection& c) { return c.RunAll(queries); });
}

}  // namespace pier::pg
