// How task queues reach a loaded plugin: an executor calling its
// nd_task_execute.
#pragma once

#include "pier/plugin.h"
#include "services/taskqueue/dispatcher.h"

namespace pier::taskqueue {

// Calls nd_task_execute. Failures read as the original's task messages:
// `plugin call failed: <error or trap>`, `function not implemented:
// nd_task_execute`, `function not found: nd_task_execute`, or the decoding
// error of an output that is not a JSON string. `plugin` must outlive the
// executor's use (the queues stop before the plugin is unloaded).
TaskExecutor PluginExecutor(Plugin& plugin);

}  // namespace pier::taskqueue
