#include "alerts/watchlists.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <set>

#include "alerts/schema.hpp"

namespace fno::alerts {

WatchlistStore::WatchlistStore(const std::filesystem::path& db_path, std::chrono::milliseconds busy_timeout)
    : db_(db_path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
  configure_connection(db_, busy_timeout);
  db_.exec("PRAGMA foreign_keys=ON");
  migrate(db_);
}

std::vector<StoredWatchlist> WatchlistStore::all() {
  std::vector<StoredWatchlist> out;
  SQLite::Statement lists(db_, "SELECT id FROM watchlists ORDER BY name COLLATE NOCASE");
  std::vector<std::int64_t> ids;
  while (lists.executeStep()) ids.push_back(lists.getColumn(0).getInt64());
  for (const auto id : ids) {
    if (auto list = get(id)) out.push_back(std::move(*list));
  }
  return out;
}

std::optional<StoredWatchlist> WatchlistStore::get(std::int64_t id) {
  SQLite::Statement head(db_, "SELECT name FROM watchlists WHERE id = ?");
  head.bind(1, id);
  if (!head.executeStep()) return std::nullopt;
  StoredWatchlist list{id, head.getColumn(0).getString(), {}};
  SQLite::Statement items(db_,
                          "SELECT segment, security_id FROM watchlist_items WHERE watchlist_id = ? "
                          "ORDER BY added_ms, rowid");
  items.bind(1, id);
  while (items.executeStep()) {
    list.items.push_back({static_cast<std::uint8_t>(items.getColumn(0).getInt()),
                          static_cast<std::uint32_t>(items.getColumn(1).getInt64())});
  }
  return list;
}

bool WatchlistStore::name_taken(const std::string& name, std::int64_t except_id) {
  SQLite::Statement q(db_, "SELECT 1 FROM watchlists WHERE name = ? AND id <> ?");
  q.bind(1, name);
  q.bind(2, except_id);
  return q.executeStep();
}

void WatchlistStore::replace_items(std::int64_t id, const std::vector<market::InstrumentKey>& items,
                                   std::int64_t now_ms) {
  SQLite::Statement clear(db_, "DELETE FROM watchlist_items WHERE watchlist_id = ?");
  clear.bind(1, id);
  clear.exec();
  SQLite::Statement insert(db_,
                           "INSERT OR IGNORE INTO watchlist_items (watchlist_id, segment, security_id, added_ms) "
                           "VALUES (?, ?, ?, ?)");
  for (const auto& key : items) {
    insert.bind(1, id);
    insert.bind(2, static_cast<int>(key.segment));
    insert.bind(3, static_cast<std::int64_t>(key.security_id));
    insert.bind(4, now_ms);
    insert.exec();
    insert.reset();
  }
}

std::optional<StoredWatchlist> WatchlistStore::create(const std::string& name,
                                                      const std::vector<market::InstrumentKey>& items,
                                                      std::int64_t now_ms) {
  SQLite::Transaction tx(db_);
  if (name_taken(name, 0)) return std::nullopt;
  SQLite::Statement insert(db_, "INSERT INTO watchlists (name, created_ms) VALUES (?, ?)");
  insert.bind(1, name);
  insert.bind(2, now_ms);
  insert.exec();
  const std::int64_t id = db_.getLastInsertRowid();
  replace_items(id, items, now_ms);
  tx.commit();
  return get(id);
}

std::optional<StoredWatchlist> WatchlistStore::update(std::int64_t id, const std::optional<std::string>& name,
                                                      const std::optional<std::vector<market::InstrumentKey>>& items,
                                                      std::int64_t now_ms) {
  SQLite::Transaction tx(db_);
  if (!get(id)) return std::nullopt;
  if (name) {
    if (name_taken(*name, id)) throw NameTaken{};
    SQLite::Statement rename(db_, "UPDATE watchlists SET name = ? WHERE id = ?");
    rename.bind(1, *name);
    rename.bind(2, id);
    rename.exec();
  }
  if (items) replace_items(id, *items, now_ms);
  tx.commit();
  return get(id);
}

bool WatchlistStore::remove(std::int64_t id) {
  SQLite::Statement del(db_, "DELETE FROM watchlists WHERE id = ?");
  del.bind(1, id);
  return del.exec() > 0;
}

std::vector<market::InstrumentKey> WatchlistStore::all_instruments() {
  std::vector<market::InstrumentKey> out;
  SQLite::Statement q(db_, "SELECT DISTINCT segment, security_id FROM watchlist_items ORDER BY segment, security_id");
  while (q.executeStep()) {
    out.push_back({static_cast<std::uint8_t>(q.getColumn(0).getInt()), static_cast<std::uint32_t>(q.getColumn(1).getInt64())});
  }
  return out;
}

}  // namespace fno::alerts
