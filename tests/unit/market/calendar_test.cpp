#include "market/calendar.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace fno::market {
namespace {

using namespace std::chrono;

// 2026-11-25 (a Wednesday) 00:00 IST, computed independently of the code under test.
constexpr IstSeconds kWed = 20782LL * 86400;
constexpr IstSeconds kDay = kSecondsPerDay;

IstSeconds at(IstSeconds day, int h, int m, int s = 0) { return day + h * 3600 + m * 60 + s; }

TEST(Calendar, IstIsUtcPlusFiveThirty) {
  const std::int64_t utc = 1795578300;  // 2026-11-25 03:45:00 UTC
  EXPECT_EQ(format_ist(ist_from_utc(utc)), "2026-11-25 09:15:00");
  EXPECT_EQ(utc_from_ist(ist_from_utc(utc)), utc);
}

TEST(Calendar, CivilDateRoundTrip) {
  EXPECT_EQ(format_ist(kWed), "2026-11-25 00:00:00");
  EXPECT_EQ(civil_date(kWed + 3600), year{2026} / November / 25);
  EXPECT_EQ(ist_midnight(year{2026} / November / 25), kWed);
}

TEST(Calendar, MinuteStartFloorsIncludingNegative) {
  EXPECT_EQ(minute_start(at(kWed, 9, 15, 59)), at(kWed, 9, 15));
  EXPECT_EQ(minute_start(at(kWed, 9, 16)), at(kWed, 9, 16));
  EXPECT_EQ(minute_start(-1), -60);
  EXPECT_EQ(seconds_of_day(-1), 86399);
}

TEST(Calendar, ParsesIstDateTimes) {
  const auto midnight = ist_midnight(std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{12},
                                                                 std::chrono::day{2}});
  EXPECT_EQ(parse_ist("2026-12-02"), midnight);
  EXPECT_EQ(parse_ist("2026-12-02 09:15:30"), midnight + 9 * 3600 + 15 * 60 + 30);
  EXPECT_FALSE(parse_ist("2026-12-02 24:00:00"));
  EXPECT_FALSE(parse_ist("2026-12-02T09:15:00"));
  EXPECT_FALSE(parse_ist("2026-02-30 09:15:00"));
}

TEST(Calendar, SessionBoundaries) {
  const MarketCalendar cal;
  EXPECT_FALSE(cal.is_open(at(kWed, 9, 14, 59)));
  EXPECT_TRUE(cal.is_open(at(kWed, 9, 15, 0)));
  EXPECT_TRUE(cal.is_open(at(kWed, 15, 29, 59)));
  EXPECT_FALSE(cal.is_open(at(kWed, 15, 30, 0)));
}

TEST(Calendar, WeekendsAndHolidaysAreClosed) {
  const IstSeconds thu = kWed + kDay;
  const IstSeconds fri = kWed + 2 * kDay;
  const IstSeconds sat = kWed + 3 * kDay;
  const MarketCalendar cal(SessionHours{}, {year{2026} / November / 26});
  EXPECT_TRUE(cal.is_open(at(kWed, 10, 0)));
  EXPECT_FALSE(cal.is_open(at(thu, 10, 0)));
  EXPECT_FALSE(cal.is_trading_day(thu));
  EXPECT_FALSE(cal.is_open(at(sat, 10, 0)));
  EXPECT_EQ(cal.next_open(at(kWed, 16, 0)), at(fri, 9, 15));
}

TEST(Calendar, NextOpenAndCloseSkipWeekend) {
  const MarketCalendar cal;
  const IstSeconds fri = kWed + 2 * kDay;
  const IstSeconds mon = kWed + 5 * kDay;
  EXPECT_EQ(cal.next_open(at(fri, 15, 30)), at(mon, 9, 15));
  EXPECT_EQ(cal.next_open(at(mon, 9, 15)), at(mon + kDay, 9, 15));
  EXPECT_EQ(cal.next_close(at(mon, 9, 15)), at(mon, 15, 30));
  EXPECT_EQ(cal.next_close(at(fri, 20, 0)), at(mon, 15, 30));
}

TEST(Calendar, CustomSessionHours) {
  const MarketCalendar mcx(SessionHours{9 * 3600, 23 * 3600 + 30 * 60}, {});
  EXPECT_TRUE(mcx.is_open(at(kWed, 23, 29, 59)));
  EXPECT_FALSE(mcx.is_open(at(kWed, 23, 30)));
}

TEST(Calendar, AlwaysOpenTradesEveryMinuteOfEveryDay) {
  const auto cal = MarketCalendar::always_open();
  const IstSeconds sat = kWed + 3 * kDay;
  EXPECT_TRUE(cal.is_open(at(sat, 0, 0)));
  EXPECT_TRUE(cal.is_open(at(sat, 23, 59, 59)));
  EXPECT_TRUE(cal.is_open(at(kWed, 3, 0)));
}

TEST(Calendar, ParsesDatesAndTimes) {
  EXPECT_EQ(parse_date("2026-01-26"), year{2026} / January / 26);
  EXPECT_FALSE(parse_date("2026-02-30"));
  EXPECT_FALSE(parse_date("26-01-2026"));
  EXPECT_EQ(parse_hhmm("09:15"), 9 * 3600 + 15 * 60);
  EXPECT_FALSE(parse_hhmm("9:15"));
  EXPECT_FALSE(parse_hhmm("24:01"));
}

TEST(Calendar, IndependentOfHostTimeZone) {
  const IstSeconds t = at(kWed, 9, 15);
  const std::string before = format_ist(t);
  const bool open_before = MarketCalendar{}.is_open(t);
  ::setenv("TZ", "Pacific/Kiritimati", 1);
  ::tzset();
  EXPECT_EQ(format_ist(t), before);
  EXPECT_EQ(MarketCalendar{}.is_open(t), open_before);
  ::setenv("TZ", "America/New_York", 1);
  ::tzset();
}

}  // namespace
}  // namespace fno::market
