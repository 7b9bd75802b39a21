#include "sim/send_log.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace fno::sim {
namespace {

constexpr market::InstrumentKey kWatched{2, 49229};
constexpr market::InstrumentKey kOther{2, 49230};
constexpr market::IstSeconds kMinute = 1'764'580'000 - 1'764'580'000 % 60;  // an IST minute start

TEST(SendLog, LogsTheFirstPacketOfEachNewMinuteOfWatchedInstrumentsOnly) {
  std::ostringstream out;
  SendLog log(out);
  log.watch(kWatched, kMinute + 10, 100);
  log.on_send(kWatched, kMinute + 30, 1);   // same minute: nothing closes
  log.on_send(kOther, kMinute + 61, 2);     // not watched
  log.on_send(kWatched, kMinute + 60, 3);   // opens the next minute
  log.on_send(kWatched, kMinute + 61, 4);   // same minute again
  log.on_send(kWatched, kMinute + 125, 5);  // and the one after
  const auto utc_ms = [](market::IstSeconds ist) { return market::utc_from_ist(ist) * 1000; };
  EXPECT_EQ(out.str(), "{\"segment\":2,\"security_id\":49229,\"minute_ms\":" + std::to_string(utc_ms(kMinute + 60)) +
                           ",\"sent_us\":3}\n{\"segment\":2,\"security_id\":49229,\"minute_ms\":" +
                           std::to_string(utc_ms(kMinute + 120)) + ",\"sent_us\":5}\n");
}

TEST(SendLog, StopsWatchingWhenTheTimeRunsOut) {
  std::ostringstream out;
  SendLog log(out);
  log.watch(kWatched, kMinute, 50);
  log.expire(49);
  EXPECT_FALSE(log.empty());
  log.expire(51);
  EXPECT_TRUE(log.empty());
  log.on_send(kWatched, kMinute + 60, 1);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace fno::sim
