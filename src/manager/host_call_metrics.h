// HostCallMetrics: pier_host_calls_total{plugin,service,function,outcome} for
// one plugin, fed by the host-service bindings' observer. A series is made
// the first time its function ends that way.
//
//   auto calls = std::make_shared<HostCallMetrics>(metrics, "my-plugin");
//   host.observer = [calls](std::string_view f, std::string_view error) { calls->Observe(f, error); };
//
// Thread-safe after construction.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "pier/metrics.h"

namespace pier {

class HostCallMetrics {
 public:
  // `metrics` outlives this.
  HostCallMetrics(Metrics& metrics, std::string plugin);
  // After a call of host function `function`: `error` is what the plugin read ("" on success).
  void Observe(std::string_view function, std::string_view error);

 private:
  struct PerFunction {
    std::string service;
    std::once_flag ok_made, error_made;
    Counter ok, error;
  };
  Metrics& metrics_;
  const std::string plugin_;
  std::map<std::string, PerFunction, std::less<>> functions_;  // keys fixed at construction
};

}  // namespace pier
