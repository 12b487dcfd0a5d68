#include "pier/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace pier {
namespace {

const MetricFamily* Find(const std::vector<MetricFamily>& families, std::string_view name) {
  for (const MetricFamily& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(MetricsTest, CountersAddFromManyThreadsAndKeepTheirLabels) {
  Metrics m;
  Counter a = m.GetCounter("t_calls_total", "Calls.", {{"plugin", "a"}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Counter mine = m.GetCounter("t_calls_total", "Calls.", {{"plugin", "a"}});  // the same series
      for (int i = 0; i < 1000; ++i) mine.Add();
    });
  }
  for (auto& t : threads) t.join();
  m.GetCounter("t_calls_total", "Calls.", {{"plugin", "b"}}).Add(2.5);
  EXPECT_EQ(a.value(), 4000);
  auto families = m.Collect();
  const MetricFamily* f = Find(families, "t_calls_total");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->samples.size(), 2u);
  EXPECT_EQ(f->samples[0].labels, (MetricLabels{{"plugin", "a"}}));
  EXPECT_EQ(f->samples[0].value, 4000);
  EXPECT_EQ(f->samples[1].value, 2.5);
  a.Add(-5);  // counters only go up
  EXPECT_EQ(a.value(), 4000);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfinityLast) {
  Metrics m;
  Histogram h = m.GetHistogram("t_seconds", "Time.", {0.1, 1}, {{"q", "x"}});
  for (double v : {0.05, 0.1, 0.5, 3.0, 7.0}) h.Observe(v);
  std::string text = m.PrometheusText();
  EXPECT_NE(text.find("# TYPE t_seconds histogram\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{q=\"x\",le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{q=\"x\",le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{q=\"x\",le=\"+Inf\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_sum{q=\"x\"} 10.65\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_count{q=\"x\"} 5\n"), std::string::npos) << text;
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Metrics m;
  m.GetGauge("t_depth", "Depth of \\ queues\nsecond line.", {{"queue", "a\"b\\c\nd"}}).Set(3);
  const std::string text = m.PrometheusText();
  EXPECT_NE(text.find("# HELP t_depth Depth of \\\\ queues\\nsecond line.\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_depth{queue=\"a\\\"b\\\\c\\nd\"} 3\n"), std::string::npos) << text;
}

TEST(MetricsTest, TheSeriesCapDropsNewSeriesAndCountsThem) {
  Metrics m(3);
  for (int i = 0; i < 5; ++i) m.GetCounter("t_total", "T.", {{"i", std::to_string(i)}}).Add();
  auto families = m.Collect();
  EXPECT_EQ(Find(families, "t_total")->samples.size(), 3u);
  EXPECT_EQ(m.dropped_series(), 2u);
  EXPECT_EQ(Find(families, "pier_metrics_series_dropped_total")->samples[0].value, 2);
  // An existing series still counts.
  m.GetCounter("t_total", "T.", {{"i", "0"}}).Add();
  EXPECT_EQ(Find(m.Collect(), "t_total")->samples[0].value, 2);
}

TEST(MetricsTest, ANameReusedWithAnotherTypeIsRefused) {
  Metrics m;
  m.GetCounter("t_x", "X.").Add();
  Gauge g = m.GetGauge("t_x", "X.");
  g.Set(9);  // a dropped handle: nothing happens
  EXPECT_EQ(g.value(), 0);
  EXPECT_EQ(Find(m.Collect(), "t_x")->type, MetricType::kCounter);
  EXPECT_EQ(m.dropped_series(), 1u);
}

TEST(MetricsTest, CollectorsReportAtCollectionAndStopWhenTheirHandleGoes) {
  Metrics m;
  int depth = 4;
  {
    Metrics::Collector c = m.AddCollector([&](MetricWriter& w) { w.Gauge("t_depth", "D.", {{"q", "a"}}, depth); });
    EXPECT_EQ(Find(m.Collect(), "t_depth")->samples[0].value, 4);
    depth = 6;
    EXPECT_EQ(Find(m.Collect(), "t_depth")->samples[0].value, 6);
  }
  EXPECT_EQ(Find(m.Collect(), "t_depth"), nullptr);
}

TEST(MetricsTest, CollectedSeriesCountAgainstTheCap) {
  Metrics m(2);
  m.GetCounter("t_total", "T.").Add();
  Metrics::Collector c = m.AddCollector([](MetricWriter& w) {
    for (int i = 0; i < 3; ++i) w.Gauge("t_g", "G.", {{"i", std::to_string(i)}}, i);
  });
  EXPECT_EQ(Find(m.Collect(), "t_g")->samples.size(), 1u);
  EXPECT_EQ(m.dropped_series(), 2u);
}

TEST(MetricsTest, ValuesFormatAsPrometheusReadsThem) {
  EXPECT_EQ(FormatMetricValue(3), "3");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(1e300 * 1e300), "+Inf");
  EXPECT_EQ(FormatMetricValue(-1e300 * 1e300), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
}

}  // namespace
}  // namespace pier
