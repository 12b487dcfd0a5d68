#include "services/taskqueue/queue_overrides.h"

#include <nlohmann/json.hpp>

#include "common/duration.h"
#include "pier/json.h"
#include "services/taskqueue/task_service.h"

namespace pier::taskqueue {

namespace {

using Json = nlohmann::json;

inline constexpr int32_t kMaxAdminRetries = 10'000;

// The whole number at `key` of `o` within [min, max]; nullopt when absent or null.
template <typename T>
Result<std::optional<T>> Field(const Json& o, const std::string& queue, const char* key, int64_t min, int64_t max) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::optional<T>();
  auto n = JsonInt64(*it);
  if (!n.ok() || *n < min || *n > max) {
    return InvalidArgumentError("queue \"" + queue + "\": " + key + " must be a whole number from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return std::optional<T>(static_cast<T>(*n));
}

}  // namespace

Result<QueueOverrides> ParseQueueOverrides(std::string_view text, int32_t max_concurrency) {
  QueueOverrides out;
  if (text.empty()) return out;
  PIER_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  if (!j.is_object()) return InvalidArgumentError("queue settings must be a JSON object of queues");
  for (const auto& [name, o] : j.items()) {
    if (!o.is_object()) return InvalidArgumentError("queue \"" + name + "\": settings must be an object");
    for (const auto& [key, _] : o.items()) {
      if (key != "concurrency" && key != "maxRetries" && key != "backoffMs" && key != "delayMs" &&
          key != "retentionMs") {
        return InvalidArgumentError("queue \"" + name + "\": unknown setting \"" + key +
                                    "\" (concurrency, maxRetries, backoffMs, delayMs, retentionMs)");
      }
    }
    QueueOverride q;
    PIER_ASSIGN_OR_RETURN(q.concurrency, Field<int32_t>(o, name, "concurrency", 1, std::max(1, max_concurrency)));
    PIER_ASSIGN_OR_RETURN(q.max_retries, Field<int32_t>(o, name, "maxRetries", 0, kMaxAdminRetries));
    PIER_ASSIGN_OR_RETURN(q.backoff_ms, Field<int64_t>(o, name, "backoffMs", 1, kMaxBackoffMs));
    PIER_ASSIGN_OR_RETURN(q.delay_ms, Field<int64_t>(o, name, "delayMs", 0, kMaxDurationMs));
    PIER_ASSIGN_OR_RETURN(q.retention_ms, Field<int64_t>(o, name, "retentionMs", kMinRetentionMs, kMaxRetentionMs));
    if (q != QueueOverride{}) out[name] = q;
  }
  return out;
}

std::string EncodeQueueOverrides(const QueueOverrides& overrides) {
  if (overrides.empty()) return "";
  Json j = Json::object();
  for (const auto& [name, q] : overrides) {
    Json o = Json::object();
    if (q.concurrency) o["concurrency"] = *q.concurrency;
    if (q.max_retries) o["maxRetries"] = *q.max_retries;
    if (q.backoff_ms) o["backoffMs"] = *q.backoff_ms;
    if (q.delay_ms) o["delayMs"] = *q.delay_ms;
    if (q.retention_ms) o["retentionMs"] = *q.retention_ms;
    j[name] = std::move(o);
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool ApplyOverride(const QueueOverrides& overrides, QueueSettings* s) {
  auto it = overrides.find(s->name);
  if (it == overrides.end()) return false;
  const QueueOverride& q = it->second;
  if (q.concurrency) s->concurrency = *q.concurrency;
  if (q.max_retries) s->max_retries = *q.max_retries;
  if (q.backoff_ms) s->backoff_ms = *q.backoff_ms;
  if (q.delay_ms) s->delay_ms = *q.delay_ms;
  if (q.retention_ms) s->retention_ms = *q.retention_ms;
  return true;
}

}  // namespace pier::taskqueue
