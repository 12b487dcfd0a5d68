#include "services/config/config_service.h"

#include <gtest/gtest.h>
#include "support/test_call_context.h"

namespace pier::services {
namespace {

using NoContext = pier::testing::TestCallContext;

TEST(PluginConfigValues, ConvertsLikeTheOriginal) {
  auto v = PluginConfigValues(R"({"s":"text","n":30,"f":1.5,"big":1e21,"small":1.5e-7,"t":true,"z":null,
                                  "o":{"b":2,"a":[1,"<x>"]}})").value();
  EXPECT_EQ(v["s"], "text");
  EXPECT_EQ(v["n"], "30");
  EXPECT_EQ(v["f"], "1.5");
  EXPECT_EQ(v["big"], "1e+21");
  EXPECT_EQ(v["small"], "1.5e-7");
  EXPECT_EQ(v["t"], "true");
  EXPECT_EQ(v["z"], "null");
  EXPECT_EQ(v["o"], R"({"a":[1,"<x>"],"b":2})") << "compact, keys sorted";
  EXPECT_TRUE(PluginConfigValues("").value().empty());
  EXPECT_EQ(PluginConfigValues("[1]").status().message(), "parsing plugin config: expected a JSON object");
  EXPECT_EQ(PluginConfigValues("{bad").status().message(), "parsing plugin config: not valid JSON");
}

TEST(MapConfigService, GetGetIntKeys) {
  MapConfigService s({{"a.1", "x"}, {"a.2", "42"}, {"b", "1.5"}, {"c", "-9223372036854775808"}, {"d", "+7"}});
  NoContext ctx;
  EXPECT_EQ(s.Get(ctx, {"a.1"})->value, "x");
  EXPECT_FALSE(s.Get(ctx, {"nope"})->exists);
  EXPECT_EQ(s.GetInt(ctx, {"a.2"})->value, 42);
  EXPECT_FALSE(s.GetInt(ctx, {"b"})->exists) << "1.5 is not an integer";
  EXPECT_EQ(s.GetInt(ctx, {"c"})->value, INT64_MIN);
  EXPECT_EQ(s.GetInt(ctx, {"d"})->value, 7);
  EXPECT_EQ(s.Keys(ctx, {"a."})->keys, (std::vector<std::string>{"a.1", "a.2"}));
  EXPECT_EQ(s.Keys(ctx, {""})->keys.size(), 5u);
}

}  // namespace
}  // namespace pier::services
