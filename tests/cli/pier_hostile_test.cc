// What hostile probing found, each against a real `pier serve` process: one
// package, one request or one file must never take the server down or make
// it unanswered, and mistakes are refused with a clear message.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/run_pier.h"
#include "cli/admin_client.h"
#include "cli/serve_process.h"
#include "support/test_plugins.h"
#include "support/zip_writer.h"

namespace pier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string Nest(const std::string& open, const std::string& inner, const std::string& close, int depth) {
  std::string out;
  out.reserve((open.size() + close.size()) * depth + inner.size());
  for (int i = 0; i < depth; ++i) out += open;
  out += inner;
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

// A connected TCP socket to 127.0.0.1:port (-1 on failure).
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

class PierHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(root_);
    fs::create_directories(root_ / "plugins");
    WriteConfig("admin_listen = \"127.0.0.1:0\"\n");
    WritePackage("hello", R"({"name":"Hello","author":"Pier","version":"1"})");
  }
  void TearDown() override {
    serve_.Kill(SIGKILL);
    fs::remove_all(root_);
  }
  void WriteConfig(const std::string& extra) {
    std::ofstream(root_ / "pier.toml") << "plugins_folder = \"plugins\"\ndata_folder = \"data\"\n"
                                          "reload_debounce = \"200ms\"\nlog_level = \"info\"\n"
                                       << extra;
  }
  void WritePackage(const std::string& id, const std::string& manifest, const std::string& wasm_plugin = "hello") {
    testing::ZipWriter zip;
    zip.Add("manifest.json", manifest);
    zip.Add("plugin.wasm", testing::PluginWasm(wasm_plugin));
    zip.WriteTo((root_ / (id + ".tmp")).string());
    fs::rename(root_ / (id + ".tmp"), root_ / "plugins" / (id + ".ndp"));
  }
  CliRun Cli(std::vector<std::string> args, bool with_stderr = true) {
    args.push_back("--config");
    args.push_back((root_ / "pier.toml").string());
    return Pier(args, with_stderr);
  }
  std::string AdminUrl() {
    std::string url = testing::ReadFile(root_ / "data" / "pier.admin");
    return url.substr(0, url.find('\n'));
  }
  int AdminPort() { return std::stoi(AdminUrl().substr(AdminUrl().rfind(':') + 1)); }
  bool Healthy(std::chrono::milliseconds within = 1000ms) {
    httplib::Client client(AdminUrl());
    testing::Authorize(client, root_ / "data");
    client.set_connection_timeout(within);
    client.set_read_timeout(within);
    auto res = client.Get("/api/health");
    return res && res->status == 200;
  }

  fs::path root_ = fs::temp_directory_path() / ("pier-hostile-" + std::to_string(getpid()));
  ServeProcess serve_{root_ / "pier.toml", root_ / "serve.log"};
};

constexpr char kHead[] = R"({"name":"Bad","author":"Pier","version":"1",)";

// Items 1 and 2 of the probe: self-referencing, cyclic and deep config
// schemas, a deep uiSchema and a deep unknown manifest value crashed the
// server at start, on hot reload, in `pier plugins list`, `GET
// /api/plugins/<id>` and `pier inspect --json`.
TEST_F(PierHostile, PackagesWithHostileSchemasAreRefusedAndEverythingElseRuns) {
  const std::map<std::string, std::string> bad = {
      {"selfref", std::string(kHead) + R"("config":{"schema":{"$ref":"#"}}})"},
      {"cycle", std::string(kHead) +
                    R"("config":{"schema":{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},)"
                    R"("$ref":"#/definitions/a"}}})"},
      {"deepprops", std::string(kHead) + R"("config":{"schema":)" +
                        Nest(R"({"type":"object","properties":{"a":)", "{}", "}}", 10000) + "}}"},
      {"deepui", std::string(kHead) + R"("config":{"schema":{"type":"object"},"uiSchema":)" +
                     Nest(R"({"elements":[)", "{}", "]}", 50000) + "}}"},
      {"deepvalue", std::string(kHead) + R"("x-unknown":)" + Nest("[", "1", "]", 100000) + "}"},
  };
  for (const auto& [id, manifest] : bad) WritePackage(id, manifest);
  ASSERT_EQ(Cli({"plugins", "enable", "hello"}).exit_code, 0);
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  ASSERT_TRUE(serve_.LogShows("plugin hello loaded"));

  CliRun list = Cli({"plugins", "list", "--json"}, /*with_stderr=*/false);
  ASSERT_EQ(list.exit_code, 0) << list.out;
  json plugins = json::parse(list.out);
  ASSERT_EQ(plugins.size(), bad.size() + 1);
  for (const json& p : plugins) {
    if (p["id"] == "hello") {
      EXPECT_EQ(p["lastError"], "");
      continue;
    }
    EXPECT_FALSE(p["lastError"].get<std::string>().empty()) << p;
  }
  httplib::Client admin(AdminUrl());
  testing::Authorize(admin, root_ / "data");
  for (const auto& [id, manifest] : bad) {
    auto res = admin.Get("/api/plugins/" + id);
    ASSERT_TRUE(res) << id << ": the server did not answer";
    EXPECT_EQ(res->status, 200) << id;
    const json one = json::parse(res->body);
    EXPECT_NE(one["lastError"].get<std::string>().find("parsing manifest"), std::string::npos) << one;
    CliRun inspect = Pier({"inspect", "--json", (root_ / "plugins" / (id + ".ndp")).string()});
    EXPECT_NE(inspect.exit_code, -1) << id << " crashed pier inspect";
    EXPECT_NE(inspect.out.find("parsing manifest"), std::string::npos) << id << ": " << inspect.out;
  }
  const std::string selfref = json::parse(admin.Get("/api/plugins/selfref")->body)["lastError"];
  EXPECT_NE(selfref.find("invalid config schema: at #: the schema refers to itself"), std::string::npos) << selfref;
  const std::string deep = json::parse(admin.Get("/api/plugins/deepvalue")->body)["lastError"];
  EXPECT_NE(deep.find("nested more than 64 levels deep"), std::string::npos) << deep;

  // Hot reload of another such package: refused, the server keeps serving.
  WritePackage("late", std::string(kHead) + R"("config":{"schema":{"$ref":"#"}}})");
  ASSERT_TRUE(serve_.LogShows("plugin late: package rejected"));
  EXPECT_TRUE(Healthy());
  EXPECT_EQ(json::parse(admin.Get("/api/plugins/hello")->body)["loaded"], true);
  EXPECT_EQ(serve_.Kill(SIGTERM), 0) << "the server is still running and stops cleanly";
}

// Item 3: std::regex recursion crashed on a long value; deep values crashed too.
TEST_F(PierHostile, ConfigValuesCannotCrashOrStallTheValidator) {
  WritePackage("form", std::string(kHead) + R"("config":{"schema":{"type":"object","properties":{)"
                                            R"("a":{"type":"string","pattern":"^[A-Za-z0-9]*$"},)"
                                            R"("b":{"type":"string","pattern":"^(a+)+$"}}}}})");
  const auto start = std::chrono::steady_clock::now();
  CliRun ok = Cli({"plugins", "config", "form", "--set", json{{"a", std::string(30000, 'x')}}.dump()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  CliRun slow = Cli({"plugins", "config", "form", "--set", json{{"b", std::string(5000, 'a') + "!"}}.dump()});
  EXPECT_EQ(slow.exit_code, 1) << slow.out;
  EXPECT_NE(slow.out.find("b: must match the pattern ^(a+)+$"), std::string::npos) << slow.out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  CliRun deep = Cli({"plugins", "config", "form", "--set", "{\"a\":" + Nest("[", "1", "]", 65000) + "}"});
  EXPECT_EQ(deep.exit_code, 1) << deep.out;
  EXPECT_NE(deep.out.find("nested more than 64 levels deep"), std::string::npos) << deep.out;
  CliRun list = Cli({"plugins", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.out;
}

// Items 7, 8, 9, 17: path tricks, huge bodies, slow and idle clients, a POST
// without Content-Length.
TEST_F(PierHostile, TheAdminApiStaysAvailableAndInsideItsFolder) {
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  httplib::Client admin(AdminUrl());
  testing::Authorize(admin, root_ / "data");
  for (const char* path : {"/api/plugins/../queues", "/api/plugins/%2e%2e/queues", "/api/plugins/./queues",
                           "/api/plugins/a%2Fb/queues", "/api/plugins/%2e%2e"}) {
    auto res = admin.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 400) << path << " " << res->body;
  }
  EXPECT_FALSE(fs::exists(root_ / "data" / "taskqueue.db"));
  EXPECT_FALSE(fs::exists(root_ / "data" / "plugins" / "taskqueue.db"));

  // A body announced as 512 MiB is refused before it is read.
  {
    const int fd = Connect(AdminPort());
    ASSERT_GE(fd, 0);
    const std::string head = "POST /api/plugins/hello/queues/q/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Content-Type: application/json\r\nContent-Length: 536870912\r\n\r\n[";
    ASSERT_EQ(send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
    char buf[512] = {};
    const ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    EXPECT_NE(std::string(buf, std::max<ssize_t>(n, 0)).find("413"), std::string::npos) << buf;
  }
  // A POST with no Content-Length has no body: answered at once.
  {
    const int fd = Connect(AdminPort());
    const std::string req = "POST /api/plugins/rescan HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Type: application/json\r\nAuthorization: Bearer " +
                            testing::AdminToken(root_ / "data") + "\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    timeval tv{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512] = {};
    const ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    EXPECT_NE(std::string(buf, std::max<ssize_t>(n, 0)).find("200 OK"), std::string::npos) << "no answer within 1 s";
  }

  // 16 slow clients (a header line every 2 s) and 1,000 idle connections.
  std::atomic<bool> stop = false;
  std::vector<std::thread> slow;
  for (int i = 0; i < 16; ++i) {
    slow.emplace_back([&] {
      while (!stop) {
        const int fd = Connect(AdminPort());
        if (fd < 0) return;
        std::string line = "GET /api/plugins HTTP/1.1\r\n";
        while (!stop && send(fd, line.data(), line.size(), MSG_NOSIGNAL) > 0) {
          line = "X-Slow: 1\r\n";
          for (int t = 0; t < 20 && !stop; ++t) std::this_thread::sleep_for(100ms);
        }
        close(fd);
      }
    });
  }
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    const int fd = Connect(AdminPort());
    if (fd >= 0) idle.push_back(fd);
  }
  EXPECT_GT(idle.size(), 900u);
  const auto until = std::chrono::steady_clock::now() + 12s;
  int answered = 0, asked = 0;
  std::chrono::milliseconds worst{0};
  while (std::chrono::steady_clock::now() < until) {
    const auto t0 = std::chrono::steady_clock::now();
    ++asked;
    answered += Healthy(2000ms);
    worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0));
    std::this_thread::sleep_for(200ms);
  }
  stop = true;
  for (auto& t : slow) t.join();
  for (int fd : idle) close(fd);
  EXPECT_EQ(answered, asked) << "worst answer took " << worst.count() << " ms";
  EXPECT_LT(worst, 1000ms);
  long rss_kb = 0;
  std::ifstream status("/proc/" + std::to_string(serve_.pid()) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss_kb = std::stol(line.substr(6));
  }
  EXPECT_LT(rss_kb, 300 * 1024) << "resident memory after the attack";
  EXPECT_TRUE(Healthy());
}

// Item 6: only numeric loopback addresses; IPv6 in brackets works.
TEST_F(PierHostile, AdminAddressesAreNumericLoopbackOnly) {
  for (const char* address : {"127.attacker.test:0", "0.0.0.0:0", "127.0.0.1:99999", "127.0.0.1:http"}) {
    CliRun r = Cli({"serve", "--admin", address, "--run-for", "1"});
    EXPECT_EQ(r.exit_code, 3) << address << ": " << r.out;
    EXPECT_NE(r.out.find("loopback only"), std::string::npos) << r.out;
  }
  WriteConfig("admin_listen = \"[::1]:0\"\n");
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  EXPECT_EQ(AdminUrl().rfind("http://[::1]:", 0), 0u) << AdminUrl();
  EXPECT_TRUE(Healthy());
}

// Item 11: a stale pier.pid (a crashed server's, now another process's PID)
// must not be signalled; and two servers cannot share a data folder.
TEST_F(PierHostile, AStalePidFileIsNeverSignalled) {
  pid_t bystander = fork();
  if (bystander == 0) {
    execl("/bin/sleep", "sleep", "30", nullptr);
    _exit(127);
  }
  fs::create_directories(root_ / "data");
  std::ofstream(root_ / "data" / "pier.pid") << bystander << "\n";
  std::ofstream(root_ / "data" / "pier.lock") << bystander << "\n";
  CliRun enable = Cli({"plugins", "enable", "hello"});
  EXPECT_EQ(enable.exit_code, 0) << enable.out;
  EXPECT_EQ(enable.out.find("told the running pier serve"), std::string::npos) << enable.out;
  std::this_thread::sleep_for(100ms);
  int status = 0;
  EXPECT_EQ(waitpid(bystander, &status, WNOHANG), 0) << "the unrelated process was killed";
  kill(bystander, SIGKILL);
  waitpid(bystander, &status, 0);

  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  CliRun second = Cli({"serve", "--run-for", "1"});
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_NE(second.out.find("another pier serve (pid " + std::to_string(serve_.pid()) + ")"), std::string::npos)
      << second.out;
  CliRun disable = Cli({"plugins", "disable", "hello"});
  EXPECT_NE(disable.out.find("told the running pier serve"), std::string::npos) << disable.out;
}

// Item 15: an empty or foreign database file is refused, naming it, unless
// told to start over; nothing is silently taken as new.
TEST_F(PierHostile, EmptyOrForeignDatabasesAreRefusedUnlessToldToStartOver) {
  fs::create_directories(root_ / "data");
  std::ofstream(root_ / "data" / "registry.db").close();  // 0 bytes
  CliRun r = Cli({"serve", "--run-for", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find((root_ / "data" / "registry.db").string() + ": it exists but is empty (0 bytes)"),
            std::string::npos) << r.out;
  std::ofstream(root_ / "data" / "registry.db") << "this is not a database, but somebody's notes";
  r = Cli({"serve", "--run-for", "1"});
  EXPECT_NE(r.out.find("it is not an SQLite database"), std::string::npos) << r.out;
  EXPECT_EQ(testing::ReadFile(root_ / "data" / "registry.db"), "this is not a database, but somebody's notes");
  r = Cli({"serve", "--run-for", "1", "--start-over"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  bool moved_aside = false;
  for (const auto& e : fs::directory_iterator(root_ / "data")) {
    moved_aside |= e.path().filename().string().rfind("registry.db.broken-", 0) == 0;
  }
  EXPECT_TRUE(moved_aside);
}

// A plugin whose enable failed keeps its error once a server runs (start-up
// used to clear every recorded error).
TEST_F(PierHostile, ARecordedLoadErrorSurvivesServerStartUp) {
  WritePackage("needs-users", std::string(kHead) + R"("permissions":{"users":{}}})");
  CliRun enable = Cli({"plugins", "enable", "needs-users"});
  EXPECT_EQ(enable.exit_code, 1) << enable.out;
  serve_.Start();
  ASSERT_TRUE(serve_.LogShows("pier serve: ready"));
  httplib::Client admin(AdminUrl());
  testing::Authorize(admin, root_ / "data");
  auto res = admin.Get("/api/plugins/needs-users");
  ASSERT_TRUE(res);
  EXPECT_NE(json::parse(res->body)["lastError"].get<std::string>().find("users permission requires configuration"),
            std::string::npos) << res->body;
}

// Item 17: a plugins folder that does not exist is an error, not a silent start.
TEST_F(PierHostile, AMissingPluginsFolderIsAnError) {
  CliRun r = Pier({"serve", "--plugins", (root_ / "nope").string(), "--data", (root_ / "data").string(),
                   "--run-for", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("does not exist"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pier
