// The compiled form of a JSON Schema: a flat vector of nodes that refer to
// each other by index. Built by json_schema_compile.cc, read by
// json_schema_validate.cc; nothing else includes this.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pier::schema::internal {

// JSON types as a bit set ("integer" is a number without a fraction).
enum TypeBit : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kObject = 4,
  kArray = 8,
  kNumber = 16,
  kString = 32,
  kInteger = 64,
};

struct Pattern {
  std::string text;
  std::unique_ptr<RE2> re;
};

struct Node {
  std::string location;  // JSON pointer fragment of this schema, e.g. "#/properties/a"
  enum class Kind { kTrue, kFalse, kObject } kind = Kind::kTrue;

  uint8_t types = 0;  // 0: any
  std::optional<std::vector<nlohmann::json>> enum_values;
  std::optional<nlohmann::json> const_value;
  std::optional<double> multiple_of, maximum, minimum, exclusive_maximum, exclusive_minimum;
  std::optional<uint64_t> max_length, min_length, max_items, min_items, max_properties, min_properties;
  std::optional<uint64_t> max_contains, min_contains;
  bool unique_items = false;
  std::optional<Pattern> pattern;

  std::vector<std::string> required;
  std::map<std::string, std::vector<std::string>> dependent_required;
  std::map<std::string, int> properties;
  std::vector<std::pair<Pattern, int>> pattern_properties;
  int additional_properties = -1;
  int property_names = -1;

  std::vector<int> prefix_items;  // draft-07 array `items` or 2020-12 `prefixItems`
  int items = -1;                 // every item after the prefix
  int contains = -1;

  // Applied to the same value (the "in-place" edges checked for cycles).
  int ref = -1;
  std::vector<int> all_of, any_of, one_of;
  int not_schema = -1, if_schema = -1, then_schema = -1, else_schema = -1;
  std::map<std::string, int> dependent_schemas;

  std::vector<int> InPlace() const {
    std::vector<int> out(all_of);
    out.insert(out.end(), any_of.begin(), any_of.end());
    out.insert(out.end(), one_of.begin(), one_of.end());
    for (int n : {ref, not_schema, if_schema, then_schema, else_schema}) {
      if (n >= 0) out.push_back(n);
    }
    for (const auto& [name, n] : dependent_schemas) out.push_back(n);
    return out;
  }
};

struct Compiled {
  std::vector<Node> nodes;  // nodes[0] is the root
};

}  // namespace pier::schema::internal
