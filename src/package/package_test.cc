#include "package/package.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using testing::ZipWriter;

constexpr char kManifest[] = R"({"name":"Demo","author":"Me","version":"1.0"})";
const std::string kWasm("\0asm\1\0\0\0", 8);

class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pier-pkg-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Error(ZipWriter& zip, const PackageLimits& limits = {}) {
    const fs::path path = dir_ / "plugin.ndp";
    zip.WriteTo(path);
    auto p = OpenPackage(path, false, limits);
    return p.ok() ? "OK" : p.status().message();
  }
  // Nothing may appear outside the package folder, whatever the archive says.
  void ExpectNothingWritten() {
    for (auto& e : fs::recursive_directory_iterator(dir_)) {
      EXPECT_TRUE(e.path().filename() == "plugin.ndp" || e.path().filename() == "data") << e.path();
    }
    EXPECT_FALSE(fs::exists(dir_.parent_path() / "evil"));
  }
  fs::path dir_;
};

TEST_F(PackageTest, ReadsAWellFormedArchive) {
  ZipWriter zip;
  zip.Add("manifest.json", kManifest);
  zip.Add({"plugin.wasm", kWasm, /*deflate=*/true});
  zip.Add("README.txt", "other entries are ignored");
  zip.WriteTo(dir_ / "my-plugin.ndp");
  auto p = OpenPackage(dir_ / "my-plugin.ndp");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->id, "my-plugin");
  EXPECT_EQ(p->wasm, kWasm);
  EXPECT_EQ(p->manifest.name, "Demo");
  EXPECT_EQ(p->sha256.size(), 64u);
  auto m = OpenPackage(dir_ / "my-plugin.ndp", /*manifest_only=*/true);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->wasm.empty());
  EXPECT_EQ(m->sha256, p->sha256);
}

TEST_F(PackageTest, ReadsAFolder) {
  fs::create_directories(dir_ / "folder-plugin");
  std::ofstream(dir_ / "folder-plugin" / "manifest.json") << kManifest;
  std::ofstream(dir_ / "folder-plugin" / "plugin.wasm", std::ios::binary) << kWasm;
  auto p = OpenPackage(dir_ / "folder-plugin");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->id, "folder-plugin");
  EXPECT_EQ(p->wasm, kWasm);
  fs::remove(dir_ / "folder-plugin" / "plugin.wasm");
  fs::create_symlink("/etc/passwd", dir_ / "folder-plugin" / "plugin.wasm");
  auto linked = OpenPackage(dir_ / "folder-plugin");
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.status().message().find("plugin.wasm is a symbolic link"), std::string::npos);
}

TEST_F(PackageTest, MissingMembers) {
  ZipWriter no_manifest;
  no_manifest.Add("plugin.wasm", kWasm);
  EXPECT_NE(Error(no_manifest).find("package missing manifest.json"), std::string::npos);
  ZipWriter nested;
  nested.Add("x/manifest.json", kManifest);  // only the root counts
  nested.Add("plugin.wasm", kWasm);
  EXPECT_NE(Error(nested).find("package missing manifest.json"), std::string::npos);
  ZipWriter no_wasm;
  no_wasm.Add("manifest.json", kManifest);
  EXPECT_NE(Error(no_wasm).find("package missing plugin.wasm"), std::string::npos);
}

TEST_F(PackageTest, ZipSlipAndAbsolutePathsAreRefused) {
  for (const char* evil : {"../evil", "a/../../evil", "/etc/evil", "C:/evil", "a\\..\\evil"}) {
    ZipWriter zip;
    zip.Add("manifest.json", kManifest);
    zip.Add("plugin.wasm", kWasm);
    zip.Add(evil, "pwned");
    const std::string e = Error(zip);
    EXPECT_NE(e.find("entry \"" + std::string(evil) + "\""), std::string::npos) << e;
  }
  ExpectNothingWritten();
}

TEST_F(PackageTest, SymlinksAndDuplicatesAreRefused) {
  ZipWriter link;
  link.Add("manifest.json", kManifest);
  link.Add({"plugin.wasm", "/etc/passwd", false, 0120777});
  EXPECT_NE(Error(link).find("entry \"plugin.wasm\" is a symbolic link"), std::string::npos);
  ZipWriter dup;
  dup.Add("manifest.json", kManifest);
  dup.Add("plugin.wasm", kWasm);
  dup.Add("manifest.json", R"({"name":"Other","author":"x","version":"2"})");
  EXPECT_NE(Error(dup).find("has duplicate entries"), std::string::npos) << Error(dup);
}

TEST_F(PackageTest, BombsAndOversizedMembersAreRefused) {
  ZipWriter bomb;
  bomb.Add("manifest.json", kManifest);
  bomb.Add({"plugin.wasm", std::string(20 << 20, '\0'), /*deflate=*/true});
  EXPECT_NE(Error(bomb).find("refused as a likely zip bomb"), std::string::npos);

  ZipWriter big;
  big.Add("manifest.json", kManifest);
  big.Add("plugin.wasm", std::string(4096, 'w'));
  PackageLimits small;
  small.max_wasm_bytes = 1024;
  EXPECT_NE(Error(big, small).find("plugin.wasm is 4096 bytes, over the limit of 1024"), std::string::npos);

  ZipWriter liar;  // declares 10 bytes, holds 5000
  liar.Add("manifest.json", kManifest);
  liar.Add({"plugin.wasm", std::string(5000, 'w'), false, 0100644, 10});
  EXPECT_NE(Error(liar), "OK");

  ZipWriter many;
  many.Add("manifest.json", kManifest);
  many.Add("plugin.wasm", kWasm);
  for (int i = 0; i < 40; ++i) many.Add("f" + std::to_string(i), "");
  PackageLimits few;
  few.max_entries = 10;
  EXPECT_NE(Error(many, few).find("entries, over the limit of 10"), std::string::npos);
  ExpectNothingWritten();
}

TEST_F(PackageTest, GarbageAndBadManifests) {
  std::ofstream(dir_ / "junk.ndp") << "this is not a zip";
  auto junk = OpenPackage(dir_ / "junk.ndp");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("not a readable ZIP archive"), std::string::npos);
  ZipWriter bad;
  bad.Add("manifest.json", R"({"author":"x","version":"1"})");
  bad.Add("plugin.wasm", kWasm);
  EXPECT_NE(Error(bad).find("field name in Manifest: required"), std::string::npos);
  EXPECT_EQ(OpenPackage(dir_ / "absent.ndp").status().code(), StatusCode::kNotFound);
}

TEST(PluginId, Rules) {
  EXPECT_TRUE(ValidatePluginId("my-plugin_2.0").ok());
  EXPECT_FALSE(ValidatePluginId("").ok());
  EXPECT_FALSE(ValidatePluginId(".hidden").ok());
  EXPECT_FALSE(ValidatePluginId("a b").ok());
  EXPECT_FALSE(ValidatePluginId(std::string(200, 'a')).ok());
  EXPECT_TRUE(LooksLikePackage("x.ndp"));
  EXPECT_FALSE(LooksLikePackage("x.zip"));
}

}  // namespace
}  // namespace pier
