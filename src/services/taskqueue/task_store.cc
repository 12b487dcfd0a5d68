#include "services/taskqueue/task_store.h"

#include "common/random_id.h"

namespace pier::taskqueue {

std::string NewTaskId() { return NewRandomId(); }

Result<std::vector<TaskRow>> TaskStore::Claim(const ClaimRequest& claim, int64_t now_ms) {
  PIER_ASSIGN_OR_RETURN(Exchange e, FinishAndClaim(Round{.claim = &claim}, now_ms));
  return std::move(e.claimed);
}

Result<int64_t> TaskStore::Finish(const std::vector<Completion>& completions, int64_t now_ms) {
  PIER_ASSIGN_OR_RETURN(Exchange e, FinishAndClaim(Round{.completions = completions}, now_ms));
  return e.finished;
}

}  // namespace pier::taskqueue
