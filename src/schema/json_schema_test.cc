#include "schema/json_schema.h"

#include <gtest/gtest.h>

#include <chrono>

#include "pier/json.h"

namespace pier::schema {
namespace {

using Json = nlohmann::json;

JsonSchema Compiled(const char* text) {
  auto s = JsonSchema::Compile(Json::parse(text));
  EXPECT_TRUE(s.ok()) << text << " -> " << s.status().message();
  return s.ok() ? *s : JsonSchema::Compile(Json(true)).value();
}

std::string CompileError(const Json& doc) {
  auto s = JsonSchema::Compile(doc);
  return s.ok() ? "OK" : s.status().message();
}

std::string Problems(const JsonSchema& s, const char* value) { return JoinErrors(s.Validate(Json::parse(value))); }

TEST(JsonSchema, TypesAndScalarKeywords) {
  JsonSchema s = Compiled(R"({"type":"object","properties":{
      "name":{"type":"string","minLength":2,"maxLength":4,"pattern":"^[a-z]+$"},
      "port":{"type":"integer","minimum":1,"maximum":65535},
      "ratio":{"type":"number","exclusiveMinimum":0,"multipleOf":0.25},
      "mode":{"enum":["a","b"]}, "fixed":{"const":3}, "maybe":{"type":["string","null"]}},
    "required":["name"]})");
  EXPECT_EQ(Problems(s, R"({"name":"abc","port":80,"ratio":0.5,"mode":"a","fixed":3,"maybe":null})"), "");
  EXPECT_EQ(Problems(s, R"({"port":80})"), "name: is required");
  EXPECT_EQ(Problems(s, R"({"name":"a"})"), "name: must be at least 2 characters long");
  EXPECT_EQ(Problems(s, R"({"name":"abcde"})"), "name: must be at most 4 characters long");
  EXPECT_EQ(Problems(s, R"({"name":"AB"})"), "name: must match the pattern ^[a-z]+$");
  EXPECT_EQ(Problems(s, R"({"name":"ab","port":"80"})"), "port: expected integer, got string");
  EXPECT_EQ(Problems(s, R"({"name":"ab","port":1.5})"), "port: expected integer, got number");
  EXPECT_EQ(Problems(s, R"({"name":"ab","port":2.0})"), "") << "2.0 is an integer";
  EXPECT_EQ(Problems(s, R"({"name":"ab","port":70000})"), "port: must be <= 65535");
  EXPECT_EQ(Problems(s, R"({"name":"ab","ratio":0})"), "ratio: must be > 0");
  EXPECT_EQ(Problems(s, R"({"name":"ab","ratio":0.3})"), "ratio: must be a multiple of 0.25");
  EXPECT_EQ(Problems(s, R"({"name":"ab","mode":"c"})"), "mode: must be one of \"a\", \"b\"");
  EXPECT_EQ(Problems(s, R"({"name":"ab","fixed":4})"), "fixed: must be 3");
  EXPECT_EQ(Problems(s, R"({"name":"ab","maybe":1})"), "maybe: expected null or string, got integer");
  EXPECT_EQ(Problems(s, R"([])"), "expected object, got array");
  // Code points, not bytes.
  EXPECT_EQ(Problems(Compiled(R"({"maxLength":2})"), R"("éé")"), "");
}

TEST(JsonSchema, ObjectsAndArrays) {
  JsonSchema s = Compiled(R"({"type":"object",
      "properties":{"tags":{"type":"array","items":{"type":"string"},"minItems":1,"uniqueItems":true},
                    "pair":{"type":"array","items":[{"type":"integer"},{"type":"string"}],"additionalItems":false},
                    "list":{"type":"array","prefixItems":[{"const":1}],"items":{"type":"boolean"}},
                    "has":{"type":"array","contains":{"const":"x"},"maxContains":1}},
      "patternProperties":{"^x-":{"type":"integer"}},
      "additionalProperties":false, "maxProperties":3,
      "dependentRequired":{"tags":["pair"]}})");
  EXPECT_EQ(Problems(s, R"({"tags":["a"],"pair":[1,"b"]})"), "");
  EXPECT_EQ(Problems(s, R"({"tags":[]})"), "pair: is required when tags is set; tags: must have at least 1 item(s)");
  EXPECT_EQ(Problems(s, R"({"tags":["a","a"],"pair":[1,"b"]})"), "tags: items 0 and 1 are equal; items must be unique");
  EXPECT_EQ(Problems(s, R"({"tags":[3],"pair":[1,"b"]})"), "tags/0: expected string, got integer");
  EXPECT_EQ(Problems(s, R"({"pair":[1,"b",3]})"), "pair/2: is not allowed here");
  EXPECT_EQ(Problems(s, R"({"list":[1,true,false]})"), "");
  EXPECT_EQ(Problems(s, R"({"list":[2,"t"]})"), "list/0: must be 1; list/1: expected boolean, got string");
  EXPECT_EQ(Problems(s, R"({"has":["x"]})"), "");
  EXPECT_EQ(Problems(s, R"({"has":[]})"), "has: must contain at least 1 matching item(s)");
  EXPECT_EQ(Problems(s, R"({"has":["x","x"]})"), "has: must contain at most 1 matching item(s)");
  EXPECT_EQ(Problems(s, R"({"x-a":1})"), "");
  EXPECT_EQ(Problems(s, R"({"x-a":"1"})"), "x-a: expected integer, got string");
  EXPECT_EQ(Problems(s, R"({"other":1})"), "other: is not a known setting");
  EXPECT_EQ(Problems(s, R"({"x-a":1,"x-b":2,"x-c":3,"x-d":4})"), "must have at most 3 properties");
}

TEST(JsonSchema, CombinatorsConditionalsAndReferences) {
  JsonSchema s = Compiled(R"({"$defs":{"port":{"type":"integer","maximum":65535}},
      "properties":{"a":{"$ref":"#/$defs/port"},
                    "b":{"anyOf":[{"type":"string"},{"type":"integer"}]},
                    "c":{"oneOf":[{"type":"integer"},{"minimum":0}]},
                    "d":{"not":{"type":"null"}},
                    "e":{"allOf":[{"minimum":1},{"maximum":2}]}},
      "if":{"properties":{"kind":{"const":"tls"}},"required":["kind"]},
      "then":{"required":["cert"]}, "else":{"properties":{"cert":false}}})");
  EXPECT_EQ(Problems(s, R"({"a":1,"b":"x","c":-1,"d":0,"e":1})"), "");
  EXPECT_EQ(Problems(s, R"({"a":70000})"), "a: must be <= 65535");
  EXPECT_EQ(Problems(s, R"({"b":true})"), "b: does not match any of the allowed forms");
  EXPECT_EQ(Problems(s, R"({"c":3})"), "c: matches 2 of the allowed forms; exactly one must match");
  EXPECT_EQ(Problems(s, R"({"d":null})"), "d: matches a form that is not allowed");
  EXPECT_EQ(Problems(s, R"({"e":3})"), "e: must be <= 2");
  EXPECT_EQ(Problems(s, R"({"kind":"tls"})"), "cert: is required");
  EXPECT_EQ(Problems(s, R"({"kind":"plain","cert":"x"})"), "cert: is not allowed here");
  // draft-07 definitions, anchors, the root's own $id, and a recursive schema that descends.
  JsonSchema tree = Compiled(R"({"$id":"https://example.org/tree.json","definitions":{"leaf":{"$id":"#leaf","type":"string"}},
      "type":"object","properties":{"name":{"$ref":"#leaf"},
      "children":{"type":"array","items":{"$ref":"https://example.org/tree.json#"}}}})");
  EXPECT_EQ(Problems(tree, R"({"name":"r","children":[{"name":"c","children":[]}]})"), "");
  EXPECT_EQ(Problems(tree, R"({"children":[{"name":7}]})"), "children/0/name: expected string, got integer");
}

TEST(JsonSchema, BadSchemasAreRefusedWithTheirPlace) {
  EXPECT_EQ(CompileError(Json::parse(R"({"type":"strin"})")), "at #: type \"strin\" is not a JSON Schema type");
  EXPECT_EQ(CompileError(Json::parse(R"({"properties":{"a":{"minLength":"x"}}})")),
            "at #/properties/a: minLength must be a non-negative integer");
  EXPECT_EQ(CompileError(Json::parse(R"x({"pattern":"(?=a)"})x")).rfind("at #: pattern \"(?=a)\" is not a supported", 0), 0u);
  EXPECT_EQ(CompileError(Json::parse(R"({"$ref":"other.json#/a"})")).find("another document") != std::string::npos, true);
  EXPECT_EQ(CompileError(Json::parse(R"({"$ref":"#/nowhere"})")), "at #: $ref: nothing at #/nowhere");
  EXPECT_EQ(CompileError(Json::parse(R"({"unevaluatedProperties":false})")), "at #: unevaluatedProperties is not supported");
  EXPECT_EQ(CompileError(Json(5)), "at #: a schema must be an object or a boolean");
}

TEST(JsonSchema, CyclesThatNeverDescendAreRefused) {
  // The probe's inputs: a self reference, a definitions cycle, a cycle through allOf.
  for (const char* doc : {R"({"$ref":"#"})", R"({"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"})",
                          R"({"allOf":[{"$ref":"#"}]})", R"({"definitions":{"a":{"not":{"$ref":"#/definitions/a"}}}})"}) {
    const std::string e = CompileError(Json::parse(doc));
    EXPECT_NE(e.find("refers to itself without descending"), std::string::npos) << doc << " -> " << e;
  }
  // A long chain of references that never descends is refused too.
  Json chain = {{"$ref", "#/definitions/d0"}, {"definitions", Json::object()}};
  for (int i = 0; i < 200; ++i) {
    chain["definitions"]["d" + std::to_string(i)] = {{"$ref", "#/definitions/d" + std::to_string(i + 1)}};
  }
  chain["definitions"]["d200"] = {{"type", "string"}};
  EXPECT_NE(CompileError(chain).find("in a chain"), std::string::npos);
}

TEST(JsonSchema, DeepSchemasAndValuesAreRefused) {
  // 10,000-deep `properties` nesting (the probe's) cannot even be parsed.
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += R"({"properties":{"a":)";
  deep += "{}";
  for (int i = 0; i < 10000; ++i) deep += "}}";
  EXPECT_FALSE(ParseJson(deep).ok());
  // A schema built in memory deeper than the limit is refused when compiled.
  Json nested = Json::object();
  for (int i = 0; i < 100; ++i) nested = Json{{"properties", {{"a", nested}}}};
  EXPECT_NE(CompileError(nested).find("nested too deeply"), std::string::npos);
  // A value deeper than the limit is refused before it is walked.
  Json value = Json::array();
  for (int i = 0; i < 1000; ++i) value = Json::array({value});
  EXPECT_EQ(JoinErrors(Compiled("{}").Validate(value)), "the value is nested more than 64 levels deep");
}

TEST(JsonSchema, PatternsRunInLinearTime) {
  // std::regex recursion crashed on 30,000 characters and took seconds on ^(a+)+$.
  JsonSchema s = Compiled(R"({"properties":{"a":{"pattern":"^[A-Za-z0-9]*$"},"b":{"pattern":"^(a+)+$"}}})");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Problems(s, ("{\"a\":\"" + std::string(300000, 'x') + "\"}").c_str()), "");
  EXPECT_EQ(Problems(s, ("{\"b\":\"" + std::string(100000, 'a') + "!\"}").c_str()), "b: must match the pattern ^(a+)+$");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(JsonSchema, ExponentialWorkIsCut) {
  // Nested anyOf whose branches all fail late (2^25 paths): the visit budget ends it.
  Json s = {{"$ref", "#/definitions/d25"}, {"definitions", {{"d0", {{"type", "integer"}}}}}};
  for (int i = 1; i <= 25; ++i) {
    const std::string prev = "#/definitions/d" + std::to_string(i - 1);
    s["definitions"]["d" + std::to_string(i)] = {{"anyOf", {{{"$ref", prev}}, {{"$ref", prev}}}}};
  }
  auto compiled = JsonSchema::Compile(s);
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(JoinErrors(compiled->Validate("x")), "the value is too expensive to check against this schema");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(JsonNesting, CountsOnlyBracketsOutsideStrings) {
  EXPECT_TRUE(CheckJsonNesting(R"({"a":"[[[[[[[[[[[[[[[[[[[[[\"[[["})", 2).ok());
  EXPECT_TRUE(CheckJsonNesting("[[1]]", 2).ok());
  EXPECT_FALSE(CheckJsonNesting("[[[1]]]", 2).ok());
  EXPECT_EQ(ParseJson("[[[1]]]", 2).status().message(), "JSON nested more than 2 levels deep");
  EXPECT_EQ(ParseJson("{oops").status().message(), "not valid JSON");
}

}  // namespace
}  // namespace pier::schema
