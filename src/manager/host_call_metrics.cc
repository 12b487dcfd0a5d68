#include "manager/host_call_metrics.h"

#include "pier/services/host_services.h"

namespace pier {

HostCallMetrics::HostCallMetrics(Metrics& metrics, std::string plugin) : metrics_(metrics), plugin_(std::move(plugin)) {
  for (const services::HostFunctionInfo& f : services::AllHostFunctions()) {
    functions_.try_emplace(std::string(f.name)).first->second.service = std::string(f.service);
  }
}

void HostCallMetrics::Observe(std::string_view function, std::string_view error) {
  auto it = functions_.find(function);
  if (it == functions_.end()) return;
  PerFunction& f = it->second;
  const bool ok = error.empty();
  Counter& c = ok ? f.ok : f.error;
  std::call_once(ok ? f.ok_made : f.error_made, [&] {
    c = metrics_.GetCounter("pier_host_calls_total",
                            "Host-service calls made by plugins, by service, function and whether the plugin "
                            "received an error.",
                            {{"plugin", plugin_},
                             {"service", f.service},
                             {"function", it->first},
                             {"outcome", ok ? "ok" : "error"}});
  });
  c.Add();
}

}  // namespace pier
