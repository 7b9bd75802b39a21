#include "alerts/schema.hpp"

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <stdexcept>

#include "support/child_process.hpp"

namespace fno::alerts {
namespace {

bool has_object(SQLite::Database& db, const std::string& name) {
  SQLite::Statement s(db, "SELECT count(*) FROM sqlite_master WHERE name = ?");
  s.bind(1, name);
  s.executeStep();
  return s.getColumn(0).getInt() == 1;
}

SQLite::Database open_rw(const std::filesystem::path& p) {
  return SQLite::Database(p.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
}

TEST(Schema, MigratesAnEmptyFileToTheLatestVersion) {
  test::TempDir dir("alerts_schema");
  auto db = open_rw(dir.path() / "a.db");
  configure_connection(db, std::chrono::seconds(1));
  EXPECT_EQ(schema_version(db), 0);
  migrate(db);
  EXPECT_EQ(schema_version(db), kSchemaVersion);
  for (const char* t : {"alerts", "notifications", "watchlists", "watchlist_items", "settings_audit"}) {
    EXPECT_TRUE(has_object(db, t)) << t;
  }
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(Schema, UpgradesEveryOlderVersionKeepingRows) {
  for (int from = 1; from < kSchemaVersion; ++from) {
    test::TempDir dir("alerts_schema");
    {
      auto db = open_rw(dir.path() / "a.db");
      migrate(db, from);
      ASSERT_EQ(schema_version(db), from);
      db.exec("INSERT INTO alerts (time_ms, created_ms, segment, security_id, trading_symbol, underlying, strategy, "
              "kind, price, reason, numbers, candle_time) VALUES (1, 2, 2, 35001, 'NIFTY-FUT', 'NIFTY', 'breakout', "
              "'bullish', 101.5, 'why', '{}', 60)");
    }
    auto db = open_rw(dir.path() / "a.db");
    migrate(db);
    EXPECT_EQ(schema_version(db), kSchemaVersion) << "from " << from;
    EXPECT_EQ(db.execAndGet("SELECT trading_symbol FROM alerts").getString(), "NIFTY-FUT") << "from " << from;
    EXPECT_TRUE(has_object(db, "settings_audit"));
    EXPECT_TRUE(has_object(db, "alerts_by_strategy"));
  }
}

TEST(Schema, MigrationIsIdempotent) {
  test::TempDir dir("alerts_schema");
  auto db = open_rw(dir.path() / "a.db");
  migrate(db);
  EXPECT_NO_THROW(migrate(db));
  EXPECT_EQ(schema_version(db), kSchemaVersion);
}

TEST(Schema, RefusesADatabaseFromANewerVersion) {
  test::TempDir dir("alerts_schema");
  auto db = open_rw(dir.path() / "a.db");
  db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion + 1));
  try {
    migrate(db);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fno::alerts
