// WASI files through a real plugin (wasi-libc): ordinary use of a read-write
// mount, a read-only mount, and every way a hostile plugin could try to leave
// them — `..`, absolute host paths, symbolic links planted by the host,
// /proc, links and renames across mounts, creating symbolic links.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pier/runtime.h"
#include "pier/services/host_services.h"
#include "services/storage/storage_service.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// errno values as the plugin sees them (WASI's numbering, not the host's).
constexpr int kWasiExist = 20, kWasiPerm = 63, kWasiRofs = 69;

std::span<const uint8_t> Bytes(const std::string& name) {
  static std::map<std::string, std::string> loaded;
  auto& bytes = loaded[name];
  if (bytes.empty()) bytes = testing::PluginWasm(name);
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

class FsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("pier-fs-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "storage" / "sub");
    fs::create_directories(root_ / "library" / "album");
    fs::create_directories(root_ / "outside");
    std::ofstream(root_ / "outside" / "secret.txt") << "host secret";
    std::ofstream(root_ / "library" / "album" / "track.txt") << "music";
    // Links a careless host (or a previous plugin run) left inside the mounts.
    fs::create_symlink(root_ / "outside", root_ / "storage" / "abs-link");
    fs::create_symlink("../outside/secret.txt", root_ / "storage" / "rel-link");
    fs::create_symlink("sub", root_ / "storage" / "inner-link");
    runtime_ = Runtime::Create({.cache_dir = root_ / "cache"}).value();
    PluginOptions options;
    options.name = "fs_probe";
    options.mounts = {{root_ / "storage", "/storage", false}, {root_ / "library", "/libraries/1", true}};
    services::HostServices host;
    host.storage = &storage_;
    options.host_functions = services::BindHostServices(host, {"storage"});
    plugin_ = runtime_->Load(Bytes("cpp_fs_probe"), std::move(options)).value();
  }
  void TearDown() override {
    plugin_.reset();
    fs::remove_all(root_);
  }
  Json Probe(const std::string& op, const std::string& path, const std::string& to = "", const std::string& data = "") {
    auto r = plugin_->Call("probe", Json{{"op", op}, {"path", path}, {"to", to}, {"data", data}}.dump());
    EXPECT_TRUE(r.ok() && r->is_output()) << op << " " << path << ": " << (r.ok() ? r->Describe() : r.status().message());
    return r.ok() && r->is_output() ? Json::parse(r->output()) : Json();
  }
  bool Ok(const Json& j) { return j.value("ok", false); }

  fs::path root_;
  services::PluginStorageService storage_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Plugin> plugin_;
};

TEST_F(FsTest, AReadWriteMountWorksLikeAFolder) {
  EXPECT_EQ(Probe("storage_path", "")["data"], "/storage");
  ASSERT_TRUE(Ok(Probe("write", "/storage/notes.txt", "", "hello")));
  ASSERT_TRUE(Ok(Probe("append", "/storage/notes.txt", "", " world")));
  EXPECT_EQ(Probe("read", "/storage/notes.txt")["data"], "hello world");
  EXPECT_EQ(testing::ReadFile(root_ / "storage" / "notes.txt"), "hello world") << "it is the host folder";
  EXPECT_EQ(Probe("stat", "/storage/notes.txt")["size"], 11);
  EXPECT_EQ(Probe("create_new", "/storage/notes.txt")["errno"], kWasiExist);
  ASSERT_TRUE(Ok(Probe("mkdir", "/storage/d")));
  ASSERT_TRUE(Ok(Probe("rename", "/storage/notes.txt", "/storage/d/moved.txt")));
  EXPECT_EQ(Probe("list", "/storage/d")["entries"], Json::array({"moved.txt"}));
  ASSERT_TRUE(Ok(Probe("truncate", "/storage/d/moved.txt")));
  EXPECT_EQ(Probe("read", "/storage/d/moved.txt")["data"], "hel");
  ASSERT_TRUE(Ok(Probe("link", "/storage/d/moved.txt", "/storage/hard.txt")));
  ASSERT_TRUE(Ok(Probe("unlink", "/storage/d/moved.txt")));
  ASSERT_TRUE(Ok(Probe("rmdir", "/storage/d")));
  EXPECT_EQ(Probe("read", "/storage/hard.txt")["data"], "hel");
  // A link that stays inside the mount works; reading it through its name is fine.
  ASSERT_TRUE(Ok(Probe("write", "/storage/inner-link/x.txt", "", "via link")));
  EXPECT_EQ(testing::ReadFile(root_ / "storage" / "sub" / "x.txt"), "via link");
  EXPECT_EQ(Probe("lstat", "/storage/inner-link")["type"], "link");
  EXPECT_EQ(Probe("readlink", "/storage/inner-link")["data"], "sub");
  EXPECT_EQ(Probe("list", "/storage").at("entries"), Json::array({"abs-link", "hard.txt", "inner-link", "rel-link", "sub"}));
}

TEST_F(FsTest, AReadOnlyMountRefusesEveryWrite) {
  EXPECT_EQ(Probe("read", "/libraries/1/album/track.txt")["data"], "music");
  EXPECT_EQ(Probe("list", "/libraries/1")["entries"], Json::array({"album"}));
  for (const auto& [op, to] : std::vector<std::pair<std::string, std::string>>{
           {"write", ""}, {"append", ""}, {"truncate", ""}, {"unlink", ""}}) {
    const Json r = Probe(op, "/libraries/1/album/track.txt", to, "x");
    EXPECT_FALSE(Ok(r)) << op;
    EXPECT_EQ(r["errno"], kWasiRofs) << op;
  }
  EXPECT_EQ(Probe("mkdir", "/libraries/1/new")["errno"], kWasiRofs);
  EXPECT_EQ(Probe("rmdir", "/libraries/1/album")["errno"], kWasiRofs);
  EXPECT_EQ(Probe("write", "/libraries/1/new.txt", "", "x")["errno"], kWasiRofs);
  EXPECT_EQ(testing::ReadFile(root_ / "library" / "album" / "track.txt"), "music");
  EXPECT_FALSE(fs::exists(root_ / "library" / "new.txt"));
}

TEST_F(FsTest, EveryEscapeIsRefused) {
  const std::string host_secret = (root_ / "outside" / "secret.txt").string();
  for (const std::string& path : {host_secret, std::string("/etc/passwd"), std::string("/storage/../outside/secret.txt"),
                                  std::string("/storage/sub/../../outside/secret.txt"),
                                  std::string("/storage/../../../../../../etc/passwd"),
                                  std::string("/storage/abs-link/secret.txt"), std::string("/storage/rel-link"),
                                  std::string("/storage/../library/album/track.txt"),
                                  std::string("/proc/self/root/etc/passwd"), std::string("/storage/./../outside")}) {
    const Json r = Probe("read", path);
    EXPECT_FALSE(Ok(r)) << path << " was readable: " << r.dump();
    EXPECT_FALSE(r.value("data", "").find("host secret") != std::string::npos) << path;
  }
  EXPECT_FALSE(Ok(Probe("list", "/storage/abs-link"))) << "a host symlink to outside is not followed";
  EXPECT_FALSE(Ok(Probe("list", "/storage/..")));
  EXPECT_FALSE(Ok(Probe("write", "/storage/abs-link/planted.txt", "", "x")));
  EXPECT_FALSE(fs::exists(root_ / "outside" / "planted.txt"));
  EXPECT_FALSE(Ok(Probe("write", "/storage/../planted.txt", "", "x")));
  EXPECT_FALSE(fs::exists(root_ / "planted.txt"));
  EXPECT_FALSE(Ok(Probe("mkdir", "/storage/../escaped")));
  EXPECT_FALSE(fs::exists(root_ / "escaped"));
  EXPECT_FALSE(Ok(Probe("unlink", "/storage/../outside/secret.txt")));
  EXPECT_FALSE(Ok(Probe("rename", "/storage/rel-link", "/storage/../outside/moved")));
  EXPECT_TRUE(fs::exists(root_ / "outside" / "secret.txt"));
  // No symbolic link can be made, whatever it points to.
  EXPECT_EQ(Probe("symlink", "/etc/passwd", "/storage/evil")["errno"], kWasiPerm);
  EXPECT_EQ(Probe("symlink", "sub", "/storage/harmless")["errno"], kWasiPerm);
  EXPECT_FALSE(fs::exists(root_ / "storage" / "evil"));
  // Links and renames do not cross mounts (a read-only file would become writable).
  EXPECT_FALSE(Ok(Probe("link", "/libraries/1/album/track.txt", "/storage/track.txt")));
  EXPECT_FALSE(Ok(Probe("rename", "/libraries/1/album/track.txt", "/storage/track.txt")));
  EXPECT_FALSE(fs::exists(root_ / "storage" / "track.txt"));
  EXPECT_TRUE(fs::exists(root_ / "library" / "album" / "track.txt"));
}

TEST(FsMounts, BadMountsAreRefusedAtLoad) {
  auto runtime = Runtime::Create({}).value();
  for (const auto& [host, guest] : std::vector<std::pair<std::string, std::string>>{
           {"/nonexistent-pier-dir", "/x"}, {"/tmp", "relative"}, {"/tmp", "/a/../b"}, {"/tmp", ""}}) {
    PluginOptions options;
    options.mounts = {{host, guest, true}};
    auto p = runtime->Load(Bytes("cpp_fs_probe"), std::move(options));
    EXPECT_FALSE(p.ok()) << host << " -> " << guest;
  }
}

TEST(FsMounts, WithoutMountsThereIsNoFileSystem) {
  auto runtime = Runtime::Create({}).value();
  services::PluginStorageService storage;
  services::HostServices host;
  host.storage = &storage;
  PluginOptions options;
  options.host_functions = services::BindHostServices(host, {"storage"});
  auto loaded = runtime->Load(Bytes("cpp_fs_probe"), std::move(options));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto& p = *loaded;
  auto r = p->Call("probe", R"({"op":"read","path":"/etc/passwd"})");
  ASSERT_TRUE(r.ok() && r->is_output()) << (r.ok() ? r->Describe() : r.status().message());
  EXPECT_FALSE(Json::parse(r->output())["ok"].get<bool>());
}

}  // namespace
}  // namespace pier
