#include "storage/sqlite/checkpointer.h"

#include <algorithm>
#include <chrono>

#include "common/thread.h"

namespace pier::sqlite {

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(Database& writer, int pages) {
  PIER_ASSIGN_OR_RETURN(auto own, Database::Open(writer.path(), /*check=*/false));
  return std::unique_ptr<Checkpointer>(new Checkpointer(writer, std::move(own), pages));
}

Checkpointer::Checkpointer(Database& writer, std::unique_ptr<Database> own, int pages)
    : writer_(writer), own_(std::move(own)), pages_(pages) {
  // Replaces the connection's auto-checkpoint (itself a WAL hook).
  sqlite3_wal_hook(writer_.handle(), &Checkpointer::OnCommit, this);
  thread_ = StartThread("pier-checkpoint", [this] { Loop(); });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    MutexLock lock(mu_);
    stop_ = true;
    wake_.NotifyAll();
  }
  thread_.join();
  sqlite3_wal_autocheckpoint(writer_.handle(), kDefaultPages);  // the writer may go on alone
}

// Called by SQLite on the committing thread after each commit, with the
// number of frames in the log.
int Checkpointer::OnCommit(void* self, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (pages >= c->pages_ * kInlineFactor) {
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (pages >= c->pages_) {
    MutexLock lock(c->mu_);
    if (pages < c->checkpointed_frames_) c->checkpointed_frames_ = 0;  // the log restarted
    if (!c->due_ && pages >= c->checkpointed_frames_ + c->pages_) {
      c->due_ = true;
      c->wake_.NotifyOne();
    }
  }
  return SQLITE_OK;
}

void Checkpointer::Loop() {
  MutexLock lock(mu_);
  while (true) {
    // Also once a second, so a log that stopped short of the threshold is
    // folded in while the store is idle.
    wake_.WaitFor(mu_, std::chrono::seconds(1), [&]() PIER_REQUIRES(mu_) { return due_ || stop_; });
    const bool stopping = stop_;
    due_ = false;
    lock.Unlock();
    int log = 0;  // frames in the log
    sqlite3_wal_checkpoint_v2(own_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, nullptr);
    lock.Lock();
    checkpointed_frames_ = std::max(log, 0);
    background_runs_++;
    if (stopping) return;
  }
}

int64_t Checkpointer::background_runs() const {
  MutexLock lock(mu_);
  return background_runs_;
}

}  // namespace pier::sqlite
