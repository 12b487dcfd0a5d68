#include "storage/postgres/notifier.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>

#include "common/thread.h"

namespace pier::pg {

namespace {
ConnectOptions Listening(ConnectOptions o) {
  o.statement_timeout = std::chrono::milliseconds(0);  // it only LISTENs
  o.application_name += " listener";
  return o;
}
}  // namespace

Notifier::Notifier(ConnectOptions options) : options_(Listening(std::move(options))) {}

Notifier::~Notifier() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status Notifier::Listen(Connection& c) {
  return c.Exec("LISTEN " + std::string(kWakeChannel) + "; LISTEN " + std::string(kPauseChannel) + "; LISTEN " +
                std::string(kCancelChannel));
}

Status Notifier::Start() {
  if (loop_.joinable()) return OkStatus();
  PIER_ASSIGN_OR_RETURN(conn_, Connection::Connect(options_));
  PIER_RETURN_IF_ERROR(Listen(*conn_));
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return InternalError("eventfd failed");
  loop_ = StartThread("pier-pg-notify", [this] { Loop(); });
  return OkStatus();
}

void Notifier::Stop() {
  if (!loop_.joinable()) return;
  stopping_ = true;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  loop_.join();
  conn_.reset();
}

uint64_t Notifier::Subscribe(const std::string& plugin, Subscriber subscriber) {
  MutexLock lock(mu_);
  const uint64_t id = next_id_++;
  subs_.emplace(plugin, std::make_pair(id, std::move(subscriber)));
  return id;
}

void Notifier::Unsubscribe(uint64_t id) {
  MutexLock lock(mu_);
  for (auto it = subs_.begin(); it != subs_.end(); ++it) {
    if (it->second.first == id) {
      subs_.erase(it);
      return;
    }
  }
}

void Notifier::Deliver(const std::string& channel, const std::string& payload) {
  Notification n{.channel = channel};
  std::string plugin;
  size_t start = 0;
  bool first = true;
  while (true) {
    const size_t end = payload.find(kFieldSeparator, start);
    std::string field = payload.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (first) {
      plugin = std::move(field);
      first = false;
    } else {
      n.fields.push_back(std::move(field));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  MutexLock lock(mu_);
  auto [begin, end] = subs_.equal_range(plugin);
  for (auto it = begin; it != end; ++it) {
    if (it->second.second.notify) it->second.second.notify(n);
  }
}

void Notifier::ResyncAll() {
  MutexLock lock(mu_);
  for (auto& [plugin, sub] : subs_) {
    if (sub.second.resync) sub.second.resync();
  }
}

void Notifier::Loop() {
  auto backoff = std::chrono::milliseconds(50);
  while (!stopping_) {
    if (!conn_ || !conn_->ok()) {
      // Reconnect with back-off; what was sent meanwhile is lost: resync.
      conn_.reset();
      auto c = Connection::Connect(options_);
      Status listening = c.ok() ? Listen(**c) : c.status();
      if (!listening.ok()) {
        spdlog::warn("storage notifications: {} (retrying in {} ms)", listening.message(), backoff.count());
        pollfd p{wake_fd_, POLLIN, 0};
        poll(&p, 1, static_cast<int>(backoff.count()));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      conn_ = std::move(*c);
      backoff = std::chrono::milliseconds(50);
      spdlog::info("storage notifications: listening again");
      ResyncAll();
    }
    pollfd fds[2] = {{conn_->socket(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int n = poll(fds, 2, 1000);
    if (stopping_) break;
    if (n <= 0) continue;
    if (fds[0].revents != 0) {
      if (PQconsumeInput(conn_->raw()) != 1) {
        spdlog::warn("storage notifications: connection lost: {}", PQerrorMessage(conn_->raw()));
        conn_.reset();
        continue;
      }
      while (PGnotify* note = PQnotifies(conn_->raw())) {
        ++received_;
        Deliver(note->relname, note->extra ? note->extra : "");
        PQfreemem(note);
      }
    }
  }
}

}  // namespace pier::pg
