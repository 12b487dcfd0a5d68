// The Pier side of bench/extism.sh: the same .wasm files and loops that the
// Extism runtime and Extism's Go SDK run there. Prints "ROW <name> <ns per
// operation>". Argument: the folder holding the plugins; BENCH_MS sets the
// time per run (best of three).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "pier/runtime.h"

namespace {

using Clock = std::chrono::steady_clock;

double Measure(std::chrono::milliseconds budget, const std::function<void()>& f) {
  for (int i = 0; i < 10; ++i) f();
  double best = -1;
  for (int r = 0; r < 3; ++r) {
    const auto start = Clock::now();
    uint64_t n = 0;
    while (Clock::now() - start < budget) {
      for (int i = 0; i < 16; ++i) f();
      n += 16;
    }
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / static_cast<double>(n);
    if (best < 0 || ns < best) best = ns;
  }
  return best;
}

std::unique_ptr<pier::Plugin> Load(pier::Runtime& runtime, const std::string& dir, const std::string& name,
                                   pier::PluginOptions options = {}) {
  options.log_sink = [](pier::LogLevel, std::string_view, std::string_view) {};
  auto p = runtime.LoadFile(dir + "/" + name + ".wasm", std::move(options));
  if (!p.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), p.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*p);
}

void MustCall(pier::Plugin& p, std::string_view fn, std::string_view in) {
  auto r = p.Call(fn, in);
  if (!r.ok() || !r->is_output()) {
    std::fprintf(stderr, "%.*s failed\n", static_cast<int>(fn.size()), fn.data());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PLUGIN_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const char* ms = std::getenv("BENCH_MS");
  const std::chrono::milliseconds budget(ms ? std::atoi(ms) : 1000);
  auto runtime = pier::Runtime::Create().value();
  const std::string input(100, 'x');
  const std::string json = R"({"name":"Ada","tags":["a","b","c"],"n":42,"nested":{"ok":true}})";

  auto echo = Load(*runtime, dir, "cpp_test");
  std::printf("ROW plain_echo %.0f\n", Measure(budget, [&] { MustCall(*echo, "echo", input); }));

  auto go = Load(*runtime, dir, "go_test");
  std::printf("ROW go_json_echo %.0f\n", Measure(budget, [&] { MustCall(*go, "json_echo", json); }));

  pier::PluginOptions fresh;
  fresh.instance_mode = pier::InstanceMode::kFreshPerCall;
  auto each = Load(*runtime, dir, "cpp_test", fresh);
  std::printf("ROW instantiate_call %.0f\n", Measure(budget, [&] { MustCall(*each, "echo", input); }));

  pier::PluginOptions host;
  auto echo_fn = [](pier::HostCallContext&, std::string_view in) -> pier::Result<std::string> {
    return std::string(in);
  };
  host.host_functions = {{"extism:host/user", "host_echo", echo_fn}, {"extism:host/user", "reenter", echo_fn}};
  auto caller = Load(*runtime, dir, "cpp_host_user", host);
  std::printf("ROW host_call %.0f\n", Measure(budget, [&] { MustCall(*caller, "call_host", input); }));
  return 0;
}
