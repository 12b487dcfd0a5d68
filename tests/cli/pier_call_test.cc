// `pier call` as a user runs it: a real process, its output and exit status.
#include <gtest/gtest.h>

#include <string>

#include "cli/run_pier.h"
#include "support/test_plugins.h"

namespace pier {
namespace {

const std::string kHello = testing::PluginPath("hello").string();
const std::string kHostile = testing::PluginPath("c_hostile").string();

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
