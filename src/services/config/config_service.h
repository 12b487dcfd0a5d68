// ConfigService: the Config host service (spec §3.4.2) over one plugin's
// configuration, and the §1.7 conversion of a JSON config object into the
// string map both views (Extism config_get and this service) share.
//
//   auto values = PluginConfigValues(R"({"token":"abc","count":5})").value();
//   MapConfigService config(values);   // {"token": "abc", "count": "5"}
//
// Immutable after construction; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "pier/services/config.h"

namespace pier::services {

// §1.7: strings as-is, numbers as Go prints a float64, booleans and null as
// words, arrays and objects as compact JSON with sorted keys. Empty text = no
// config. Errors: "parsing plugin config: ...".
Result<std::map<std::string, std::string>> PluginConfigValues(std::string_view json_text);

class MapConfigService final : public ConfigService {
 public:
  explicit MapConfigService(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  Result<wire::ConfigGetResponse> Get(HostCallContext& context, const wire::ConfigGetRequest& request) override;
  Result<wire::ConfigGetIntResponse> GetInt(HostCallContext& context,
                                            const wire::ConfigGetIntRequest& request) override;
  Result<wire::ConfigKeysResponse> Keys(HostCallContext& context, const wire::ConfigKeysRequest& request) override;

  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  const std::map<std::string, std::string> values_;
};

}  // namespace pier::services
