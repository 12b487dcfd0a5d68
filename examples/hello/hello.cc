// The first plugin to read: JSON in, JSON out, config, logging.
//
//   pier call build/plugins/hello.wasm greet --input '{"name":"Ada"}' --config greeting=Welcome
//   pier call build/plugins/hello.wasm word_stats --input-file README.md
#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "pier/capabilities/lifecycle.h"
#include "pier/host/config.h"
#include "pier/pdk.h"
#include "pier/pdk/json.h"

namespace pdk = pier::pdk;

// {"name": "Ada"} -> {"message": "Hello, Ada!"}; the greeting comes from config.
PIER_FUNCTION(greet) {
  PIER_ASSIGN_OR_RETURN(nlohmann::json in, pdk::ParseJson(input.empty() ? "{}" : input));
  if (!in.is_object()) return pier::InvalidArgumentError("expected a JSON object like {\"name\":\"Ada\"}");
  const std::string name = in.contains("name") && in["name"].is_string() ? in["name"].get<std::string>() : "world";
  const std::string greeting = pdk::Config("greeting").value_or("Hello");
  pdk::LogInfo("greeting " + name);
  return pdk::ToJson({{"message", greeting + ", " + name + "!"}});
}

// Any text -> {"lines", "words", "bytes", "top": [[word, count], ...]} (top 5 words).
PIER_FUNCTION(word_stats) {
  std::map<std::string, int> counts;
  size_t lines = 0, words = 0;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    ++counts[word];
    ++words;
    word.clear();
  };
  for (char c : input) {
    if (c == '\n') ++lines;
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  std::vector<std::pair<std::string, int>> top(counts.begin(), counts.end());
  std::sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (top.size() > 5) top.resize(5);
  nlohmann::json top_json = nlohmann::json::array();
  for (auto& [w, n] : top) top_json.push_back({w, n});
  return pdk::ToJson({{"lines", lines}, {"words", words}, {"bytes", input.size()}, {"top", top_json}});
}

// Lifecycle: `pier serve` calls nd_on_init once per load; the Config host
// service sees the same configuration as config_get above.
class HelloLifecycle : public pier::capabilities::Lifecycle {
 public:
  pier::Status OnInit(const pier::wire::InitRequest&) override {
    auto greeting = pier::host::ConfigGet("greeting");
    pdk::LogInfo("hello is ready; it will greet with \"" +
                 (greeting.ok() && greeting->exists ? greeting->value : std::string("Hello")) + "\"");
    return pier::OkStatus();
  }
};
PIER_REGISTER_LIFECYCLE(HelloLifecycle);
