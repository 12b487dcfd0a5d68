#include "admin/queue_history.h"

#include <gtest/gtest.h>

#include "services/taskqueue/queue_metrics.h"

namespace pier {
namespace {

TEST(QueueHistoryTest, PointsAreTheCountersDeltasStepByStep) {
  auto metrics = std::make_shared<Metrics>();
  auto q = taskqueue::QueueMetrics::For(*metrics, "p", "q");
  QueueHistory history(metrics);
  q.completed.Add(5);  // before the first sample: the starting line, not charted
  history.Sample(1'000);
  q.completed.Add(3);
  q.failed.Add(1);
  q.wait.Observe(0.010);
  q.wait.Observe(0.030);
  q.run.Observe(0.002);
  history.Sample(11'000);
  history.Sample(21'000);  // nothing happened
  const auto chart = history.Chart("p", "q", QueueHistory::kHour);
  ASSERT_EQ(chart["t"].size(), 2u) << chart;
  EXPECT_EQ(chart["t"][0], 11'000);
  EXPECT_EQ(chart["completed"][0], 3);
  EXPECT_EQ(chart["failed"][0], 1);
  EXPECT_DOUBLE_EQ(chart["waitAvgMs"][0].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(chart["runAvgMs"][0].get<double>(), 2.0);
  EXPECT_EQ(chart["completed"][1], 0);
  EXPECT_TRUE(chart["waitAvgMs"][1].is_null()) << "no attempt, no mean";
  // Every hour point's completions add up to the counter's change since the first sample.
  double sum = 0;
  for (const auto& v : chart["completed"]) sum += v.get<double>();
  EXPECT_EQ(sum, q.completed.value() - 5);
  // A minute later the day has its first point, the sum of its steps.
  history.Sample(61'000);
  const auto day = history.Chart("p", "q", QueueHistory::kDay);
  ASSERT_EQ(day["t"].size(), 1u) << day;
  EXPECT_EQ(day["completed"][0], 3);
  EXPECT_EQ(day["stepMs"], 60'000);
  EXPECT_TRUE(history.Chart("p", "other", QueueHistory::kHour)["t"].empty());
}

TEST(QueueHistoryTest, TheSparklineSumsThePluginsQueuesStepByStep) {
  auto metrics = std::make_shared<Metrics>();
  auto a = taskqueue::QueueMetrics::For(*metrics, "p", "a");
  auto b = taskqueue::QueueMetrics::For(*metrics, "p", "b");
  auto other = taskqueue::QueueMetrics::For(*metrics, "p2", "a");
  QueueHistory history(metrics);
  history.Sample(0);  // the starting line
  a.completed.Add(2);
  b.failed.Add(1);
  other.completed.Add(100);
  history.Sample(10'000);
  a.completed.Add(4);
  history.Sample(20'000);
  history.Sample(30'000);
  EXPECT_EQ(history.Finished("p", 10), (std::vector<double>{3, 4, 0}));
  EXPECT_EQ(history.Finished("p", 2), (std::vector<double>{4, 0}));
  EXPECT_EQ(history.Finished("p2", 10), (std::vector<double>{100, 0, 0}));
  EXPECT_TRUE(history.Finished("nobody", 10).empty());
}

}  // namespace
}  // namespace pier
