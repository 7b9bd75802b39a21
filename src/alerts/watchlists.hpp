// watchlists.hpp
//
// Named lists of instruments the user wants scanned in addition to the
// configured universe, stored in the alert database (`watchlists`,
// `watchlist_items`). User actions are rare, so this owns its own read-write
// connection (WAL + busy timeout) instead of queueing through the alert
// writer; every change is one transaction. Not thread-safe: one owner thread
// (the web worker). Throws SQLite::Exception on database errors.
#pragma once

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "market/instrument_key.hpp"

namespace fno::alerts {

struct StoredWatchlist {
  std::int64_t id = 0;
  std::string name;
  std::vector<market::InstrumentKey> items;  // in the order they were added
};

class WatchlistStore {
 public:
  // Opens (creating and migrating) the database.
  WatchlistStore(const std::filesystem::path& db_path, std::chrono::milliseconds busy_timeout);

  std::vector<StoredWatchlist> all();
  std::optional<StoredWatchlist> get(std::int64_t id);
  // nullopt when the name is taken.
  std::optional<StoredWatchlist> create(const std::string& name, const std::vector<market::InstrumentKey>& items,
                                        std::int64_t now_ms);
  // Renames and/or replaces the items. nullopt when `id` does not exist;
  // throws NameTaken when the new name belongs to another list.
  std::optional<StoredWatchlist> update(std::int64_t id, const std::optional<std::string>& name,
                                        const std::optional<std::vector<market::InstrumentKey>>& items,
                                        std::int64_t now_ms);
  bool remove(std::int64_t id);
  // Every instrument of every list, without repeats.
  std::vector<market::InstrumentKey> all_instruments();

  struct NameTaken {};

 private:
  void replace_items(std::int64_t id, const std::vector<market::InstrumentKey>& items, std::int64_t now_ms);
  bool name_taken(const std::string& name, std::int64_t except_id);

  SQLite::Database db_;
};

}  // namespace fno::alerts
