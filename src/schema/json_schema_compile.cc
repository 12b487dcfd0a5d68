// JsonSchema::Compile: keywords to nodes, references resolved inside the
// document, then the in-place graph checked for cycles and long chains.
#include <cmath>
#include <set>

#include "schema/internal/compiled.h"
#include "schema/json_schema.h"

namespace pier::schema {

namespace {

using Json = nlohmann::json;
using internal::Compiled;
using internal::Node;
using internal::Pattern;

constexpr int kMaxSchemaDepth = 64;

std::string Escape(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The value at JSON pointer `pointer` ("" or "/a/b") of `doc`, or nullptr.
const Json* Resolve(const Json& doc, const std::string& pointer) {
  const Json* at = &doc;
  size_t pos = 0;
  while (pos < pointer.size()) {
    if (pointer[pos] != '/') return nullptr;
    const size_t end = std::min(pointer.find('/', pos + 1), pointer.size());
    std::string token;
    for (size_t i = pos + 1; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token += pointer[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += pointer[i];
      }
    }
    if (at->is_object()) {
      auto it = at->find(token);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      if (token.empty() || token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos) return nullptr;
      const size_t i = std::stoul(token);
      if (i >= at->size()) return nullptr;
      at = &(*at)[i];
    } else {
      return nullptr;
    }
    pos = end;
  }
  return at;
}

bool NonNegativeInteger(const Json& v, uint64_t* out) {
  if (v.is_number_unsigned()) {
    *out = v.get<uint64_t>();
    return true;
  }
  if (v.is_number_integer()) {
    if (v.get<int64_t>() < 0) return false;
    *out = static_cast<uint64_t>(v.get<int64_t>());
    return true;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!(d >= 0) || d != std::floor(d) || d > 1e18) return false;
    *out = static_cast<uint64_t>(d);
    return true;
  }
  return false;
}

class Compiler {
 public:
  explicit Compiler(const Json& doc) : doc_(doc), compiled_(std::make_shared<Compiled>()) {}

  Result<std::shared_ptr<const Compiled>> Run() {
    if (doc_.is_object()) {
      if (auto id = doc_.find("$id"); id != doc_.end() && id->is_string()) {
        base_ = id->get<std::string>();
        if (!base_.empty() && base_.back() == '#') base_.pop_back();
      }
    }
    PIER_RETURN_IF_ERROR(FindAnchors(doc_, "", 0));
    PIER_ASSIGN_OR_RETURN(int root, NodeAt("", doc_, 0));
    (void)root;  // always 0
    // References found while compiling may name parts not compiled yet.
    for (size_t i = 0; i < refs_.size(); ++i) {
      const auto [from, pointer] = refs_[i];
      const Json* target = Resolve(doc_, pointer);
      if (target == nullptr) return Problem(from, "$ref: nothing at #" + pointer);
      PIER_ASSIGN_OR_RETURN(int to, NodeAt(pointer, *target, 0));
      compiled_->nodes[from].ref = to;
    }
    PIER_RETURN_IF_ERROR(CheckInPlaceGraph());
    return std::shared_ptr<const Compiled>(compiled_);
  }

 private:
  Status Problem(int node, const std::string& why) const { return Problem(compiled_->nodes[node].location, why); }
  static Status Problem(const std::string& location, const std::string& why) {
    return InvalidArgumentError("at " + location + ": " + why);
  }

  Status FindAnchors(const Json& j, const std::string& pointer, int depth) {
    if (depth > kMaxSchemaDepth) return Problem("#" + pointer, "the schema is nested too deeply");
    if (j.is_object()) {
      for (const char* key : {"$anchor", "$id"}) {
        auto it = j.find(key);
        if (it == j.end() || !it->is_string()) continue;
        std::string name = it->get<std::string>();
        if (std::string(key) == "$id") {
          if (name.empty() || name[0] != '#') continue;
          name = name.substr(1);
        }
        anchors_.emplace(name, pointer);
      }
      for (auto it = j.begin(); it != j.end(); ++it) {
        PIER_RETURN_IF_ERROR(FindAnchors(*it, pointer + "/" + Escape(it.key()), depth + 1));
      }
    } else if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i) {
        PIER_RETURN_IF_ERROR(FindAnchors(j[i], pointer + "/" + std::to_string(i), depth + 1));
      }
    }
    return OkStatus();
  }

  // The JSON pointer a reference names inside this document.
  Result<std::string> RefPointer(int from, const std::string& ref) {
    std::string fragment;
    const size_t hash = ref.find('#');
    const std::string uri = hash == std::string::npos ? ref : ref.substr(0, hash);
    if (!uri.empty() && uri != base_) {
      return Problem(from, "$ref \"" + ref + "\" points to another document; only references inside this schema are supported");
    }
    fragment = hash == std::string::npos ? "" : PercentDecode(ref.substr(hash + 1));
    if (fragment.empty() || fragment[0] == '/') return fragment;
    auto it = anchors_.find(fragment);
    if (it == anchors_.end()) return Problem(from, "$ref \"" + ref + "\": no such anchor");
    return it->second;
  }

  Result<int> NodeAt(const std::string& pointer, const Json& schema, int depth) {
    if (auto it = by_pointer_.find(pointer); it != by_pointer_.end()) return it->second;
    const std::string location = "#" + pointer;
    if (depth > kMaxSchemaDepth) return Problem(location, "the schema is nested too deeply");
    if (compiled_->nodes.size() >= kMaxNodes) {
      return Problem(location, "the schema has more than " + std::to_string(kMaxNodes) + " parts");
    }
    const int index = static_cast<int>(compiled_->nodes.size());
    compiled_->nodes.emplace_back();
    compiled_->nodes[index].location = location;
    by_pointer_[pointer] = index;
    if (schema.is_boolean()) {
      compiled_->nodes[index].kind = schema.get<bool>() ? Node::Kind::kTrue : Node::Kind::kFalse;
      return index;
    }
    if (!schema.is_object()) return Problem(location, "a schema must be an object or a boolean");
    compiled_->nodes[index].kind = Node::Kind::kObject;
    PIER_RETURN_IF_ERROR(Fill(index, pointer, schema, depth));
    return index;
  }

  // Compiles the subschema at `pointer/key` (or `pointer/key/i`).
  Result<int> Sub(const std::string& pointer, const std::string& key, const Json& schema, int depth) {
    return NodeAt(pointer + "/" + key, schema, depth + 1);
  }

  Result<std::vector<int>> SubList(int index, const std::string& pointer, const std::string& key, const Json& v,
                                   int depth, bool non_empty) {
    if (!v.is_array() || (non_empty && v.empty())) {
      return Problem(index, key + " must be " + (non_empty ? "a non-empty" : "an") + " array of schemas");
    }
    std::vector<int> out;
    for (size_t i = 0; i < v.size(); ++i) {
      PIER_ASSIGN_OR_RETURN(int n, Sub(pointer, key + "/" + std::to_string(i), v[i], depth));
      out.push_back(n);
    }
    return out;
  }

  Result<Pattern> CompilePattern(int index, const std::string& key, const Json& v) {
    if (!v.is_string()) return Problem(index, key + " must be a string");
    Pattern p;
    p.text = v.get<std::string>();
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(1 << 20);
    p.re = std::make_unique<RE2>(p.text, options);
    if (!p.re->ok()) return Problem(index, key + " \"" + p.text + "\" is not a supported regular expression: " + p.re->error());
    return p;
  }

  Result<std::vector<std::string>> Names(int index, const std::string& key, const Json& v) {
    if (!v.is_array()) return Problem(index, key + " must be an array of strings");
    std::vector<std::string> out;
    for (const Json& n : v) {
      if (!n.is_string()) return Problem(index, key + " must be an array of strings");
      out.push_back(n.get<std::string>());
    }
    return out;
  }

  Status Fill(int index, const std::string& pointer, const Json& s, int depth) {
    // Everything below is compiled into a local node; sub-compiles may grow
    // the vector, so the node is stored only at the end.
    Node n;
    n.location = compiled_->nodes[index].location;
    n.kind = Node::Kind::kObject;
    for (const char* unsupported : {"unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"}) {
      if (s.contains(unsupported)) return Problem(index, std::string(unsupported) + " is not supported");
    }
    auto number = [&](const char* key, std::optional<double>* out) -> Status {
      auto it = s.find(key);
      if (it == s.end()) return OkStatus();
      if (!it->is_number()) return Problem(index, std::string(key) + " must be a number");
      *out = it->get<double>();
      return OkStatus();
    };
    auto count = [&](const char* key, std::optional<uint64_t>* out) -> Status {
      auto it = s.find(key);
      if (it == s.end()) return OkStatus();
      uint64_t v = 0;
      if (!NonNegativeInteger(*it, &v)) return Problem(index, std::string(key) + " must be a non-negative integer");
      *out = v;
      return OkStatus();
    };
    auto schema = [&](const char* key, int* out) -> Status {
      auto it = s.find(key);
      if (it == s.end()) return OkStatus();
      PIER_ASSIGN_OR_RETURN(*out, Sub(pointer, key, *it, depth));
      return OkStatus();
    };

    if (auto it = s.find("type"); it != s.end()) {
      static const std::map<std::string, uint8_t> kTypes = {
          {"null", internal::kNull},     {"boolean", internal::kBoolean}, {"object", internal::kObject},
          {"array", internal::kArray},   {"number", internal::kNumber},   {"string", internal::kString},
          {"integer", internal::kInteger}};
      const Json list = it->is_array() ? *it : Json::array({*it});
      if (list.empty()) return Problem(index, "type must name at least one type");
      for (const Json& t : list) {
        auto known = t.is_string() ? kTypes.find(t.get<std::string>()) : kTypes.end();
        if (known == kTypes.end()) return Problem(index, "type " + t.dump() + " is not a JSON Schema type");
        n.types |= known->second;
      }
    }
    if (auto it = s.find("enum"); it != s.end()) {
      if (!it->is_array()) return Problem(index, "enum must be an array");
      n.enum_values = std::vector<Json>(it->begin(), it->end());
    }
    if (auto it = s.find("const"); it != s.end()) n.const_value = *it;
    PIER_RETURN_IF_ERROR(number("multipleOf", &n.multiple_of));
    if (n.multiple_of && !(*n.multiple_of > 0)) return Problem(index, "multipleOf must be greater than 0");
    PIER_RETURN_IF_ERROR(number("maximum", &n.maximum));
    PIER_RETURN_IF_ERROR(number("minimum", &n.minimum));
    for (auto [key, bound, exclusive] : {std::tuple{"exclusiveMaximum", &n.maximum, &n.exclusive_maximum},
                                         std::tuple{"exclusiveMinimum", &n.minimum, &n.exclusive_minimum}}) {
      auto it = s.find(key);
      if (it == s.end()) continue;
      if (it->is_boolean()) {  // draft 4: a flag on maximum/minimum
        if (it->get<bool>() && *bound) {
          *exclusive = *bound;
          bound->reset();
        }
      } else {
        PIER_RETURN_IF_ERROR(number(key, exclusive));
      }
    }
    PIER_RETURN_IF_ERROR(count("maxLength", &n.max_length));
    PIER_RETURN_IF_ERROR(count("minLength", &n.min_length));
    PIER_RETURN_IF_ERROR(count("maxItems", &n.max_items));
    PIER_RETURN_IF_ERROR(count("minItems", &n.min_items));
    PIER_RETURN_IF_ERROR(count("maxProperties", &n.max_properties));
    PIER_RETURN_IF_ERROR(count("minProperties", &n.min_properties));
    PIER_RETURN_IF_ERROR(count("maxContains", &n.max_contains));
    PIER_RETURN_IF_ERROR(count("minContains", &n.min_contains));
    if (auto it = s.find("uniqueItems"); it != s.end()) {
      if (!it->is_boolean()) return Problem(index, "uniqueItems must be true or false");
      n.unique_items = it->get<bool>();
    }
    if (auto it = s.find("pattern"); it != s.end()) {
      PIER_ASSIGN_OR_RETURN(n.pattern, CompilePattern(index, "pattern", *it));
    }
    if (auto it = s.find("required"); it != s.end()) {
      PIER_ASSIGN_OR_RETURN(n.required, Names(index, "required", *it));
    }
    if (auto it = s.find("dependentRequired"); it != s.end()) {
      if (!it->is_object()) return Problem(index, "dependentRequired must be an object");
      for (auto d = it->begin(); d != it->end(); ++d) {
        PIER_ASSIGN_OR_RETURN(n.dependent_required[d.key()], Names(index, "dependentRequired/" + d.key(), *d));
      }
    }
    for (const char* key : {"dependencies", "dependentSchemas"}) {
      auto it = s.find(key);
      if (it == s.end()) continue;
      if (!it->is_object()) return Problem(index, std::string(key) + " must be an object");
      for (auto d = it->begin(); d != it->end(); ++d) {
        if (d->is_array() && std::string(key) == "dependencies") {
          PIER_ASSIGN_OR_RETURN(n.dependent_required[d.key()], Names(index, "dependencies/" + d.key(), *d));
        } else {
          PIER_ASSIGN_OR_RETURN(n.dependent_schemas[d.key()], Sub(pointer, std::string(key) + "/" + Escape(d.key()), *d, depth));
        }
      }
    }
    if (auto it = s.find("properties"); it != s.end()) {
      if (!it->is_object()) return Problem(index, "properties must be an object");
      for (auto p = it->begin(); p != it->end(); ++p) {
        PIER_ASSIGN_OR_RETURN(n.properties[p.key()], Sub(pointer, "properties/" + Escape(p.key()), *p, depth));
      }
    }
    if (auto it = s.find("patternProperties"); it != s.end()) {
      if (!it->is_object()) return Problem(index, "patternProperties must be an object");
      for (auto p = it->begin(); p != it->end(); ++p) {
        PIER_ASSIGN_OR_RETURN(Pattern re, CompilePattern(index, "patternProperties", Json(p.key())));
        PIER_ASSIGN_OR_RETURN(int sub, Sub(pointer, "patternProperties/" + Escape(p.key()), *p, depth));
        n.pattern_properties.emplace_back(std::move(re), sub);
      }
    }
    PIER_RETURN_IF_ERROR(schema("additionalProperties", &n.additional_properties));
    PIER_RETURN_IF_ERROR(schema("propertyNames", &n.property_names));
    if (auto it = s.find("prefixItems"); it != s.end()) {
      PIER_ASSIGN_OR_RETURN(n.prefix_items, SubList(index, pointer, "prefixItems", *it, depth, false));
    }
    if (auto it = s.find("items"); it != s.end()) {
      if (it->is_array()) {  // draft 7 tuple form; additionalItems covers the rest
        PIER_ASSIGN_OR_RETURN(n.prefix_items, SubList(index, pointer, "items", *it, depth, false));
        PIER_RETURN_IF_ERROR(schema("additionalItems", &n.items));
      } else {
        PIER_RETURN_IF_ERROR(schema("items", &n.items));
      }
    }
    PIER_RETURN_IF_ERROR(schema("contains", &n.contains));
    for (auto [key, out] : {std::pair{"allOf", &n.all_of}, std::pair{"anyOf", &n.any_of}, std::pair{"oneOf", &n.one_of}}) {
      auto it = s.find(key);
      if (it == s.end()) continue;
      PIER_ASSIGN_OR_RETURN(*out, SubList(index, pointer, key, *it, depth, true));
    }
    PIER_RETURN_IF_ERROR(schema("not", &n.not_schema));
    if (s.contains("if")) {
      PIER_RETURN_IF_ERROR(schema("if", &n.if_schema));
      PIER_RETURN_IF_ERROR(schema("then", &n.then_schema));
      PIER_RETURN_IF_ERROR(schema("else", &n.else_schema));
    }
    // Definitions are compiled (a broken one is an error) even when unused.
    for (const char* key : {"$defs", "definitions"}) {
      auto it = s.find(key);
      if (it == s.end()) continue;
      if (!it->is_object()) return Problem(index, std::string(key) + " must be an object");
      for (auto d = it->begin(); d != it->end(); ++d) {
        PIER_RETURN_IF_ERROR(Sub(pointer, std::string(key) + "/" + Escape(d.key()), *d, depth).status());
      }
    }
    if (auto it = s.find("$ref"); it != s.end()) {
      if (!it->is_string()) return Problem(index, "$ref must be a string");
      PIER_ASSIGN_OR_RETURN(std::string target, RefPointer(index, it->get<std::string>()));
      refs_.emplace_back(index, target);
    }
    compiled_->nodes[index] = std::move(n);  // its ref is set once every part is compiled
    return OkStatus();
  }

  // Schemas applied to the same value must not loop (validation would never
  // end) and must not chain beyond kMaxInPlaceChain (it would recurse deep).
  Status CheckInPlaceGraph() {
    const auto& nodes = compiled_->nodes;
    enum Color : uint8_t { kWhite, kGrey, kBlack };
    std::vector<Color> color(nodes.size(), kWhite);
    std::vector<size_t> longest(nodes.size(), 1);
    struct Frame {
      int node;
      std::vector<int> next;
      size_t i = 0;
    };
    for (size_t start = 0; start < nodes.size(); ++start) {
      if (color[start] != kWhite) continue;
      std::vector<Frame> stack;
      stack.push_back({static_cast<int>(start), nodes[start].InPlace()});
      color[start] = kGrey;
      while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.i < f.next.size()) {
          const int to = f.next[f.i++];
          if (color[to] == kGrey) {
            std::string path;
            bool on = false;
            for (const Frame& g : stack) {
              if (g.node == to) on = true;
              if (on) path += nodes[g.node].location + " -> ";
            }
            return Problem(to, "the schema refers to itself without descending into the value (" + path +
                                   nodes[to].location + ")");
          }
          if (color[to] == kWhite) {
            color[to] = kGrey;
            stack.push_back({to, nodes[to].InPlace()});
          }
          continue;
        }
        size_t best = 1;
        for (int to : f.next) best = std::max(best, longest[to] + 1);
        longest[f.node] = best;
        if (best > kMaxInPlaceChain) {
          return Problem(f.node, "more than " + std::to_string(kMaxInPlaceChain) +
                                     " schemas apply to the same value in a chain");
        }
        color[f.node] = kBlack;
        stack.pop_back();
      }
    }
    return OkStatus();
  }

  const Json& doc_;
  std::shared_ptr<Compiled> compiled_;
  std::string base_;  // the root's $id without fragment
  std::map<std::string, int> by_pointer_;
  std::map<std::string, std::string> anchors_;
  std::vector<std::pair<int, std::string>> refs_;  // (node, target pointer)
};

}  // namespace

Result<JsonSchema> JsonSchema::Compile(const Json& document) {
  PIER_ASSIGN_OR_RETURN(auto compiled, Compiler(document).Run());
  return JsonSchema(std::move(compiled));
}

std::string JoinErrors(const std::vector<SchemaError>& errors) {
  std::string out;
  for (const SchemaError& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.field.empty() ? e.message : e.field + ": " + e.message;
  }
  return out;
}

}  // namespace pier::schema
