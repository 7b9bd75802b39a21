#include "scan/backtest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace fno::scan {

namespace {

constexpr int kMaxHorizonMinutes = 1440;

std::optional<double> mean(double sum, std::size_t n) {
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

}  // namespace

const char* to_string(OutcomeGap gap) {
  switch (gap) {
    case OutcomeGap::kNone:
      return "";
    case OutcomeGap::kSessionEnd:
      return "session_end";
    case OutcomeGap::kDataEnd:
      return "data_end";
  }
  return "";
}

SignalOutcome score_signal(const Signal& signal, std::span<const market::Candle> candles, int horizon_minutes,
                           const market::MarketCalendar& calendar) {
  SignalOutcome out{signal, std::nullopt, std::nullopt, OutcomeGap::kNone};
  const market::IstSeconds target = signal.candle_time + std::int64_t{60} * horizon_minutes;
  if (target >= calendar.next_close(signal.candle_time)) {
    out.missing = OutcomeGap::kSessionEnd;
    return out;
  }
  const auto later = std::lower_bound(candles.begin(), candles.end(), target,
                                      [](const market::Candle& c, market::IstSeconds t) { return c.start < t; });
  if (later == candles.end()) {
    out.missing = OutcomeGap::kDataEnd;
    return out;
  }
  // No trade in the target minute: the price then was the last close before it.
  const market::Candle& at = later->start == target || later == candles.begin() ? *later : *(later - 1);
  out.later_price = at.close;
  if (signal.price > 0) {
    const double move = (at.close - signal.price) / signal.price * 100.0;
    out.move_pct = signal.kind == SignalKind::kBullish ? move : -move;
  }
  return out;
}

void StrategyScore::add(const SignalOutcome& outcome) {
  ++signals;
  if (!outcome.evaluated()) return;
  ++evaluated;
  move_sum += *outcome.move_pct;
  if (outcome.hit()) {
    ++hits;
    win_sum += *outcome.move_pct;
  } else {
    loss_sum += *outcome.move_pct;
  }
}

std::optional<double> StrategyScore::hit_rate() const {
  if (evaluated == 0) return std::nullopt;
  return static_cast<double>(hits) / static_cast<double>(evaluated);
}
std::optional<double> StrategyScore::avg_move_pct() const { return mean(move_sum, evaluated); }
std::optional<double> StrategyScore::avg_win_pct() const { return mean(win_sum, hits); }
std::optional<double> StrategyScore::avg_loss_pct() const { return mean(loss_sum, evaluated - hits); }

Backtester::Backtester(const ScannerConfig& config, int horizon_minutes, const StrategyRegistry& registry)
    : config_(config), horizon_minutes_(horizon_minutes), scanner_(config, registry) {
  if (horizon_minutes < 1 || horizon_minutes > kMaxHorizonMinutes) {
    throw std::invalid_argument(
        fmt::format("horizon must be 1..{} minutes, got {}", kMaxHorizonMinutes, horizon_minutes));
  }
  for (const auto& s : scanner_.strategies()) {
    if (s.strategy->wants_ticks()) {
      throw StrategyConfigError(fmt::format(
          "strategies.{}: this configuration checks every tick (use_ltp), which 1-minute candles cannot replay",
          s.info.id));
    }
  }
}

std::vector<SignalOutcome> Backtester::run(const BacktestInstrument& instrument,
                                           std::span<const market::Candle> candles) {
  scanner_.add_instrument(instrument.key, instrument.symbol, instrument.tick_size);
  const market::MarketCalendar calendar = candle_rules(config_, instrument.key.segment).calendar;
  std::vector<SignalOutcome> out;
  for (const auto& candle : candles) {
    for (const auto& signal : scanner_.on_closed_candle(instrument.key, candle)) {
      out.push_back(score_signal(signal, candles, horizon_minutes_, calendar));
    }
  }
  scanner_.remove_instrument(instrument.key);
  return out;
}

const market::CandleRules& CandleCollector::rules_for(std::uint8_t segment) {
  auto it = rules_.find(segment);
  if (it == rules_.end()) it = rules_.emplace(segment, candle_rules(config_, segment)).first;
  return it->second;
}

void CandleCollector::on_tick(const market::Tick& tick) {
  closed_.clear();
  builders_[tick.key].on_tick(tick, rules_for(tick.key.segment), closed_);
  auto& series = candles_[tick.key];
  series.insert(series.end(), closed_.begin(), closed_.end());
}

void CandleCollector::on_timer(market::IstSeconds now) {
  for (auto& [key, b] : builders_) {
    closed_.clear();
    b.on_timer(now, rules_for(key.segment), closed_);
    auto& series = candles_[key];
    series.insert(series.end(), closed_.begin(), closed_.end());
  }
}

void CandleCollector::on_feed_gap() {
  for (auto& [key, b] : builders_) b.mark_gap();
}

}  // namespace fno::scan
