// The Prometheus text exposition format, version 0.0.4: HELP and TYPE lines,
// then one line per sample; histograms as _bucket (cumulative, with le),
// _sum and _count.
#include <charconv>
#include <cmath>

#include "pier/metrics.h"

namespace pier {

namespace {

// Backslash and newline escaped; with `quote`, the double quote too (label values).
std::string Escape(std::string_view v, bool quote) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

void AppendLabels(std::string& out, const MetricLabels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    out += EscapeLabelValue(v);
    out += '"';
  }
  if (le != nullptr) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) { return Escape(v, /*quote=*/true); }

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

std::string Metrics::PrometheusText() const {
  std::string out;
  for (const MetricFamily& f : Collect()) {
    out += "# HELP " + f.name + ' ' + Escape(f.help, /*quote=*/false) + '\n';
    out += "# TYPE " + f.name + ' ' + TypeName(f.type) + '\n';
    for (const MetricSample& s : f.samples) {
      if (f.type != MetricType::kHistogram) {
        out += f.name;
        AppendLabels(out, s.labels);
        out += ' ' + FormatMetricValue(s.value) + '\n';
        continue;
      }
      for (size_t i = 0; i < s.buckets.size(); ++i) {
        const std::string le = i < f.bounds.size() ? FormatMetricValue(f.bounds[i]) : "+Inf";
        out += f.name + "_bucket";
        AppendLabels(out, s.labels, &le);
        out += ' ' + std::to_string(s.buckets[i]) + '\n';
      }
      out += f.name + "_sum";
      AppendLabels(out, s.labels);
      out += ' ' + FormatMetricValue(s.sum) + '\n';
      out += f.name + "_count";
      AppendLabels(out, s.labels);
      out += ' ' + std::to_string(s.count) + '\n';
    }
  }
  return out;
}

}  // namespace pier
