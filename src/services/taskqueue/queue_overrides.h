// Queue settings an administrator chose (the dashboard's queue page) over
// what the plugin asks for in task_createqueue. They are stored with the
// plugin's settings and applied each time the plugin creates the queue, so
// they hold across reloads and restarts.
//
//   auto o = ParseQueueOverrides(R"({"jobs": {"concurrency": 2}})", /*max_concurrency=*/4).value();
//   ApplyOverride(o, "jobs", &settings);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pier/status.h"
#include "services/taskqueue/task_store.h"

namespace pier::taskqueue {

// An administrator's settings of one queue over what the plugin asks for in
// task_createqueue; each unset field is the plugin's. Concurrency still comes
// out of the plugin's budget (maxConcurrency).
struct QueueOverride {
  std::optional<int32_t> concurrency, max_retries;
  std::optional<int64_t> backoff_ms, delay_ms, retention_ms;
  bool operator==(const QueueOverride&) const = default;
};
using QueueOverrides = std::map<std::string, QueueOverride, std::less<>>;
// {"queue": {"concurrency", "maxRetries", "backoffMs", "delayMs", "retentionMs"}} ("" = none), each
// value checked against the limits task_createqueue applies; errors name the queue and field.
Result<QueueOverrides> ParseQueueOverrides(std::string_view json, int32_t max_concurrency);
std::string EncodeQueueOverrides(const QueueOverrides& overrides);

// Sets `settings`' fields from the override of its queue, if any; true when one applied.
bool ApplyOverride(const QueueOverrides& overrides, QueueSettings* settings);

}  // namespace pier::taskqueue
