// ScrobbleCounter's logic, tested natively (no Wasm) against the generated
// GoogleMock mocks of the host services.
#include "counter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "pier/mocks/host_mocks.h"

namespace scrobble_counter {
namespace {

using ::testing::_;
using ::testing::Field;
using ::testing::Return;

std::string Count(uint64_t n) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &n, 8);
  return s;
}

class ScrobbleCounterTest : public ::testing::Test {
 protected:
  void SetUp() override { pier::mocks::ResetHostMocks(); }
  ScrobbleCounter counter_;
};

TEST_F(ScrobbleCounterTest, BlockedUsersAreNotAuthorized) {
  EXPECT_CALL(pier::mocks::Config(), Get(Field(&pier::wire::ConfigGetRequest::key, "blocked_users")))
      .WillRepeatedly(Return(pier::wire::ConfigGetResponse{"mallory,eve", true}));
  EXPECT_FALSE(*counter_.IsAuthorized({"eve"}));
  EXPECT_TRUE(*counter_.IsAuthorized({"alice"}));
  EXPECT_TRUE(*counter_.IsAuthorized({"mall"})) << "whole names only";
}

TEST_F(ScrobbleCounterTest, ScrobbleIncrementsTheStoredCount) {
  EXPECT_CALL(pier::mocks::KVStore(), Get(Field(&pier::wire::KVStoreGetRequest::key, "plays:alice")))
      .WillOnce(Return(pier::wire::KVStoreGetResponse{Count(41), true}));
  EXPECT_CALL(pier::mocks::KVStore(), Set(pier::wire::KVStoreSetRequest{"plays:alice", Count(42)}))
      .WillOnce(Return(pier::OkStatus()));
  EXPECT_TRUE(counter_.Scrobble({"alice", {}, 1700000000}).ok());
}

TEST_F(ScrobbleCounterTest, FirstScrobbleStartsAtOne) {
  EXPECT_CALL(pier::mocks::KVStore(), Get(_)).WillOnce(Return(pier::wire::KVStoreGetResponse{}));
  EXPECT_CALL(pier::mocks::KVStore(), Set(Field(&pier::wire::KVStoreSetRequest::value, Count(1))))
      .WillOnce(Return(pier::OkStatus()));
  EXPECT_TRUE(counter_.Scrobble({"bob", {}, 1}).ok());
}

TEST_F(ScrobbleCounterTest, PlaybackReportsKeepThePlayersState) {
  EXPECT_CALL(pier::mocks::Cache(),
              SetString(pier::wire::CacheSetStringRequest{"player:ada", "paused 61000 Desk", 3600}));
  pier::wire::PlaybackReportRequest report;
  report.username = "ada";
  report.state = "paused";
  report.position_ms = 61000;
  report.player_name = "Desk";
  EXPECT_TRUE(counter_.PlaybackReport(report).ok());
}

TEST_F(ScrobbleCounterTest, OfflineAsksTheHostToRetryLater) {
  EXPECT_CALL(pier::mocks::Config(), Get(Field(&pier::wire::ConfigGetRequest::key, "offline")))
      .WillOnce(Return(pier::wire::ConfigGetResponse{"true", true}));
  EXPECT_CALL(pier::mocks::KVStore(), Set(_)).Times(0);
  EXPECT_EQ(counter_.Scrobble({"bob", {}, 1}).message(), "scrobbler(retry_later): the service is offline");
}

TEST_F(ScrobbleCounterTest, StoreFailureAsksNavidromeToRetryLater) {
  EXPECT_CALL(pier::mocks::KVStore(), Get(_)).WillOnce(Return(pier::wire::KVStoreGetResponse{}));
  EXPECT_CALL(pier::mocks::KVStore(), Set(_)).WillOnce(Return(pier::UnavailableError("disk full")));
  pier::Status st = counter_.Scrobble({"bob", {}, 1});
  EXPECT_EQ(st.message(), "scrobbler(retry_later): disk full");
}

TEST_F(ScrobbleCounterTest, NowPlayingIsCachedForTenMinutes) {
  pier::wire::NowPlayingRequest request;
  request.username = "alice";
  request.track.title = "So What";
  request.track.artist = "Miles Davis";
  EXPECT_CALL(pier::mocks::Cache(),
              SetString(pier::wire::CacheSetStringRequest{"now_playing:alice", "So What by Miles Davis", 600}))
      .WillOnce(Return(pier::OkStatus()));
  EXPECT_TRUE(counter_.NowPlaying(request).ok());
}

TEST_F(ScrobbleCounterTest, UnexpectedHostCallsAnswerUnimplemented) {
  // No expectation on KVStore().Get: the NiceMock default is UNIMPLEMENTED, which surfaces.
  EXPECT_EQ(counter_.Scrobble({"carol", {}, 1}).code(), pier::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace scrobble_counter
