// The Scheduler service's contract (spec §6.3) under a fake clock.
#include "services/scheduler/scheduler_service.h"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/wait.h"
#include "support/test_call_context.h"

namespace pier::scheduler {
namespace {

using NoContext = pier::testing::TestCallContext;

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<SchedulerService>(SchedulerOptions{.now_ms = [this] { return now_.load(); },
                                                                   .local_zone = date::locate_zone("UTC"),
                                                                   .max_sleep = std::chrono::milliseconds(1)});
  }
  void Start() {
    service_->Start([this](const wire::SchedulerCallbackRequest& r, const CancelToken& cancel) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        fired_.push_back(r);
      }
      if (on_fire_) on_fire_(r, cancel);
      return std::string();
    });
  }
  std::vector<wire::SchedulerCallbackRequest> Fired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }
  bool WaitFired(size_t n) {
    // Generous: a loaded 2-core CI machine; it returns as soon as it holds.
    return testing::WaitFor([&] { return Fired().size() >= n; }, std::chrono::milliseconds(10000));
  }
  Result<std::string> OneTime(int32_t delay, const std::string& payload, const std::string& id = "") {
    auto r = service_->ScheduleOneTime(ctx_, {delay, payload, id});
    if (!r.ok()) return r.status();
    return r->new_schedule_id;
  }
  Result<std::string> Recurring(const std::string& cron, const std::string& payload, const std::string& id = "") {
    auto r = service_->ScheduleRecurring(ctx_, {cron, payload, id});
    if (!r.ok()) return r.status();
    return r->new_schedule_id;
  }

  std::atomic<int64_t> now_ = 1'700'000'000'000;  // 2023-11-14 22:13:20 UTC
  NoContext ctx_;
  std::mutex mu_;
  std::vector<wire::SchedulerCallbackRequest> fired_;
  std::function<void(const wire::SchedulerCallbackRequest&, const CancelToken&)> on_fire_;
  std::unique_ptr<SchedulerService> service_;
};

TEST_F(SchedulerTest, IdsAreGivenOrGeneratedAndUniqueAcrossBothKinds) {
  EXPECT_EQ(OneTime(60, "p", "mine").value(), "mine");
  const std::string generated = OneTime(60, "p").value();
  EXPECT_EQ(generated.size(), 22u);
  EXPECT_EQ(Recurring("@every 1s", "p", "mine").status().message(), "schedule ID \"mine\" already exists");
  EXPECT_EQ(OneTime(1, "p", "mine").status().message(), "schedule ID \"mine\" already exists");
  EXPECT_EQ(Recurring("@every 1s", "p", "rec").value(), "rec");
  EXPECT_EQ(OneTime(1, "p", "rec").status().message(), "schedule ID \"rec\" already exists");
  EXPECT_EQ(service_->Schedules().size(), 3u);
  EXPECT_TRUE(service_->CancelSchedule(ctx_, {"mine"}).ok());
  EXPECT_TRUE(service_->CancelSchedule(ctx_, {"rec"}).ok());
  EXPECT_EQ(service_->CancelSchedule(ctx_, {"rec"}).message(), "schedule ID \"rec\" not found");
  EXPECT_EQ(OneTime(1, "again", "mine").value(), "mine") << "reusable after a cancel";
}

TEST_F(SchedulerTest, BadCronIsRefusedWithTheParserText) {
  EXPECT_EQ(Recurring("1 2 3 4 5 6", "p").status().message(),
            "failed to schedule task: expected exactly 5 fields, found 6: [1 2 3 4 5 6]");
  EXPECT_EQ(Recurring("", "p").status().message(), "failed to schedule task: empty spec string");
  EXPECT_TRUE(service_->Schedules().empty());
}

TEST_F(SchedulerTest, OneTimeFiresAfterItsDelayAndIsForgotten) {
  Start();
  ASSERT_TRUE(OneTime(5, "later", "t").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_TRUE(Fired().empty());
  now_ += 5000;
  ASSERT_TRUE(WaitFired(1));
  EXPECT_EQ(Fired()[0], (wire::SchedulerCallbackRequest{"t", "later", false}));
  EXPECT_TRUE(testing::WaitFor([&] { return service_->Schedules().empty(); }, std::chrono::milliseconds(2000)));
  EXPECT_EQ(OneTime(0, "now", "t").value(), "t") << "the ID is free again; a delay of 0 fires at once";
  ASSERT_TRUE(WaitFired(2));
  ASSERT_TRUE(OneTime(-3, "negative").ok());
  ASSERT_TRUE(WaitFired(3));
}

TEST_F(SchedulerTest, RecurringFiresOnEveryMatchUntilCancelled) {
  Start();
  ASSERT_TRUE(Recurring("* * * * *", "tick", "r").ok());
  for (int minute = 1; minute <= 3; ++minute) {
    now_ = 1'700'000'000'000 + (60 - 20) * 1000 + (minute - 1) * 60'000;  // 22:14:00, 22:15:00, ...
    ASSERT_TRUE(WaitFired(minute)) << minute;
  }
  EXPECT_EQ(Fired().size(), 3u);
  for (const auto& f : Fired()) EXPECT_EQ(f, (wire::SchedulerCallbackRequest{"r", "tick", true}));
  EXPECT_EQ(service_->Schedules().at(0).runs, 3);
  ASSERT_TRUE(service_->CancelSchedule(ctx_, {"r"}).ok());
  now_ += 3'600'000;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(Fired().size(), 3u);
}

TEST_F(SchedulerTest, RunsMayOverlapAndCallbacksMayCallTheService) {
  std::atomic<int> concurrent = 0, most = 0;
  std::atomic<bool> release = false;
  // However the test ends, the callbacks end before the variables they read.
  struct StopFirst {
    SchedulerService* service;
    ~StopFirst() { service->Stop(); }
  } stop_first{service_.get()};
  on_fire_ = [&](const wire::SchedulerCallbackRequest& r, const CancelToken& cancel) {
    if (r.payload == "follow") {
      ASSERT_TRUE(OneTime(1, "followup-created", "followup-id").ok());  // from inside a callback
      return;
    }
    const int c = ++concurrent;
    most = std::max(most.load(), c);
    // Released by the test, or interrupted by Stop when an assertion ended it early.
    while (!release && !cancel.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    --concurrent;
  };
  Start();
  ASSERT_TRUE(Recurring("@every 1s", "slow", "slow").ok());
  for (int i = 0; i < 3; ++i) {
    now_ += 1000;
    ASSERT_TRUE(WaitFired(static_cast<size_t>(i + 1)));
  }
  EXPECT_TRUE(testing::WaitFor([&] { return most.load() == 3; }, std::chrono::milliseconds(2000)))
      << "three runs of one schedule at once";
  release = true;
  ASSERT_TRUE(service_->CancelSchedule(ctx_, {"slow"}).ok());
  ASSERT_TRUE(OneTime(0, "follow", "trigger").ok());
  ASSERT_TRUE(testing::WaitFor([&] {
    for (const auto& s : service_->Schedules()) if (s.id == "followup-id") return true;
    return false;
  }, std::chrono::milliseconds(2000)));
  now_ += 1000;
  ASSERT_TRUE(testing::WaitFor([&] {
    for (const auto& f : Fired()) if (f.schedule_id == "followup-id" && f.payload == "followup-created") return true;
    return false;
  }, std::chrono::milliseconds(2000)));
}

TEST_F(SchedulerTest, StopCancelsSchedulesAndInterruptsRunningCallbacks) {
  std::atomic<bool> interrupted = false;
  on_fire_ = [&](const wire::SchedulerCallbackRequest&, const CancelToken& cancel) {
    while (!cancel.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    interrupted = true;
  };
  Start();
  ASSERT_TRUE(Recurring("@every 1s", "busy", "busy").ok());
  ASSERT_TRUE(OneTime(600, "never", "later").ok());
  now_ += 1000;
  ASSERT_TRUE(WaitFired(1));
  service_->Stop();
  EXPECT_TRUE(interrupted);
  EXPECT_TRUE(service_->Schedules().empty());
  const size_t fired = Fired().size();
  now_ += 3'600'000;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(Fired().size(), fired) << "nothing fires after Stop";
  EXPECT_FALSE(OneTime(1, "x").ok());
}

}  // namespace
}  // namespace pier::scheduler
