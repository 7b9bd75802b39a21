// history_cache.hpp
//
// On-disk cache of historical 1-minute candles (SQLite, WAL) so a restart
// only fetches what is missing. Table `candles` is keyed by
// (segment, security_id, start); table `coverage` records, per instrument,
// the one contiguous IST range [from, to) already fetched (candles and
// "no trade" minutes alike), which is what the planner subtracts.
//
// Blocking disk I/O: use it from one worker thread, never from the network
// or engine thread. Not thread-safe. Throws SQLite::Exception on I/O errors
// and std::runtime_error for a file from a newer schema.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dhan/history_plan.hpp"
#include "market/candle.hpp"
#include "market/instrument_key.hpp"

namespace SQLite {
class Database;
}

namespace fno::dhan {

class HistoryCache {
 public:
  explicit HistoryCache(const std::filesystem::path& path);
  ~HistoryCache();
  HistoryCache(const HistoryCache&) = delete;
  HistoryCache& operator=(const HistoryCache&) = delete;

  std::optional<IstRange> coverage(market::InstrumentKey key);
  // Writes candles (replacing same-minute rows) and the new coverage in one transaction.
  void store(market::InstrumentKey key, std::span<const market::Candle> candles, IstRange covered);
  // The newest `count` candles with start in [range.from, range.to), oldest first.
  std::vector<market::Candle> newest(market::InstrumentKey key, IstRange range, std::size_t count);
  // Forgets everything before `cutoff` (candles and coverage), instrument by
  // instrument so each delete is an index range. Returns candle rows deleted.
  std::size_t prune_before(market::IstSeconds cutoff);
  std::size_t candle_count();
  // Instruments whose coverage overlaps `range`, by key.
  std::vector<market::InstrumentKey> instruments(IstRange range);

 private:
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace fno::dhan
