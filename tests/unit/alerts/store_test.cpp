#include "alerts/store.hpp"

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <fstream>
#include <mutex>

#include "alert_fixtures.hpp"
#include "alerts/reader.hpp"
#include "support/child_process.hpp"

namespace fno::alerts {
namespace {

using testing::kMondayOpenUtcMs;
using testing::sample_alert;
constexpr auto kWait = std::chrono::seconds(20);

// Collects what the store reports as committed (called on the store thread).
struct Committed {
  std::mutex mu;
  std::vector<CommittedAlert> alerts;
  AlertStore::OnCommitted listener() {
    return [this](const std::vector<CommittedAlert>& batch) {
      std::lock_guard lk(mu);
      alerts.insert(alerts.end(), batch.begin(), batch.end());
    };
  }
  std::size_t size() {
    std::lock_guard lk(mu);
    return alerts.size();
  }
};

StoreOptions options_for(const std::filesystem::path& db) {
  StoreOptions o;
  o.db_path = db;
  o.channels = {"telegram"};
  o.retry_interval = std::chrono::milliseconds(20);
  return o;
}

std::int64_t row_count(const std::filesystem::path& db, const std::string& table) {
  SQLite::Database d(db.string());
  return d.execAndGet("SELECT count(*) FROM " + table).getInt64();
}

TEST(AlertStore, CommitsAndReportsAlertsWithIdsAndOutboxRows) {
  test::TempDir dir("alerts_store");
  Committed committed;
  {
    AlertStore store(options_for(dir.path() / "a.db"), committed.listener());
    ASSERT_TRUE(store.wait_open(kWait));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.submit(sample_alert(i)));
    ASSERT_TRUE(store.flush(kWait));
    EXPECT_EQ(store.status().committed, 10u);
    EXPECT_FALSE(store.status().degraded);
  }
  ASSERT_EQ(committed.size(), 10u);
  std::set<std::int64_t> ids;
  for (const auto& c : committed.alerts) {
    ids.insert(c.alert.id);
    ASSERT_EQ(c.notifications.size(), 1u);
    EXPECT_EQ(c.notifications[0].first, "telegram");
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(row_count(dir.path() / "a.db", "alerts"), 10);
  AlertReader reader(dir.path() / "a.db");
  EXPECT_EQ(reader.pending_notifications("telegram", 100).size(), 10u);
  const auto stored = reader.get(committed.alerts[3].alert.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->reason, committed.alerts[3].alert.reason);
  EXPECT_EQ(stored->numbers, committed.alerts[3].alert.numbers);
  EXPECT_EQ(stored->instrument, committed.alerts[3].alert.instrument);
}

TEST(AlertStore, DuplicatesAreIgnoredAcrossRestart) {
  test::TempDir dir("alerts_store");
  Committed first;
  {
    AlertStore store(options_for(dir.path() / "a.db"), first.listener());
    for (int i = 0; i < 20; ++i) store.submit(sample_alert(i));
    store.submit(sample_alert(5));  // same key within the run
    ASSERT_TRUE(store.flush(kWait));
    EXPECT_EQ(store.status().duplicates, 1u);
  }
  Committed second;
  {
    AlertStore store(options_for(dir.path() / "a.db"), second.listener());
    for (int i = 0; i < 25; ++i) store.submit(sample_alert(i));  // replay + 5 new
    ASSERT_TRUE(store.flush(kWait));
    EXPECT_EQ(store.status().duplicates, 20u);
    EXPECT_EQ(store.status().committed, 5u);
  }
  EXPECT_EQ(first.size(), 20u);
  EXPECT_EQ(second.size(), 5u);
  EXPECT_EQ(row_count(dir.path() / "a.db", "alerts"), 25);
  EXPECT_EQ(row_count(dir.path() / "a.db", "notifications"), 25);
}

TEST(AlertStore, SameCandleDifferentKindOrStrategyIsNotADuplicate) {
  test::TempDir dir("alerts_store");
  AlertStore store(options_for(dir.path() / "a.db"), nullptr);
  Alert a = sample_alert(1);
  Alert other_kind = a;
  other_kind.kind = scan::SignalKind::kBearish;
  Alert other_strategy = a;
  other_strategy.strategy = "ema_cross";
  store.submit(a);
  store.submit(other_kind);
  store.submit(other_strategy);
  ASSERT_TRUE(store.flush(kWait));
  EXPECT_EQ(store.status().committed, 3u);
}

TEST(AlertStore, NotificationUpdatesAreWritten) {
  test::TempDir dir("alerts_store");
  Committed committed;
  AlertStore store(options_for(dir.path() / "a.db"), committed.listener());
  store.submit(sample_alert(1));
  store.submit(sample_alert(2));
  ASSERT_TRUE(store.flush(kWait));
  ASSERT_EQ(committed.size(), 2u);
  store.update_notification({committed.alerts[0].notifications[0].second, NotificationState::kSent, 1, 0, ""});
  store.update_notification(
      {committed.alerts[1].notifications[0].second, NotificationState::kFailed, 5, 0, "HTTP 500 from Bot API"});
  ASSERT_TRUE(store.flush(kWait));
  AlertReader reader(dir.path() / "a.db");
  const auto states = reader.notification_states("telegram");
  const std::vector<std::pair<std::string, std::int64_t>> expected = {{"failed", 1}, {"sent", 1}};
  EXPECT_EQ(states, expected);
  EXPECT_TRUE(reader.pending_notifications("telegram", 10).empty());
}

TEST(AlertStore, SettingsAuditNeverStoresSecretValues) {
  test::TempDir dir("alerts_store");
  {
    AlertStore store(options_for(dir.path() / "a.db"), nullptr);
    store.record_setting_change({1, "admin@127.0.0.1", "telegram.token", "", "123456:fake-secret-value"});
    store.record_setting_change({2, "admin@127.0.0.1", "lookback", "50", "30"});
    ASSERT_TRUE(store.flush(kWait));
  }
  SQLite::Database db((dir.path() / "a.db").string());
  SQLite::Statement s(db, "SELECT key, new_value FROM settings_audit ORDER BY id");
  ASSERT_TRUE(s.executeStep());
  EXPECT_EQ(s.getColumn(1).getString().find("fake-secret-value"), std::string::npos);
  ASSERT_TRUE(s.executeStep());
  EXPECT_EQ(s.getColumn(1).getString(), "30");
}

TEST(AlertStore, CorruptFileDegradesBuffersAndRecovers) {
  test::TempDir dir("alerts_store");
  const auto db = dir.path() / "a.db";
  std::ofstream(db) << std::string(8192, 'x');  // not a database
  Committed committed;
  AlertStore store(options_for(db), committed.listener());
  EXPECT_FALSE(store.wait_open(kWait));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(store.submit(sample_alert(i)));
  EXPECT_FALSE(store.flush(std::chrono::milliseconds(300)));
  const StoreStatus degraded = store.status();
  EXPECT_TRUE(degraded.degraded);
  EXPECT_NE(degraded.error.find("corrupt or not an fno-scanner database"), std::string::npos) << degraded.error;
  EXPECT_EQ(degraded.buffered, 5u);
  EXPECT_EQ(committed.size(), 0u);

  std::filesystem::remove(db);  // the operator moves the broken file away
  ASSERT_TRUE(store.flush(kWait));
  const StoreStatus healthy = store.status();
  EXPECT_FALSE(healthy.degraded);
  EXPECT_TRUE(healthy.error.empty());
  EXPECT_EQ(healthy.committed, 5u);
  EXPECT_EQ(committed.size(), 5u);
}

TEST(AlertStore, DegradedBufferIsBoundedAndCountsDrops) {
  test::TempDir dir("alerts_store");
  const auto db = dir.path() / "a.db";
  std::ofstream(db) << std::string(8192, 'x');
  StoreOptions o = options_for(db);
  o.degraded_buffer = 3;
  o.max_batch = 1;
  o.retry_interval = std::chrono::hours(1);
  AlertStore store(o, nullptr);
  for (int i = 0; i < 5; ++i) store.submit(sample_alert(i));
  EXPECT_FALSE(store.flush(std::chrono::milliseconds(300)));
  const StoreStatus s = store.status();
  EXPECT_EQ(s.buffered, 3u);
  EXPECT_EQ(s.dropped, 2u);
}

TEST(AlertStore, RetentionRemovesOldAlertsAndTheirOutboxRows) {
  test::TempDir dir("alerts_store");
  const auto db = dir.path() / "a.db";
  {
    AlertStore store(options_for(db), nullptr);
    store.submit(sample_alert(1, "breakout", kMondayOpenUtcMs - 40LL * 86400 * 1000));
    store.submit(sample_alert(2, "breakout", kMondayOpenUtcMs));
    ASSERT_TRUE(store.flush(kWait));
  }
  StoreOptions o = options_for(db);
  o.retention_days = 30;
  o.now_ms = [] { return kMondayOpenUtcMs + 3600 * 1000; };
  AlertStore store(o, nullptr);
  store.submit(sample_alert(3));  // wakes the store thread after its opening prune
  ASSERT_TRUE(store.flush(kWait));
  EXPECT_EQ(store.status().pruned, 1u);
  EXPECT_EQ(row_count(db, "alerts"), 2);
  EXPECT_EQ(row_count(db, "notifications"), 2);
}

TEST(AlertStore, FullQueueDropsInsteadOfBlocking) {
  test::TempDir dir("alerts_store");
  StoreOptions o = options_for(dir.path() / "a.db");
  o.queue_capacity = 0;
  AlertStore store(o, nullptr);
  EXPECT_FALSE(store.submit(sample_alert(1)));
  EXPECT_EQ(store.status().dropped, 1u);
}

}  // namespace
}  // namespace fno::alerts
