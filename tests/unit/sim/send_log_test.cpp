#include "sim/send_log.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace fno::sim {
namespace {

constexpr market::InstrumentKey kWatched{2, 49229};
constexpr market::InstrumentKey kOther{2, 49230};
constexpr market::IstSeconds kMinute = 1'764'580'000 - 1'764'580'000 % 60;  // an IST minute start

TEST(SendLog, LogsTheFirstPacketOfEachNewMinuteOfWatchedInstrumentsOnceWritten) {
  std::ostringstream out;
  SendLog log(out);
  log.watch(kWatched, kMinute + 10, 100);
  EXPECT_FALSE(log.on_step(kWatched, kMinute + 30, 1));  // same minute: nothing closes
  EXPECT_FALSE(log.on_step(kOther, kMinute + 61, 2));    // not watched
  const auto first = log.on_step(kWatched, kMinute + 60, 3);  // opens the next minute
  EXPECT_FALSE(log.on_step(kWatched, kMinute + 61, 4));  // same minute again
  const auto second = log.on_step(kWatched, kMinute + 125, 5);  // and the one after
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(out.str(), "") << "nothing is logged before the frame is written";
  log.on_written(*first, 30);
  log.on_written(*second, 50);
  const auto utc_ms = [](market::IstSeconds ist) { return market::utc_from_ist(ist) * 1000; };
  EXPECT_EQ(out.str(), "{\"segment\":2,\"security_id\":49229,\"minute_ms\":" + std::to_string(utc_ms(kMinute + 60)) +
                           ",\"stepped_us\":3,\"sent_us\":30}\n{\"segment\":2,\"security_id\":49229,\"minute_ms\":" +
                           std::to_string(utc_ms(kMinute + 120)) + ",\"stepped_us\":5,\"sent_us\":50}\n");
}

TEST(SendLog, StopsWatchingWhenTheTimeRunsOut) {
  std::ostringstream out;
  SendLog log(out);
  log.watch(kWatched, kMinute, 50);
  log.expire(49);
  EXPECT_FALSE(log.empty());
  log.expire(51);
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(log.on_step(kWatched, kMinute + 60, 1));
}

}  // namespace
}  // namespace fno::sim
