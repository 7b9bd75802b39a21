// scanner.hpp
//
// The scan engine for a universe of instruments: owns per-instrument candle
// builders, closed-candle series and strategy states, the configured
// strategies and the dedupe/cooldown gate. Takes ticks, prev-close updates,
// timer ticks and history candles; returns signals; reports snapshots,
// chart series and counters.
//
// Pure: no sockets, threads or clocks (`now` is an argument), so a recorded
// stream replays to identical signals. Signals come only from live, complete
// candles of ready strategies: history warms up through the same path with
// the historical flag; partial candles (joined mid-minute, feed gap) update
// indicators but never signal. Not thread-safe: owned by the engine thread;
// copy snapshots out for other threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "market/candle_builder.hpp"
#include "market/candle_series.hpp"
#include "market/instrument_index.hpp"
#include "scan/scanner_config.hpp"
#include "scan/signal_gate.hpp"
#include "scan/snapshot.hpp"
#include "scan/strategy_registry.hpp"

namespace fno::scan {

class Scanner {
 public:
  // Throws StrategyConfigError for invalid strategy settings.
  explicit Scanner(const ScannerConfig& config,
                   const StrategyRegistry& registry = StrategyRegistry::with_builtins());
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Universe changes at runtime. add: false when already present (symbol and
  // tick size are updated); remove: false when unknown.
  bool add_instrument(market::InstrumentKey key, std::string symbol, double tick_size);
  bool remove_instrument(market::InstrumentKey key);
  std::size_t size() const { return index_.size(); }

  std::vector<Signal> on_tick(const market::Tick& tick);
  void on_prev_close(market::InstrumentKey key, double prev_close);
  // Closes candles whose minute + grace has passed at `now` (IST wall seconds).
  std::vector<Signal> on_timer(market::IstSeconds now);
  // The feed lost data (disconnect): forming candles become partial (no signals).
  void on_feed_gap();
  // History warm-up, oldest first, never signals. Minutes already covered by
  // live candles are dropped (live wins); history that arrives after live
  // candles is merged in order and the strategy states rebuilt once per call,
  // so pass a whole batch rather than one candle at a time.
  void on_history(market::InstrumentKey key, std::span<const market::Candle> candles);
  void on_history_candle(market::InstrumentKey key, const market::Candle& candle);
  // A closed candle from storage (backtest over cached, fetched or recorded
  // candles), taken as if its builder had just closed it live: the same close
  // path, so it signals exactly as that live candle would (partial candles
  // never do). Candles must come oldest first; one not after the last closed
  // candle is dropped and counted as out of order. Tick rules (wants_ticks)
  // see no ticks here.
  std::vector<Signal> on_closed_candle(market::InstrumentKey key, const market::Candle& candle);

  std::vector<SnapshotRow> snapshot() const;
  std::optional<SnapshotRow> snapshot(market::InstrumentKey key) const;
  // Rows changed after `version` (0 = everything), for pushing deltas.
  SnapshotDelta changes_since(std::uint64_t version) const;
  std::uint64_t version() const { return version_; }
  std::optional<ChartSeries> candles(market::InstrumentKey key) const;

  const ScannerCounters& counters() const { return counters_; }
  const std::vector<ConfiguredStrategy>& strategies() const { return strategies_; }
  std::vector<DedupeEntry> export_dedupe() const { return gate_.export_state(); }
  void import_dedupe(const std::vector<DedupeEntry>& entries) { gate_.import_state(entries); }

 private:
  struct Slot;

  Slot* find(market::InstrumentKey key);
  const Slot* find(market::InstrumentKey key) const;
  const market::CandleRules& rules_for(std::uint8_t segment) const;
  void close_candle(Slot& slot, const market::Candle& candle, bool historical, std::vector<Signal>& out);
  void run_tick_strategies(Slot& slot, const market::Tick& tick, std::vector<Signal>& out);
  void emit(Slot& slot, std::size_t strategy, std::vector<Signal>& signals, std::vector<Signal>& out);
  void rebuild(Slot& slot, std::vector<market::Candle> candles);
  void on_live_start(Slot& slot, market::IstSeconds minute);
  void touch(const Slot& slot);
  std::size_t position(const Slot& slot) const;  // in slots_
  DeltaRow delta_row(const Slot& slot) const;

  ScannerConfig config_;
  std::vector<ConfiguredStrategy> strategies_;
  StrategyWarmups warmups_;  // shared by every published row
  bool any_tick_strategy_ = false;
  std::size_t series_capacity_;             // closed candles kept per instrument
  std::vector<market::CandleRules> rules_;  // by segment, 256 entries
  std::vector<Slot> slots_;        // by value, contiguous; order changes on removal
  market::InstrumentIndex index_;  // key -> position in slots_
  // Parallel to slots_, apart so the scans per publish and per timer turn
  // read one dense array instead of touching every slot.
  std::vector<std::uint64_t> versions_;            // each row's version (bumped when it changed)
  std::vector<market::IstSeconds> timer_due_;      // CandleBuilder::timer_due() of each slot
  SignalGate gate_;
  ScannerCounters counters_;
  std::uint64_t version_ = 0;
  std::vector<std::pair<std::uint64_t, market::InstrumentKey>> removed_;  // bounded
  std::uint64_t removed_floor_ = 0;  // versions at or below this may have lost removals
  std::vector<market::Candle> closed_;  // reused buffer
};

}  // namespace fno::scan
