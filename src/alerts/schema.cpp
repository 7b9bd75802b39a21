#include "alerts/schema.hpp"

#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <array>
#include <stdexcept>

namespace fno::alerts {

namespace {

// Index k holds the statements of migration k+1. Never edit a released entry:
// append a new one.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 1: alerts and the notification outbox.
    R"sql(
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  segment INTEGER NOT NULL,
  security_id INTEGER NOT NULL,
  trading_symbol TEXT NOT NULL,
  underlying TEXT NOT NULL,
  strategy TEXT NOT NULL,
  kind TEXT NOT NULL,
  price REAL NOT NULL,
  reason TEXT NOT NULL,
  numbers TEXT NOT NULL,
  candle_time INTEGER NOT NULL,
  UNIQUE (segment, security_id, strategy, kind, candle_time)
);
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (alert_id, channel)
);
CREATE INDEX notifications_by_state ON notifications (channel, state, id);
)sql",
    // 2: watchlists and the settings audit trail (values of secrets are
    // never written: the settings layer stores a mask instead).
    R"sql(
CREATE TABLE watchlists (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
);
CREATE TABLE watchlist_items (
  watchlist_id INTEGER NOT NULL REFERENCES watchlists(id) ON DELETE CASCADE,
  segment INTEGER NOT NULL,
  security_id INTEGER NOT NULL,
  added_ms INTEGER NOT NULL,
  PRIMARY KEY (watchlist_id, segment, security_id)
);
CREATE TABLE settings_audit (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  who TEXT NOT NULL,
  key TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT
);
)sql",
    // 3: indexes for the API's filtered, newest-first keyset pages. The
    // rowid (id) is implicitly the last column of each index, so
    // (filter, time_ms, id) ranges are served without sorting.
    R"sql(
CREATE INDEX alerts_by_time ON alerts (time_ms);
CREATE INDEX alerts_by_strategy ON alerts (strategy, time_ms);
CREATE INDEX alerts_by_underlying ON alerts (underlying, time_ms);
CREATE INDEX alerts_by_symbol ON alerts (trading_symbol, time_ms);
)sql",
};

}  // namespace

void configure_connection(SQLite::Database& db, std::chrono::milliseconds busy_timeout) {
  db.setBusyTimeout(static_cast<int>(busy_timeout.count()));
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA foreign_keys=ON");
}

int schema_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void migrate(SQLite::Database& db, int target) {
  const int current = schema_version(db);
  if (current > kSchemaVersion) {
    throw std::runtime_error(fmt::format("{}: schema version {} is newer than this fno-scanner supports ({})",
                                         db.getFilename(), current, kSchemaVersion));
  }
  for (int v = current; v < target; ++v) {
    SQLite::Transaction tx(db);
    db.exec(kMigrations[static_cast<std::size_t>(v)]);
    db.exec(fmt::format("PRAGMA user_version={}", v + 1));
    tx.commit();
  }
}

}  // namespace fno::alerts
