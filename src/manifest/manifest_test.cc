#include "manifest/manifest.h"

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace pier {
namespace {

std::string Base(const std::string& extra = "") {
  return R"({"name":"Demo","author":"Me","version":"1.0")" + (extra.empty() ? "" : "," + extra) + "}";
}

std::string ErrorOf(const std::string& text) {
  auto m = ParseManifest(text);
  return m.ok() ? "OK" : m.status().message();
}

TEST(Manifest, MinimalAndFull) {
  auto m = ParseManifest(Base());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->name, "Demo");
  EXPECT_TRUE(m->permissions.Granted().empty());

  auto full = ParseManifest(Base(R"("description":"d","website":"not a uri",
    "permissions":{"taskqueue":{"reason":"jobs","maxConcurrency":4},"kvstore":{"maxSize":"2MB"},
                   "http":{"requiredHosts":["api.example.org","*.cdn.example.org"]},
                   "library":{"filesystem":true},"users":{},"subsonicapi":{},"cache":{"reason":"x"}},
    "experimental":{"threads":{}},
    "config":{"schema":{"type":"object","properties":{"token":{"type":"string"}},"required":["token"]}})"));
  ASSERT_TRUE(full.ok()) << full.status().message();
  EXPECT_EQ(full->permissions.taskqueue->max_concurrency, 4);
  EXPECT_EQ(full->permissions.kvstore->max_size, "2MB");
  EXPECT_EQ(full->permissions.http->required_hosts.size(), 2u);
  EXPECT_TRUE(full->permissions.library->filesystem);
  EXPECT_TRUE(full->experimental_threads);
  EXPECT_EQ(full->permissions.Granted(),
            (std::set<std::string>{"cache", "http", "kvstore", "library", "subsonicapi", "taskqueue", "users"}));
}

TEST(Manifest, UnknownKeysAreAcceptedEverywhere) {
  // Navidrome's own test-metadata-agent manifest has keys its schema lacks.
  EXPECT_EQ(ErrorOf(Base(R"("capabilities":["MetadataAgent"],"permissions":{"http":{"allowedURLs":{"x":1}}})")),
            "OK");
}

TEST(Manifest, RequiredFieldsUseTheOriginalMessages) {
  EXPECT_EQ(ErrorOf(R"({"author":"a","version":"1"})"),
            "parsing manifest: parsing manifest JSON: field name in Manifest: required");
  EXPECT_EQ(ErrorOf(R"({"name":"","author":"a","version":"1"})"),
            "parsing manifest: parsing manifest JSON: field name length: must be >= 1");
  EXPECT_EQ(ErrorOf(R"({"name":"n","author":null,"version":"1"})"),
            "parsing manifest: parsing manifest JSON: field author length: must be >= 1");
  EXPECT_EQ(ErrorOf(R"({"name":"n","author":"a"})"),
            "parsing manifest: parsing manifest JSON: field version in Manifest: required");
  EXPECT_EQ(ErrorOf(Base(R"("config":{"uiSchema":{}})")),
            "parsing manifest: parsing manifest JSON: field schema in ConfigDefinition: required");
  EXPECT_EQ(ErrorOf(Base(R"("permissions":{"taskqueue":{"maxConcurrency":0}})")),
            "parsing manifest: parsing manifest JSON: field maxConcurrency: must be >= 1");
  EXPECT_EQ(ErrorOf(Base(R"("permissions":{"taskqueue":{"maxConcurrency":null}})")), "OK") << "null = default 1";
  // Found by fuzz/manifest_fuzz: an integral float beyond int64 passes the
  // schema's "integer" and must be refused, not converted (undefined).
  EXPECT_EQ(ErrorOf(Base(R"("permissions":{"taskqueue":{"maxConcurrency":333333333333333333333333334}})")),
            "parsing manifest: parsing manifest JSON: field maxConcurrency: 3.333333333333333e+26 is out of range");
  EXPECT_EQ(ErrorOf(Base(R"("permissions":{"taskqueue":{"maxConcurrency":3.0}})")), "OK");
}

TEST(Manifest, WrongTypesAreRejectedByTheSchema) {
  for (const char* bad : {R"("name":5)", R"("permissions":{"http":{"requiredHosts":"x"}})",
                          R"("permissions":{"library":{"filesystem":"true"}})",
                          R"("permissions":{"taskqueue":{"maxConcurrency":"3"}})",
                          R"("permissions":{"taskqueue":{"maxConcurrency":1.5}})"}) {
    std::string doc = std::string(R"({"author":"Me","version":"1.0",)") + bad + "}";
    if (std::string(bad).rfind("\"name\"", 0) != 0) doc = Base(bad);
    const std::string e = ErrorOf(doc);
    EXPECT_EQ(e.rfind("parsing manifest: parsing manifest JSON: ", 0), 0u) << bad << " -> " << e;
  }
  EXPECT_EQ(ErrorOf("{not json"), "parsing manifest: parsing manifest JSON: not valid JSON");
  EXPECT_EQ(ErrorOf("[1,2]"), "parsing manifest: parsing manifest JSON: the manifest must be a JSON object");
}

TEST(Manifest, NewerPermissionsAndTheirRules) {
  EXPECT_EQ(ErrorOf(Base(R"("permissions":{"matcher":{}})")),
            "parsing manifest: validating manifest: 'matcher' permission requires 'library' permission to be declared");
  EXPECT_EQ(ErrorOf(Base(R"("permissions":{"scrobbleRetriever":{}})")),
            "parsing manifest: validating manifest: 'scrobbleRetriever' permission requires 'users' permission to be "
            "declared");
  auto m = ParseManifest(Base(R"("permissions":{"matcher":{"reason":"x"},"library":{},"scrobbleRetriever":{},"users":{}})"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->permissions.Granted(), (std::set<std::string>{"library", "matcher", "scrobbleRetriever", "users"}));
}

TEST(Manifest, CrossFieldRules) {
  EXPECT_EQ(ErrorOf(Base(R"("permissions":{"subsonicapi":{}})")),
            "parsing manifest: validating manifest: 'subsonicapi' permission requires 'users' permission to be declared");
  const std::string bad_schema = ErrorOf(Base(R"("config":{"schema":{"type":"object","properties":{"a":{"type":7}}}})"));
  EXPECT_EQ(bad_schema.rfind("parsing manifest: validating manifest: invalid config schema: ", 0), 0u) << bad_schema;
  EXPECT_EQ(ErrorOf(Base(R"("config":{"schema":null})")), "OK") << "a null schema means no config";
}

TEST(Manifest, CapabilityRules) {
  auto m = ParseManifest(Base(R"("permissions":{"taskqueue":{},"scheduler":{}})")).value();
  auto none = [](std::string_view) { return false; };
  auto all = [](std::string_view) { return true; };
  EXPECT_EQ(CheckCapabilityRules(m, {}, none).message(),
            "manifest validation: 'scheduler' permission requires plugin to export 'nd_scheduler_callback' function");
  EXPECT_TRUE(CheckCapabilityRules(m, {}, all).ok());
  auto plain = ParseManifest(Base()).value();
  EXPECT_EQ(CheckCapabilityRules(plain, {"Scrobbler"}, all).message(),
            "manifest validation: scrobbler capability requires 'users' permission to be declared in manifest");
}

TEST(Manifest, ConfigIsValidatedAgainstTheSchema) {
  auto m = ParseManifest(Base(R"("config":{"schema":{"type":"object","properties":{"count":{"type":"integer"}},
                                          "required":["token"]}})")).value();
  EXPECT_TRUE(ValidateConfig(m, {{"token", "t"}, {"count", 3}}).ok());
  Status bad = ValidateConfig(m, {{"count", "three"}});
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("count: "), std::string::npos) << bad.message();
  EXPECT_EQ(ValidateConfig(ParseManifest(Base()).value(), {}).message(), "plugin has no configurable options");
}

}  // namespace
}  // namespace pier
