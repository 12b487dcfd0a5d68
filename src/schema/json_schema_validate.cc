// JsonSchema::Validate: walks the compiled nodes over a value, bounded in
// depth (the value's, checked first) and in work (kMaxVisits).
#include <cmath>

#include "schema/internal/compiled.h"
#include "schema/json_schema.h"

namespace pier::schema {

namespace {

using Json = nlohmann::json;
using internal::Compiled;
using internal::Node;

int Depth(const Json& j, int limit) {
  if (!j.is_structured() || j.empty()) return j.is_structured() ? 1 : 0;
  if (limit <= 0) return 1;
  int deepest = 0;
  for (const Json& child : j) deepest = std::max(deepest, Depth(child, limit - 1));
  return deepest + 1;
}

std::string TypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::number_float:
      return j.get<double>() == std::floor(j.get<double>()) ? "integer" : "number";
    default: return "integer";
  }
}

bool IsInteger(const Json& j) {
  if (j.is_number_integer()) return true;
  if (!j.is_number_float()) return false;
  const double d = j.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

bool HasType(uint8_t types, const Json& j) {
  if (types == 0) return true;
  switch (j.type()) {
    case Json::value_t::null: return types & internal::kNull;
    case Json::value_t::boolean: return types & internal::kBoolean;
    case Json::value_t::object: return types & internal::kObject;
    case Json::value_t::array: return types & internal::kArray;
    case Json::value_t::string: return types & internal::kString;
    default: return (types & internal::kNumber) || ((types & internal::kInteger) && IsInteger(j));
  }
}

std::string TypeList(uint8_t types) {
  static const std::pair<uint8_t, const char*> kNames[] = {
      {internal::kNull, "null"},     {internal::kBoolean, "boolean"}, {internal::kObject, "object"},
      {internal::kArray, "array"},   {internal::kNumber, "number"},   {internal::kString, "string"},
      {internal::kInteger, "integer"}};
  std::string out;
  for (auto [bit, name] : kNames) {
    if (types & bit) out += (out.empty() ? "" : " or ") + std::string(name);
  }
  return out;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Number(double d) {
  Json j = d;
  if (d == std::floor(d) && std::fabs(d) < 1e15) j = static_cast<int64_t>(d);
  return j.dump();
}

std::string Short(const Json& j) {
  std::string s = j.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

std::string Child(const std::string& path, const std::string& name) { return path.empty() ? name : path + "/" + name; }

class Validator {
 public:
  explicit Validator(const Compiled& compiled) : nodes_(compiled.nodes) {}

  // Whether `value` matches node `n`; problems go to `out` (nullptr: only the answer matters).
  bool Check(int n, const Json& value, const std::string& path, std::vector<SchemaError>* out) {
    if (++visits_ > kMaxVisits) {
      exhausted_ = true;
      return false;
    }
    const Node& node = nodes_[n];
    if (node.kind == Node::Kind::kTrue) return true;
    if (node.kind == Node::Kind::kFalse) return Fail(out, path, "is not allowed here");
    bool ok = true;
    if (!HasType(node.types, value)) {
      // The other keywords are about a value of the expected type: one message is enough.
      return Fail(out, path, "expected " + TypeList(node.types) + ", got " + TypeName(value));
    }
    if (node.enum_values) {
      bool found = false;
      for (const Json& e : *node.enum_values) found = found || e == value;
      if (!found) {
        std::string allowed;
        for (const Json& e : *node.enum_values) allowed += (allowed.empty() ? "" : ", ") + Short(e);
        ok = Fail(out, path, "must be one of " + allowed);
      }
    }
    if (node.const_value && !(*node.const_value == value)) ok = Fail(out, path, "must be " + Short(*node.const_value));
    if (value.is_number()) ok = Numeric(node, value.get<double>(), path, out) && ok;
    if (value.is_string()) ok = Text(node, value.get_ref<const std::string&>(), path, out) && ok;
    if (value.is_array()) ok = Items(node, value, path, out) && ok;
    if (value.is_object()) ok = Properties(node, value, path, out) && ok;
    ok = Applicators(node, value, path, out) && ok;
    return ok;
  }

  bool exhausted() const { return exhausted_; }

 private:
  static bool Fail(std::vector<SchemaError>* out, const std::string& path, std::string message) {
    if (out != nullptr) out->push_back({path, std::move(message)});
    return false;
  }

  bool Numeric(const Node& node, double v, const std::string& path, std::vector<SchemaError>* out) {
    bool ok = true;
    if (node.maximum && v > *node.maximum) ok = Fail(out, path, "must be <= " + Number(*node.maximum));
    if (node.minimum && v < *node.minimum) ok = Fail(out, path, "must be >= " + Number(*node.minimum));
    if (node.exclusive_maximum && v >= *node.exclusive_maximum) ok = Fail(out, path, "must be < " + Number(*node.exclusive_maximum));
    if (node.exclusive_minimum && v <= *node.exclusive_minimum) ok = Fail(out, path, "must be > " + Number(*node.exclusive_minimum));
    if (node.multiple_of) {
      const double q = v / *node.multiple_of;
      if (!std::isfinite(q) || std::fabs(q - std::round(q)) > 1e-9 * std::max(1.0, std::fabs(q))) {
        ok = Fail(out, path, "must be a multiple of " + Number(*node.multiple_of));
      }
    }
    return ok;
  }

  bool Text(const Node& node, const std::string& s, const std::string& path, std::vector<SchemaError>* out) {
    bool ok = true;
    const size_t length = (node.max_length || node.min_length) ? CodePoints(s) : 0;
    if (node.max_length && length > *node.max_length) {
      ok = Fail(out, path, "must be at most " + std::to_string(*node.max_length) + " characters long");
    }
    if (node.min_length && length < *node.min_length) {
      ok = Fail(out, path, "must be at least " + std::to_string(*node.min_length) + " characters long");
    }
    if (node.pattern && !RE2::PartialMatch(s, *node.pattern->re)) {
      ok = Fail(out, path, "must match the pattern " + node.pattern->text);
    }
    return ok;
  }

  bool Items(const Node& node, const Json& a, const std::string& path, std::vector<SchemaError>* out) {
    bool ok = true;
    if (node.max_items && a.size() > *node.max_items) ok = Fail(out, path, "must have at most " + std::to_string(*node.max_items) + " item(s)");
    if (node.min_items && a.size() < *node.min_items) ok = Fail(out, path, "must have at least " + std::to_string(*node.min_items) + " item(s)");
    if (node.unique_items) {
      for (size_t i = 0; i < a.size() && ok; ++i) {
        for (size_t j = i + 1; j < a.size(); ++j) {
          if (++visits_ > kMaxVisits) return exhausted_ = true, false;
          if (a[i] == a[j]) {
            ok = Fail(out, path, "items " + std::to_string(i) + " and " + std::to_string(j) + " are equal; items must be unique");
            break;
          }
        }
      }
    }
    for (size_t i = 0; i < a.size(); ++i) {
      const int sub = i < node.prefix_items.size() ? node.prefix_items[i] : node.items;
      if (sub >= 0) ok = Check(sub, a[i], Child(path, std::to_string(i)), out) && ok;
    }
    if (node.contains >= 0) {
      uint64_t matches = 0;
      for (const Json& item : a) matches += Check(node.contains, item, path, nullptr);
      const uint64_t least = node.min_contains.value_or(1);
      if (matches < least) ok = Fail(out, path, "must contain at least " + std::to_string(least) + " matching item(s)");
      if (node.max_contains && matches > *node.max_contains) {
        ok = Fail(out, path, "must contain at most " + std::to_string(*node.max_contains) + " matching item(s)");
      }
    }
    return ok;
  }

  bool Properties(const Node& node, const Json& o, const std::string& path, std::vector<SchemaError>* out) {
    bool ok = true;
    if (node.max_properties && o.size() > *node.max_properties) {
      ok = Fail(out, path, "must have at most " + std::to_string(*node.max_properties) + " properties");
    }
    if (node.min_properties && o.size() < *node.min_properties) {
      ok = Fail(out, path, "must have at least " + std::to_string(*node.min_properties) + " properties");
    }
    for (const std::string& name : node.required) {
      if (!o.contains(name)) ok = Fail(out, Child(path, name), "is required");
    }
    for (const auto& [name, needs] : node.dependent_required) {
      if (!o.contains(name)) continue;
      for (const std::string& other : needs) {
        if (!o.contains(other)) ok = Fail(out, Child(path, other), "is required when " + name + " is set");
      }
    }
    for (auto it = o.begin(); it != o.end(); ++it) {
      const std::string field = Child(path, it.key());
      bool matched = false;
      if (auto p = node.properties.find(it.key()); p != node.properties.end()) {
        matched = true;
        ok = Check(p->second, *it, field, out) && ok;
      }
      for (const auto& [re, sub] : node.pattern_properties) {
        if (!RE2::PartialMatch(it.key(), *re.re)) continue;
        matched = true;
        ok = Check(sub, *it, field, out) && ok;
      }
      if (!matched && node.additional_properties >= 0) {
        const Node& extra = nodes_[node.additional_properties];
        if (extra.kind == Node::Kind::kFalse) {
          ok = Fail(out, field, "is not a known setting");
        } else {
          ok = Check(node.additional_properties, *it, field, out) && ok;
        }
      }
      if (node.property_names >= 0 && !Check(node.property_names, Json(it.key()), field, nullptr)) {
        ok = Fail(out, field, "is not an allowed name");
      }
    }
    for (const auto& [name, sub] : node.dependent_schemas) {
      if (o.contains(name)) ok = Check(sub, o, path, out) && ok;
    }
    return ok;
  }

  bool Applicators(const Node& node, const Json& value, const std::string& path, std::vector<SchemaError>* out) {
    bool ok = true;
    if (node.ref >= 0) ok = Check(node.ref, value, path, out) && ok;
    for (int sub : node.all_of) ok = Check(sub, value, path, out) && ok;
    if (!node.any_of.empty()) {
      bool any = false;
      for (int sub : node.any_of) {
        if (Check(sub, value, path, nullptr)) {
          any = true;
          break;
        }
      }
      if (!any) ok = Fail(out, path, "does not match any of the allowed forms");
    }
    if (!node.one_of.empty()) {
      size_t matches = 0;
      for (int sub : node.one_of) matches += Check(sub, value, path, nullptr);
      if (matches != 1) {
        ok = Fail(out, path, matches == 0 ? "does not match any of the allowed forms"
                                          : "matches " + std::to_string(matches) + " of the allowed forms; exactly one must match");
      }
    }
    if (node.not_schema >= 0 && Check(node.not_schema, value, path, nullptr)) ok = Fail(out, path, "matches a form that is not allowed");
    if (node.if_schema >= 0) {
      const int branch = Check(node.if_schema, value, path, nullptr) ? node.then_schema : node.else_schema;
      if (branch >= 0) ok = Check(branch, value, path, out) && ok;
    }
    return ok;
  }

  const std::vector<Node>& nodes_;
  size_t visits_ = 0;
  bool exhausted_ = false;
};

}  // namespace

std::vector<SchemaError> JsonSchema::Validate(const Json& value) const {
  if (Depth(value, kMaxValueDepth + 1) > kMaxValueDepth) {
    return {{"", "the value is nested more than " + std::to_string(kMaxValueDepth) + " levels deep"}};
  }
  Validator v(*compiled_);
  std::vector<SchemaError> errors;
  v.Check(0, value, "", &errors);
  if (v.exhausted()) return {{"", "the value is too expensive to check against this schema"}};
  return errors;
}

}  // namespace pier::schema
