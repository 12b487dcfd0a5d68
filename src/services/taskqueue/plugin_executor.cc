#include "services/taskqueue/plugin_executor.h"

#include "pier/capabilities/callers.h"

namespace pier::taskqueue {

TaskExecutor PluginExecutor(Plugin& plugin) {
  return [&plugin](const TaskCall& call) -> TaskCallResult {
    CallOptions options;
    options.cancel = call.cancel;
    options.label = "queue " + call.request.queue_name + ", task " + call.request.task_id + ", attempt " +
                    std::to_string(call.request.attempt);
    if (call.timeout.count() > 0) options.timeout = call.timeout;
    auto r = capabilities::CallTaskWorkerOnTaskExecute(plugin, call.request, options);
    if (!r.ok()) return {false, "plugin call failed: " + r.status().message()};
    switch (r->kind) {
      case capabilities::CallKind::kOk:
        return {true, std::move(r->value)};
      case capabilities::CallKind::kMissing:
        return {false, "function not found: nd_task_execute"};
      case capabilities::CallKind::kNotImplemented:
        return {false, "function not implemented: nd_task_execute"};
      default:
        if (r->error.rfind("invalid output of", 0) == 0) return {false, r->error};
        return {false, "plugin call failed: " + r->error};
    }
  };
}

}  // namespace pier::taskqueue
