#include "alerts/reader.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "alert_fixtures.hpp"
#include "alerts/store.hpp"
#include "support/child_process.hpp"

namespace fno::alerts {
namespace {

using namespace std::chrono;
using testing::kMondayOpenUtcMs;
using testing::sample_alert;

constexpr std::int64_t kDayMs = 86400LL * 1000;

class AlertReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.db_path = db();
    store_ = std::make_unique<AlertStore>(o, nullptr);
  }
  std::filesystem::path db() const { return dir_.path() / "a.db"; }
  void add(const Alert& a) { ASSERT_TRUE(store_->submit(a)); }
  void flush() { ASSERT_TRUE(store_->flush(seconds(20))); }

  test::TempDir dir_{"alerts_reader"};
  std::unique_ptr<AlertStore> store_;
};

std::vector<std::int64_t> ids_of(const std::vector<Alert>& alerts) {
  std::vector<std::int64_t> ids;
  for (const auto& a : alerts) ids.push_back(a.id);
  return ids;
}

TEST_F(AlertReaderTest, FiltersBySymbolUnderlyingStrategyKindAndPrice) {
  for (int i = 0; i < 60; ++i) add(sample_alert(i, i < 30 ? "breakout" : "ema_cross"));
  flush();
  AlertReader r(db());
  AlertFilter f;
  EXPECT_EQ(r.count(f), 60);
  f.strategy = "ema_cross";
  EXPECT_EQ(r.count(f), 30);
  f = {};
  f.underlying = "RELIANCE";
  EXPECT_EQ(r.count(f), 30);
  f = {};
  f.trading_symbol = "RELIANCE-Jan2025-FUT-7";  // n = 7 and 57
  EXPECT_EQ(r.count(f), 2);
  f = {};
  f.kind = scan::SignalKind::kBearish;  // n % 3 == 0
  EXPECT_EQ(r.count(f), 20);
  f = {};
  f.min_price = 150.0;  // price = 100 + n
  EXPECT_EQ(r.count(f), 10);
  f.strategy = "ema_cross";
  f.kind = scan::SignalKind::kBullish;
  const auto page = r.page(f, std::nullopt, 100);
  ASSERT_FALSE(page.alerts.empty());
  for (const auto& a : page.alerts) {
    EXPECT_GE(a.price, 150.0);
    EXPECT_EQ(a.strategy, "ema_cross");
    EXPECT_EQ(a.kind, scan::SignalKind::kBullish);
  }
}

TEST_F(AlertReaderTest, DateRangeUsesIstDays) {
  // 2025-01-06 IST runs from 2025-01-05T18:30Z to 2025-01-06T18:30Z.
  // sample_alert(n, ..., base) fires at base + n seconds.
  const std::int64_t ist_midnight_utc_ms = (1736121600LL - 19800) * 1000;
  add(sample_alert(1, "breakout", ist_midnight_utc_ms - 1001));           // 5th, 23:59:59.999 IST
  add(sample_alert(2, "breakout", ist_midnight_utc_ms - 2000));           // 6th, 00:00:00.000
  add(sample_alert(3, "breakout", ist_midnight_utc_ms + kDayMs - 3001));  // 6th, 23:59:59.999
  add(sample_alert(4, "breakout", ist_midnight_utc_ms + kDayMs - 4000));  // 7th, 00:00:00.000
  flush();
  AlertReader r(db());
  AlertFilter f;
  f.from_day = year_month_day(year(2025), month(1), day(6));
  f.to_day = f.from_day;
  const auto page = r.page(f, std::nullopt, 10);
  ASSERT_EQ(page.alerts.size(), 2u);
  EXPECT_EQ(format_ist_ms(page.alerts[0].time_ms), "2025-01-06 23:59:59");
  EXPECT_EQ(format_ist_ms(page.alerts[1].time_ms), "2025-01-06 00:00:00");
}

TEST_F(AlertReaderTest, KeysetPagesAreNewestFirstAndComplete) {
  for (int i = 0; i < 95; ++i) add(sample_alert(i));
  // Several alerts at the same millisecond exercise the id tie-break.
  for (int i = 95; i < 100; ++i) add(sample_alert(i, "breakout", kMondayOpenUtcMs - i * 1000LL));
  flush();
  AlertReader r(db());
  std::vector<Alert> all;
  std::optional<PageCursor> cursor;
  int pages = 0;
  do {
    auto page = r.page({}, cursor, 7);
    all.insert(all.end(), page.alerts.begin(), page.alerts.end());
    cursor = page.next;
    ++pages;
  } while (cursor && pages < 100);
  ASSERT_EQ(all.size(), 100u);
  EXPECT_EQ(pages, 15);
  for (std::size_t i = 1; i < all.size(); ++i) {
    const bool ordered = all[i - 1].time_ms > all[i].time_ms ||
                         (all[i - 1].time_ms == all[i].time_ms && all[i - 1].id > all[i].id);
    EXPECT_TRUE(ordered) << i;
  }
  const auto ids = ids_of(all);
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), 100u);
}

TEST_F(AlertReaderTest, PaginationIsStableUnderConcurrentInserts) {
  for (int i = 0; i < 200; ++i) add(sample_alert(i));
  flush();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    // Newer alerts keep arriving while the client pages through older ones.
    for (int i = 200; i < 1200 && !done; ++i) {
      store_->submit(sample_alert(i));
      if (i % 50 == 0) store_->flush(seconds(20));
    }
  });
  AlertReader r(db());
  auto first = r.page({}, std::nullopt, 10);
  std::vector<Alert> seen = first.alerts;
  const std::int64_t newest_seen = first.alerts.front().time_ms;
  std::optional<PageCursor> cursor = first.next;
  while (cursor) {
    auto page = r.page({}, cursor, 10);
    seen.insert(seen.end(), page.alerts.begin(), page.alerts.end());
    cursor = page.next;
  }
  done = true;
  writer.join();
  // Every alert that existed before paging started appears exactly once; rows
  // inserted during paging are newer than the first page and never show up.
  const auto ids = ids_of(seen);
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), seen.size());
  int old_rows = 0;
  for (const auto& a : seen) {
    EXPECT_LE(a.time_ms, newest_seen);
    if (a.time_ms < kMondayOpenUtcMs + 200 * 1000) ++old_rows;
  }
  EXPECT_EQ(old_rows, 200);
}

TEST_F(AlertReaderTest, CountsPerStrategyAndIstDay) {
  add(sample_alert(1, "breakout"));
  add(sample_alert(2, "breakout"));
  add(sample_alert(3, "ema_cross"));
  add(sample_alert(4, "breakout", kMondayOpenUtcMs + kDayMs));
  flush();
  AlertReader r(db());
  const auto counts = r.counts_per_strategy_day({});
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].day, "2025-01-07");
  EXPECT_EQ(counts[0].count, 1);
  EXPECT_EQ(counts[1].day, "2025-01-06");
  EXPECT_EQ(counts[1].strategy, "breakout");
  EXPECT_EQ(counts[1].count, 2);
  EXPECT_EQ(counts[2].strategy, "ema_cross");
}

TEST(PageCursor, EncodesAndRejectsGarbage) {
  const PageCursor c{1736135100000, 42};
  EXPECT_EQ(parse_cursor(encode_cursor(c)), c);
  EXPECT_FALSE(parse_cursor(""));
  EXPECT_FALSE(parse_cursor("12"));
  EXPECT_FALSE(parse_cursor("12.x"));
  EXPECT_FALSE(parse_cursor(".5"));
  EXPECT_FALSE(parse_cursor("1.2.3"));
}

}  // namespace
}  // namespace fno::alerts
