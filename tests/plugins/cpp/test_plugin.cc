// Conformance plugin written with the C++ kit: one export per kernel feature.
#include <string>

#include "pier/pdk.h"
#include "pier/pdk/json.h"

using pier::Result;
namespace pdk = pier::pdk;

// Output = input, byte for byte (any size).
PIER_FUNCTION(echo) { return std::string(input); }

// Parses the JSON input and answers {"echo": <input>, "keys": <count>}.
PIER_FUNCTION(json_echo) {
  PIER_ASSIGN_OR_RETURN(nlohmann::json in, pdk::ParseJson(input));
  return pdk::ToJson({{"echo", in}, {"keys", in.is_object() ? in.size() : 0}});
}

PIER_FUNCTION(greet) {
  return pdk::Config("greeting").value_or("Hello") + ", " + std::string(input) + "!";
}

// Counts calls in an Extism var: pooled instances keep it, fresh ones do not.
PIER_FUNCTION(counter) {
  const int n = std::stoi(pdk::GetVar("count").value_or("0")) + 1;
  pdk::SetVar("count", std::to_string(n));
  return std::to_string(n);
}

PIER_FUNCTION(var_roundtrip) {
  pdk::SetVar("k", input);
  std::string first = pdk::GetVar("k").value_or("<none>");
  pdk::DeleteVar("k");
  return first + "|" + pdk::GetVar("k").value_or("<none>");
}

PIER_FUNCTION(log_all) {
  pdk::Log(pier::LogLevel::kTrace, "trace message");
  pdk::LogDebug("debug message");
  pdk::LogInfo("info message");
  pdk::LogWarn("warn message");
  pdk::LogError("error message");
  return std::string(pier::LogLevelName(pdk::CurrentLogLevel()));
}

// Input: {"url": ..., "method"?: ..., "body"?: ...}; output: {"status", "body", "headers"}.
PIER_FUNCTION(http) {
  PIER_ASSIGN_OR_RETURN(nlohmann::json in, pdk::ParseJson(input));
  pdk::HttpRequest req;
  req.url = in.value("url", "");
  req.method = in.value("method", "GET");
  req.body = in.value("body", "");
  req.headers["X-Pier-Test"] = "yes";
  PIER_ASSIGN_OR_RETURN(pdk::HttpResponse res, pdk::Send(req));
  return pdk::ToJson({{"status", res.status}, {"body", res.body}, {"headers", res.headers}});
}

PIER_FUNCTION(fail) { return pier::InvalidArgumentError("boom: " + std::string(input)); }
PIER_FUNCTION(not_implemented) { return pier::UnimplementedError("not here"); }

// Raw exports for the return-code rules of spec §3.1.
PIER_EXPORT(rc_minus_two) { return -2; }
PIER_EXPORT(rc_seven) { return 7; }
PIER_EXPORT(error_and_zero) {
  pdk::SetError("error wins over rc 0");
  return 0;
}
extern "C" __attribute__((export_name("void_export"))) void void_export() { pdk::Output("void ok"); }
extern "C" __attribute__((export_name("takes_args"))) int32_t takes_args(int32_t x) { return x; }
