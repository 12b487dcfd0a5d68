// Implements Lifecycle: nd_on_init logs what the Config service says, and an
// export compares both views of the configuration.
#include "pier/capabilities/lifecycle.h"
#include "pier/host/config.h"
#include "pier/pdk.h"

class Init : public pier::capabilities::Lifecycle {
 public:
  pier::Status OnInit(const pier::wire::InitRequest&) override {
    auto greeting = pier::host::ConfigGet("greeting");
    pier::pdk::LogInfo("nd_on_init ran; greeting=" + (greeting.ok() ? greeting->value : greeting.status().message()));
    return pier::OkStatus();
  }
};
PIER_REGISTER_LIFECYCLE(Init);

// "<extism config_get>|<Config service get>|<getint of count>|<keys>"
PIER_FUNCTION(config_views) {
  PIER_ASSIGN_OR_RETURN(auto service, pier::host::ConfigGet("greeting"));
  PIER_ASSIGN_OR_RETURN(auto count, pier::host::ConfigGetInt("count"));
  PIER_ASSIGN_OR_RETURN(auto keys, pier::host::ConfigKeys(""));
  std::string joined;
  for (auto& k : keys) joined += k + ",";
  return pier::pdk::Config("greeting").value_or("<none>") + "|" + service.value + "|" +
         std::to_string(count.value) + "|" + joined;
}
