#include <nlohmann/json.hpp>

#include "music/subsonic_router.h"

namespace pier::music {

namespace {

void Escape(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;  // not XML 1.0
        out += c;
    }
  }
}

std::string Scalar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

void Element(const std::string& name, const nlohmann::json& v, std::string& out, bool root) {
  out += "<" + name;
  if (root) out += " xmlns=\"http://subsonic.org/restapi\"";
  if (!v.is_object()) {  // a scalar inside an array: text content
    out += ">";
    Escape(Scalar(v), out);
    out += "</" + name + ">";
    return;
  }
  std::string children;
  for (const auto& [key, value] : v.items()) {
    if (value.is_null()) continue;
    if (value.is_object()) {
      Element(key, value, children, false);
    } else if (value.is_array()) {
      for (const auto& e : value) Element(key, e, children, false);
    } else {
      out += " " + key + "=\"";
      Escape(Scalar(value), out);
      out += "\"";
    }
  }
  if (children.empty()) {
    out += "/>";
  } else {
    out += ">" + children + "</" + name + ">";
  }
}

}  // namespace

std::string SubsonicJsonToXml(const nlohmann::json& document) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  const auto it = document.find("subsonic-response");
  Element("subsonic-response", it == document.end() ? nlohmann::json::object() : *it, out, true);
  return out;
}

}  // namespace pier::music
