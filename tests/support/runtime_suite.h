// RuntimeSuite: a test suite whose tests share one Runtime and load plugins
// the build made, with what those plugins log collected for assertions.
//
//   class MyTest : public testing::RuntimeSuite {};
//   TEST_F(MyTest, Greets) {
//     auto p = Load("cpp_test");
//     EXPECT_NE(Logged().find("greeting"), std::string::npos);
//   }
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/test_plugins.h"

namespace pier::testing {

class RuntimeSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { runtime_ = Runtime::Create().value().release(); }
  static void TearDownTestSuite() {
    delete runtime_;
    runtime_ = nullptr;
  }

  // The plugin `name` (a .wasm of the build), logging into this test; null
  // (and a failed expectation) when it does not load.
  std::unique_ptr<Plugin> Load(const std::string& name, PluginOptions options = {}) {
    options.log_sink = logs_.sink();
    auto p = runtime_->LoadFile(PluginPath(name), std::move(options));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(*p) : nullptr;
  }
  // Every message the test's plugins logged so far, one per line.
  std::string Logged() const {
    std::string text;
    for (const std::string& line : logs_.lines()) text += line.substr(line.find('|', line.find('|') + 1) + 1) + "\n";
    return text;
  }

  static inline Runtime* runtime_ = nullptr;
  LogCapture logs_;
};

}  // namespace pier::testing
