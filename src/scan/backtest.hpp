// backtest.hpp
//
// Runs configured strategies over stored closed 1-minute candles and scores
// every signal at a horizon. The candles go through scan::Scanner's own
// close path (Scanner::on_closed_candle), so strategies warm up, signal,
// dedupe and cool down exactly as the live scanner would on the same
// candles; nothing here re-implements a rule.
//
// Outcome of a signal on the candle starting at s, horizon N minutes: the
// close of the candle starting at s + 60·N, or, when that minute had no
// trade, the last close before it on the same day. Missing (not evaluated)
// when the session closes before s + 60·N or the next candle is on a later
// day (kSessionEnd), or the data stops before it (kDataEnd). move_pct =
// (later − price) / price × 100, negated for bearish signals, so a move in
// the signal's direction is positive; hit = move_pct > 0.
//
// CandleCollector turns ticks into the candles a live run would close (the
// same CandleBuilder and rules as the Scanner), for recordings.
//
// Pure: no I/O, clock or threads. Not thread-safe; one Backtester per thread.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "market/candle.hpp"
#include "market/candle_builder.hpp"
#include "market/tick.hpp"
#include "scan/scanner.hpp"
#include "scan/scanner_config.hpp"
#include "scan/signal.hpp"

namespace fno::scan {

struct BacktestInstrument {
  market::InstrumentKey key;
  std::string symbol;
  double tick_size = 0.05;
};

enum class OutcomeGap { kNone, kSessionEnd, kDataEnd };
// "", "session_end", "data_end"
const char* to_string(OutcomeGap gap);

struct SignalOutcome {
  Signal signal;
  std::optional<double> later_price;
  std::optional<double> move_pct;  // signed by direction
  OutcomeGap missing = OutcomeGap::kNone;

  bool evaluated() const { return move_pct.has_value(); }
  bool hit() const { return move_pct && *move_pct > 0; }
};

// Scores `signal` against `candles` (oldest first, the instrument's series).
SignalOutcome score_signal(const Signal& signal, std::span<const market::Candle> candles, int horizon_minutes,
                           const market::MarketCalendar& calendar);

// Per-strategy totals over many outcomes.
struct StrategyScore {
  std::string strategy;
  std::size_t signals = 0;
  std::size_t evaluated = 0;
  std::size_t hits = 0;
  double move_sum = 0;
  double win_sum = 0;   // moves of hits
  double loss_sum = 0;  // moves of evaluated non-hits

  void add(const SignalOutcome& outcome);
  std::optional<double> hit_rate() const;
  std::optional<double> avg_move_pct() const;
  std::optional<double> avg_win_pct() const;
  std::optional<double> avg_loss_pct() const;
};

class Backtester {
 public:
  // Throws StrategyConfigError for invalid strategy settings, including a
  // tick rule (wants_ticks), which candles cannot drive; std::invalid_argument
  // for a horizon outside [1, 1440].
  Backtester(const ScannerConfig& config, int horizon_minutes,
             const StrategyRegistry& registry = StrategyRegistry::with_builtins());

  // One instrument's closed candles, oldest first; each instrument once.
  // Returns its signals in the order the scanner raised them, scored.
  std::vector<SignalOutcome> run(const BacktestInstrument& instrument, std::span<const market::Candle> candles);

  const std::vector<ConfiguredStrategy>& strategies() const { return scanner_.strategies(); }
  const ScannerCounters& counters() const { return scanner_.counters(); }

 private:
  ScannerConfig config_;
  int horizon_minutes_;
  Scanner scanner_;
};

// Candles a live run would close from a stream of ticks, per instrument.
class CandleCollector {
 public:
  explicit CandleCollector(const ScannerConfig& config) : config_(config) {}

  void on_tick(const market::Tick& tick);
  // Closes candles whose minute + grace has passed at `now` (IST seconds).
  void on_timer(market::IstSeconds now);
  void on_feed_gap();

  // Closed candles per instrument, oldest first.
  const std::map<market::InstrumentKey, std::vector<market::Candle>>& candles() const { return candles_; }

 private:
  const market::CandleRules& rules_for(std::uint8_t segment);

  ScannerConfig config_;
  std::map<std::uint8_t, market::CandleRules> rules_;
  std::map<market::InstrumentKey, market::CandleBuilder> builders_;
  std::map<market::InstrumentKey, std::vector<market::Candle>> candles_;
  std::vector<market::Candle> closed_;  // reused buffer
};

}  // namespace fno::scan
