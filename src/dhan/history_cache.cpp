#include "dhan/history_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace fno::dhan {

namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS candles (
  segment INTEGER NOT NULL, security_id INTEGER NOT NULL, start INTEGER NOT NULL,
  open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume INTEGER NOT NULL,
  PRIMARY KEY (segment, security_id, start)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS coverage (
  segment INTEGER NOT NULL, security_id INTEGER NOT NULL, from_ist INTEGER NOT NULL, to_ist INTEGER NOT NULL,
  PRIMARY KEY (segment, security_id)) WITHOUT ROWID;
)sql";

void bind_key(SQLite::Statement& s, market::InstrumentKey key) {
  s.bind(1, static_cast<int>(key.segment));
  s.bind(2, static_cast<std::int64_t>(key.security_id));
}

}  // namespace

HistoryCache::HistoryCache(const std::filesystem::path& path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  db_ = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db_->exec("PRAGMA journal_mode=WAL");
  db_->exec("PRAGMA synchronous=NORMAL");  // a lost last transaction is only re-fetched
  const int version = db_->execAndGet("PRAGMA user_version").getInt();
  if (version > kSchemaVersion) {
    throw std::runtime_error("history cache " + path.string() + " was written by a newer version (schema " +
                             std::to_string(version) + ")");
  }
  db_->exec(kSchema);
  db_->exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
}

HistoryCache::~HistoryCache() = default;

std::optional<IstRange> HistoryCache::coverage(market::InstrumentKey key) {
  SQLite::Statement s(*db_, "SELECT from_ist, to_ist FROM coverage WHERE segment=? AND security_id=?");
  bind_key(s, key);
  if (!s.executeStep()) return std::nullopt;
  return IstRange{s.getColumn(0).getInt64(), s.getColumn(1).getInt64()};
}

void HistoryCache::store(market::InstrumentKey key, std::span<const market::Candle> candles, IstRange covered) {
  SQLite::Transaction tx(*db_);
  SQLite::Statement insert(*db_, "INSERT OR REPLACE INTO candles VALUES (?,?,?,?,?,?,?,?)");
  for (const auto& c : candles) {
    bind_key(insert, key);
    insert.bind(3, c.start);
    insert.bind(4, c.open);
    insert.bind(5, c.high);
    insert.bind(6, c.low);
    insert.bind(7, c.close);
    insert.bind(8, static_cast<std::int64_t>(c.volume));
    insert.exec();
    insert.reset();
  }
  SQLite::Statement cov(*db_, "INSERT OR REPLACE INTO coverage VALUES (?,?,?,?)");
  bind_key(cov, key);
  cov.bind(3, covered.from);
  cov.bind(4, covered.to);
  cov.exec();
  tx.commit();
}

std::vector<market::Candle> HistoryCache::newest(market::InstrumentKey key, IstRange range, std::size_t count) {
  SQLite::Statement s(*db_,
                      "SELECT start, open, high, low, close, volume FROM candles WHERE segment=? AND security_id=? "
                      "AND start>=? AND start<? ORDER BY start DESC LIMIT ?");
  bind_key(s, key);
  s.bind(3, range.from);
  s.bind(4, range.to);
  s.bind(5, static_cast<std::int64_t>(count));
  std::vector<market::Candle> out;
  while (s.executeStep()) {
    market::Candle c;
    c.start = s.getColumn(0).getInt64();
    c.open = s.getColumn(1).getDouble();
    c.high = s.getColumn(2).getDouble();
    c.low = s.getColumn(3).getDouble();
    c.close = s.getColumn(4).getDouble();
    c.volume = static_cast<std::uint64_t>(s.getColumn(5).getInt64());
    c.volume_known = true;
    c.ticks = 1;
    out.push_back(c);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::size_t HistoryCache::prune_before(market::IstSeconds cutoff) {
  std::vector<std::pair<market::InstrumentKey, IstRange>> covered;
  {
    SQLite::Statement s(*db_, "SELECT segment, security_id, from_ist, to_ist FROM coverage");
    while (s.executeStep()) {
      covered.push_back({{static_cast<std::uint8_t>(s.getColumn(0).getInt()),
                          static_cast<std::uint32_t>(s.getColumn(1).getInt64())},
                         {s.getColumn(2).getInt64(), s.getColumn(3).getInt64()}});
    }
  }
  SQLite::Transaction tx(*db_);
  SQLite::Statement del(*db_, "DELETE FROM candles WHERE segment=? AND security_id=? AND start<?");
  SQLite::Statement drop(*db_, "DELETE FROM coverage WHERE segment=? AND security_id=?");
  SQLite::Statement clip(*db_, "UPDATE coverage SET from_ist=? WHERE segment=? AND security_id=?");
  std::size_t deleted = 0;
  for (const auto& [key, range] : covered) {
    if (range.from >= cutoff) continue;
    bind_key(del, key);
    del.bind(3, cutoff);
    deleted += static_cast<std::size_t>(del.exec());
    del.reset();
    if (range.to <= cutoff) {
      bind_key(drop, key);
      drop.exec();
      drop.reset();
    } else {
      clip.bind(1, cutoff);
      clip.bind(2, static_cast<int>(key.segment));
      clip.bind(3, static_cast<std::int64_t>(key.security_id));
      clip.exec();
      clip.reset();
    }
  }
  // Candles of instruments without coverage (an interrupted first store cannot
  // leave any: store() is one transaction) need no separate sweep.
  tx.commit();
  return deleted;
}

std::size_t HistoryCache::candle_count() {
  return static_cast<std::size_t>(db_->execAndGet("SELECT COUNT(*) FROM candles").getInt64());
}

std::vector<market::InstrumentKey> HistoryCache::instruments(IstRange range) {
  SQLite::Statement s(*db_,
                      "SELECT segment, security_id FROM coverage WHERE from_ist<? AND to_ist>? "
                      "ORDER BY segment, security_id");
  s.bind(1, range.to);
  s.bind(2, range.from);
  std::vector<market::InstrumentKey> keys;
  while (s.executeStep()) {
    keys.push_back({static_cast<std::uint8_t>(s.getColumn(0).getInt()),
                    static_cast<std::uint32_t>(s.getColumn(1).getInt64())});
  }
  return keys;
}

}  // namespace fno::dhan
