// `pier call` as a user runs it: a real process, its output and exit status.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/run_pier.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

const std::string kHello = testing::PluginPath("hello").string();
const std::string kHostile = testing::PluginPath("c_hostile").string();
const std::string kFiles = testing::PluginPath("c_files").string();
const std::string kCpp = testing::PluginPath("cpp_test").string();

// A fresh folder under the test's temporary directory.
std::string ScratchDir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / ("pier-call-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(PierVersion, NamesPierWasmtimeAndTheAbi) {
  CliRun r = Pier({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("pier 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wasmtime 48.0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("abi: Extism kernel"), std::string::npos) << r.out;
}

TEST(PierCall, PrintsTheOutputOfTheBundledExample) {
  CliRun r = Pier({"call", kHello, "greet", "--input", R"({"name":"Ada"})", "--config", "greeting=Welcome",
                "--log-level", "warn"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, R"({"message":"Welcome, Ada!"})");
}

TEST(PierCall, InputFromAFile) {
  const std::string path = ::testing::TempDir() + "pier-cli-input.txt";
  FILE* f = fopen(path.c_str(), "w");
  fputs("the cat and the hat\n", f);
  fclose(f);
  CliRun r = Pier({"call", kHello, "word_stats", "--input-file", path});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(R"("words":5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"(["the",2])"), std::string::npos) << r.out;
}

// A crash prints the backtrace with source lines and, with --coredump, writes
// the dump and says where.
TEST(PierCall, ACrashShowsSourceLinesAndWritesACoreDump) {
  const std::string dir = ScratchDir("coredump");
  CliRun r = Pier({"call", testing::PluginPath("c_crash_debug").string(), "crash", "-i", "abc", "--coredump", dir});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("wasm backtrace:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("!fail_here @0x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("crash_debug.c:"), std::string::npos) << "DWARF lines on in pier call: " << r.out;
  const size_t at = r.out.find("core dump written to ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string path = r.out.substr(at + 21);
  path = path.substr(0, path.find('\n'));
  EXPECT_EQ(std::filesystem::path(path).parent_path(), std::filesystem::path(dir));
  EXPECT_EQ(testing::ReadFile(path).substr(0, 4), std::string("\0asm", 4));
}

TEST(PierCall, ExitCodesSeparatePluginErrorsTrapsAndUsage) {
  CliRun plugin_error = Pier({"call", kHello, "greet", "--input", "[1,2]"});
  EXPECT_EQ(plugin_error.exit_code, 1) << plugin_error.out;
  EXPECT_NE(plugin_error.out.find("expected a JSON object"), std::string::npos);

  CliRun trap = Pier({"call", kHostile, "spin", "--timeout", "200"});
  EXPECT_EQ(trap.exit_code, 2) << trap.out;
  EXPECT_NE(trap.out.find("trap (timeout)"), std::string::npos) << trap.out;

  CliRun missing_export = Pier({"call", kHello, "nope"});
  EXPECT_EQ(missing_export.exit_code, 3);
  EXPECT_NE(missing_export.out.find("function not found: nope"), std::string::npos);

  CliRun bad_file = Pier({"call", "/nonexistent.wasm", "x"});
  EXPECT_EQ(bad_file.exit_code, 3);

  CliRun usage = Pier({"call", kHello});
  EXPECT_EQ(usage.exit_code, 3) << usage.out;

  CliRun bad_config = Pier({"call", kHello, "greet", "--config", "novalue"});
  EXPECT_EQ(bad_config.exit_code, 3);
}

// `pier call plugin.wasm fn | jq` works: standard output carries the export's
// output alone; the plugin's log lines and its WASI stdout/stderr lines go to
// standard error, even at the most verbose level.
TEST(PierCall, StdoutCarriesTheOutputAloneLogsGoToStderr) {
  CliRun only_stdout = Pier({"call", kHostile, "print", "--log-level", "trace"}, /*with_stderr=*/false);
  EXPECT_EQ(only_stdout.exit_code, 0) << only_stdout.out;
  EXPECT_EQ(only_stdout.out, "printed");
  CliRun both = Pier({"call", kHostile, "print", "--log-level", "trace"});
  for (const char* line : {"line one", "line two", "to stderr"}) {
    EXPECT_NE(both.out.find(line), std::string::npos) << line << " missing from stderr: " << both.out;
  }
  CliRun logs = Pier({"call", kHello, "greet", "--input", R"({"name":"Ada"})", "--log-level", "trace"},
                     /*with_stderr=*/false);
  EXPECT_EQ(logs.out, R"({"message":"Hello, Ada!"})");
}

// --loop N calls one instance N times, as `extism call --loop` does: globals
// and vars persist, one output per line.
TEST(PierCall, LoopCallsTheSameInstance) {
  CliRun globals = Pier({"call", kHostile, "global_counter", "--loop", "3"}, /*with_stderr=*/false);
  EXPECT_EQ(globals.exit_code, 0);
  EXPECT_EQ(globals.out, "1\n2\n3\n");
  CliRun vars = Pier({"call", kCpp, "counter", "--loop", "3"}, /*with_stderr=*/false);
  EXPECT_EQ(vars.out, "1\n2\n3\n");
  CliRun fresh = Pier({"call", kHostile, "global_counter", "--loop", "2", "--mode", "fresh"}, false);
  EXPECT_EQ(fresh.out, "1\n1\n") << "--mode fresh still wins";
  CliRun stops = Pier({"call", kHostile, "unreachable", "--loop", "5"});
  EXPECT_EQ(stops.exit_code, 2) << stops.out;
  for (const char* bad : {"0", "-1", "1000001"}) {
    CliRun r = Pier({"call", kHostile, "ok", "--loop", bad});
    EXPECT_EQ(r.exit_code, 3) << bad;
    EXPECT_NE(r.out.find("--loop expects a number of calls from 1 to 1000000"), std::string::npos) << r.out;
  }
}

TEST(PierCall, StdinGivesTheInput) {
  const std::string cmd = "printf 'the cat and the cat' | " + Quote(PIER_BINARY) + " call " + Quote(kHello) +
                          " word_stats --stdin 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  EXPECT_EQ(pclose(f), 0);
  EXPECT_NE(out.find(R"("words":5)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"(["cat",2])"), std::string::npos) << out;
  CliRun both = Pier({"call", kHello, "word_stats", "--stdin", "-i", "x"});
  EXPECT_EQ(both.exit_code, 3) << "--stdin and --input exclude each other: " << both.out;
}

TEST(PierCall, SetConfigTakesAJsonObjectAndConfigWins) {
  const std::string ada = R"({"name":"Ada"})";
  CliRun set = Pier({"call", kHello, "greet", "-i", ada, "--set-config", R"({"greeting":"Hi"})"}, false);
  EXPECT_EQ(set.out, R"({"message":"Hi, Ada!"})");
  CliRun both = Pier({"call", kHello, "greet", "-i", ada, "--set-config", R"({"greeting":"Hi"})", "--config",
                      "greeting=Yo"}, false);
  EXPECT_EQ(both.out, R"({"message":"Yo, Ada!"})");
  for (const char* bad : {"[1]", R"({"greeting":1})", "{nope"}) {
    CliRun r = Pier({"call", kHello, "greet", "-i", ada, "--set-config", bad});
    EXPECT_EQ(r.exit_code, 3) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("--set-config"), std::string::npos) << r.out;
  }
}

// --allow-path [ro:]HOST[:GUEST]: WASI pre-opens jailed by the kernel, as
// every mount is; nothing outside them is reachable.
TEST(PierCall, AllowPathMountsAFolderReadWriteOrReadOnly) {
  const std::string dir = ScratchDir("allow-path");
  std::ofstream(dir + "/in.txt") << "from the host";
  CliRun read = Pier({"call", kFiles, "read_file", "-i", "/data/in.txt", "--allow-path", dir + ":/data"}, false);
  EXPECT_EQ(read.exit_code, 0);
  EXPECT_EQ(read.out, "from the host");
  CliRun write = Pier({"call", kFiles, "write_file", "-i", "/data/out.txt\nwritten", "--allow-path", dir + ":/data"});
  EXPECT_EQ(write.exit_code, 0) << write.out;
  std::ifstream written(dir + "/out.txt");
  std::string text((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "written");
  CliRun same_path = Pier({"call", kFiles, "read_file", "-i", dir + "/in.txt", "--allow-path", dir}, false);
  EXPECT_EQ(same_path.out, "from the host") << "GUEST defaults to HOST's path";

  CliRun ro_read = Pier({"call", kFiles, "read_file", "-i", "/data/in.txt", "--allow-path", "ro:" + dir + ":/data"}, false);
  EXPECT_EQ(ro_read.out, "from the host");
  CliRun ro_write = Pier({"call", kFiles, "write_file", "-i", "/data/x.txt\nno", "--allow-path", "ro:" + dir + ":/data"});
  EXPECT_EQ(ro_write.exit_code, 1) << ro_write.out;
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.txt"));

  CliRun escape = Pier({"call", kFiles, "read_file", "-i", "/data/../../etc/passwd", "--allow-path", dir + ":/data"});
  EXPECT_EQ(escape.exit_code, 1) << escape.out;
  CliRun unmounted = Pier({"call", kFiles, "read_file", "-i", "/etc/passwd"});
  EXPECT_EQ(unmounted.exit_code, 1) << "no mounts, no files: " << unmounted.out;

  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"--allow-path", dir + "/missing:/data"}, {"--allow-path", dir + ":relative"},
           {"--allow-path", dir + ":/data/../up"}}) {
    std::vector<std::string> args = {"call", kFiles, "read_file", "-i", "/data/in.txt"};
    args.insert(args.end(), bad.begin(), bad.end());
    CliRun r = Pier(args);
    EXPECT_EQ(r.exit_code, 3) << bad[1] << ": " << r.out;
    EXPECT_NE(r.out.find("--allow-path"), std::string::npos) << r.out;
  }
}

TEST(PierCall, ExtismSizeFlagsBoundThePlugin) {
  CliRun pages = Pier({"call", kHostile, "alloc_bomb", "--memory-max", "512"});  // 32 MiB
  EXPECT_EQ(pages.exit_code, 2) << pages.out;
  EXPECT_NE(pages.out.find("memory cap of 33554432 bytes"), std::string::npos) << pages.out;
  CliRun zero = Pier({"call", kHostile, "ok", "--memory-max", "0"});
  EXPECT_EQ(zero.exit_code, 3) << zero.out;
  CliRun no_vars = Pier({"call", kCpp, "counter", "--var-max", "0"});
  EXPECT_NE(no_vars.exit_code, 0) << "vars disabled: " << no_vars.out;
  CliRun accepted = Pier({"call", kHello, "greet", "-i", R"({"name":"Ada"})", "--wasi",
                          "--enable-http-response-headers"}, false);
  EXPECT_EQ(accepted.exit_code, 0);
}

// Extism manifests (-m/--manifest, or any .json PLUGIN) and --link NAME=FILE.
TEST(PierCall, ManifestsAndLinkedModules) {
  const std::string dir = ScratchDir("manifest");
  const std::string lib = testing::PluginPath("c_link_lib").string();
  const std::string main = testing::PluginPath("c_link_main").string();
  std::ofstream(dir + "/linked.json") << R"({"wasm":[{"path":")" << lib << R"(","name":"lib"},{"path":")" << main
                                      << R"(","name":"main"}],"config":{"greeting":"Hi"}})";
  CliRun linked = Pier({"call", dir + "/linked.json", "sum"}, false);
  EXPECT_EQ(linked.exit_code, 0);
  EXPECT_EQ(linked.out, "2+3=5 calls=1 init=1");
  CliRun flag = Pier({"call", "-m", dir + "/linked.json", "sum", "--loop", "2"}, false);
  EXPECT_EQ(flag.out, "2+3=5 calls=1 init=1\n2+3=5 calls=2 init=1\n");

  CliRun link = Pier({"call", main, "sum", "--link", "lib=" + lib}, false);
  EXPECT_EQ(link.exit_code, 0);
  EXPECT_EQ(link.out, "2+3=5 calls=1 init=1");

  std::ofstream(dir + "/hello.json") << R"({"wasm":[{"path":")" << kHello.c_str()
                                     << R"("}],"config":{"greeting":"Hi"},"timeout_ms":5000})";
  CliRun config = Pier({"call", dir + "/hello.json", "greet", "-i", R"({"name":"Ada"})"}, false);
  EXPECT_EQ(config.out, R"({"message":"Hi, Ada!"})") << "the manifest's config";
  CliRun over = Pier({"call", dir + "/hello.json", "greet", "-i", R"({"name":"Ada"})", "--config", "greeting=Yo"}, false);
  EXPECT_EQ(over.out, R"({"message":"Yo, Ada!"})") << "flags win over the manifest";

  std::ofstream(dir + "/bad-hash.json") << R"({"wasm":[{"path":")" << kHello.c_str() << R"(","hash":"00"}]})";
  std::ofstream(dir + "/url.json") << R"({"wasm":[{"url":"http://127.0.0.1:9/plugin.wasm"}]})";
  struct Bad {
    std::vector<std::string> args;
    std::string expect;
  };
  for (const Bad& b : std::vector<Bad>{
           {{dir + "/bad-hash.json", "greet"}, "SHA-256 is"},
           {{dir + "/url.json", "run"}, "fetching modules is off"},
           {{main, "sum"}, "imports lib::add"},
           {{main, "sum", "--link", "lib"}, "--link expects NAME=FILE"},
           {{main, "sum", "--link", "main=" + lib}, "is the module being called"},
           {{main, "sum", "--link", "lib=/nonexistent.wasm"}, "cannot read /nonexistent.wasm"},
           {{testing::PluginPath("c_link_cycle_a").string(), "run", "--link",
             "cycle_b=" + testing::PluginPath("c_link_cycle_b").string()},
            "no module of the manifest is named 'cycle_a'"},
       }) {
    std::vector<std::string> args = {"call"};
    args.insert(args.end(), b.args.begin(), b.args.end());
    CliRun r = Pier(args);
    EXPECT_EQ(r.exit_code, 3) << b.expect << ": " << r.out;
    EXPECT_NE(r.out.find(b.expect), std::string::npos) << r.out;
  }
}

TEST(PierCall, HelpExplainsItself) {
  CliRun top = Pier({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("call"), std::string::npos);
  CliRun call = Pier({"call", "--help"});
  EXPECT_EQ(call.exit_code, 0);
  for (const char* option : {"--input", "--input-file", "--config", "--allow-host", "--timeout", "Exit status"}) {
    EXPECT_NE(call.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace pier
