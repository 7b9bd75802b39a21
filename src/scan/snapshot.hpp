// snapshot.hpp
//
// What the Scanner reports about instruments for the dashboard, the API and
// /metrics: one row per instrument, deltas by version, chart series and
// counters. Plain values, copied out of the engine thread (a DeltaRow's
// shared parts are immutable, so copies may cross threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "market/candle.hpp"
#include "market/instrument_key.hpp"
#include "scan/signal.hpp"

namespace fno::scan {

struct StrategyReadiness {
  std::string strategy;
  bool ready = false;       // false: "warming up"
  std::size_t candles = 0;  // closed candles seen (history + live)
  std::size_t needed = 0;
};

// What a row shows besides its symbol, readiness and last signal: the part
// SnapshotRow and DeltaRow hold alike.
struct RowValues {
  market::InstrumentKey key;
  std::uint64_t version = 0;  // bumps whenever anything in the row changed
  std::optional<double> ltp;
  std::optional<double> prev_close;
  std::optional<double> change_pct;  // (ltp - prev_close) / prev_close * 100
  std::optional<std::uint64_t> day_volume;
  std::optional<std::uint32_t> open_interest;
  std::optional<double> resistance;
  // (resistance - ltp) / ltp * 100: how far price must rise to break out; negative when above.
  std::optional<double> distance_to_breakout_pct;
  std::optional<double> ema_short;
  std::optional<double> ema_long;
  std::optional<double> average_volume;
  std::optional<market::IstSeconds> last_candle;  // start of the last closed candle
};

struct SnapshotRow : RowValues {
  std::string symbol;
  std::vector<StrategyReadiness> readiness;
  std::optional<Signal> last_signal;
};

// The configured strategies' ids and warm-ups, fixed for one scanner: with a
// row's closed-candle count they give its readiness list.
struct StrategyWarmup {
  std::string strategy;
  std::size_t needed = 0;
};
using StrategyWarmups = std::shared_ptr<const std::vector<StrategyWarmup>>;

// One row as a delta carries it: SnapshotRow's values, with the readiness
// list kept as the closed-candle count over the scanner's warm-ups and the
// symbol and last signal shared (immutable) with the scanner. The engine
// publishes tens of thousands of changed rows a second, and this copies to
// the board and the hub without allocating; row() builds the SnapshotRow
// Scanner::snapshot() reports for the same instrument.
struct DeltaRow : RowValues {
  std::shared_ptr<const std::string> symbol;  // never null in the scanner's rows
  std::size_t closed_candles = 0;
  StrategyWarmups warmups;
  std::shared_ptr<const Signal> last_signal;

  SnapshotRow row() const;
};

struct SnapshotDelta {
  std::uint64_t version = 0;  // pass back to changes_since() next time
  bool full = false;          // rows hold every instrument (client must replace, not merge)
  std::vector<DeltaRow> rows;
  std::vector<market::InstrumentKey> removed;
};

// Closed candles with the indicator lines drawn on charts (same length).
struct ChartSeries {
  std::vector<market::Candle> candles;
  std::vector<std::optional<double>> resistance;  // the level each candle had to cross
  std::vector<std::optional<double>> ema_short;
  std::vector<std::optional<double>> ema_long;
};

struct ScannerCounters {
  std::uint64_t ticks = 0;
  std::uint64_t unknown_instrument = 0;
  std::uint64_t out_of_order = 0;  // dropped: older than the current candle
  std::uint64_t duplicates = 0;    // repeats of the last trade after its minute closed
  std::uint64_t off_session = 0;   // pre-open / post-close / holiday ticks (kept apart)
  std::uint64_t candles_closed = 0;
  std::uint64_t history_candles = 0;
  std::uint64_t history_overlap = 0;      // history minutes already covered by live candles
  std::uint64_t signals_suppressed = 0;   // dedupe / cooldown / partial candle
  std::map<std::string, std::uint64_t> signals_by_strategy;
};

}  // namespace fno::scan
