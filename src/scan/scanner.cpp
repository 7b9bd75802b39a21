#include "scan/scanner.hpp"

#include <algorithm>

#include "scan/indicators.hpp"

namespace fno::scan {

namespace {

constexpr std::size_t kSegments = 256;
constexpr std::size_t kMaxRemovedTracked = 4096;
// The dashboard charts one NSE session of 1-minute candles (09:15-15:30).
constexpr std::size_t kChartCandles = 375;

// Closed candles kept per instrument: the chart's session plus the longest
// strategy warm-up before it, so the session's first candle is charted with
// its resistance and EMAs, and a history merge rebuilds every strategy from
// the series (Scanner::rebuild) with at least its warm-up behind it.
std::size_t series_capacity(const std::vector<ConfiguredStrategy>& strategies, int lookback) {
  std::size_t warmup = static_cast<std::size_t>(std::max(lookback, 1));
  for (const auto& s : strategies) warmup = std::max(warmup, s.strategy->warmup_candles());
  return kChartCandles + warmup;
}

}  // namespace

market::CandleRules candle_rules(const ScannerConfig& config, std::uint8_t segment) {
  const auto it = config.sessions.find(segment);
  const market::SessionHours hours = it != config.sessions.end() ? it->second : market::SessionHours{};
  return market::CandleRules{
      config.always_open ? market::MarketCalendar::always_open() : market::MarketCalendar(hours, config.holidays),
      config.timer_grace_seconds, config.flat_candles};
}

struct Scanner::Slot {
  Slot(market::InstrumentKey k, std::string s, double t, std::size_t capacity)
      : key(k), symbol(std::make_shared<const std::string>(std::move(s))), tick_size(t), series(capacity) {}

  InstrumentView view() const { return InstrumentView{key, *symbol, tick_size}; }

  market::InstrumentKey key;
  std::shared_ptr<const std::string> symbol;  // shared with published rows: replaced, never changed
  double tick_size;
  market::CandleBuilder builder;
  market::CandleSeries series;
  std::vector<std::unique_ptr<StrategyState>> states;  // parallel to strategies_
  std::size_t closed_count = 0;                        // candles fed to strategies
  std::optional<double> prev_close;
  std::optional<market::IstSeconds> first_live_minute;
  std::shared_ptr<const Signal> last_signal;  // shared with published rows
};

Scanner::Scanner(const ScannerConfig& config, const StrategyRegistry& registry)
    : config_(config),
      strategies_(registry.instantiate(config.strategy_defaults(), config.strategies)),
      series_capacity_(series_capacity(strategies_, config.lookback)),
      rules_(kSegments) {
  for (std::size_t segment = 0; segment < kSegments; ++segment) {
    rules_[segment] = candle_rules(config_, static_cast<std::uint8_t>(segment));
  }
  auto warmups = std::make_shared<std::vector<StrategyWarmup>>();
  for (const auto& s : strategies_) {
    any_tick_strategy_ = any_tick_strategy_ || s.strategy->wants_ticks();
    warmups->push_back(StrategyWarmup{s.info.id, s.strategy->warmup_candles()});
  }
  warmups_ = std::move(warmups);
}

Scanner::~Scanner() = default;

bool Scanner::add_instrument(market::InstrumentKey key, std::string symbol, double tick_size) {
  if (Slot* existing = find(key)) {
    if (*existing->symbol != symbol) existing->symbol = std::make_shared<const std::string>(std::move(symbol));
    existing->tick_size = tick_size;
    touch(*existing);
    return false;
  }
  index_.insert(key, static_cast<std::uint32_t>(slots_.size()));
  Slot& slot = slots_.emplace_back(key, std::move(symbol), tick_size, series_capacity_);
  for (const auto& s : strategies_) slot.states.push_back(s.strategy->make_state());
  versions_.push_back(0);
  timer_due_.push_back(slot.builder.timer_due(rules_for(key.segment)));
  touch(slot);
  return true;
}

bool Scanner::remove_instrument(market::InstrumentKey key) {
  const auto position = index_.erase(key);
  if (!position) return false;
  if (*position + 1 != slots_.size()) {
    slots_[*position] = std::move(slots_.back());
    versions_[*position] = versions_.back();
    timer_due_[*position] = timer_due_.back();
    index_.assign(slots_[*position].key, *position);
  }
  slots_.pop_back();
  versions_.pop_back();
  timer_due_.pop_back();
  removed_.emplace_back(++version_, key);
  if (removed_.size() > kMaxRemovedTracked) {
    removed_floor_ = removed_.front().first;
    removed_.erase(removed_.begin(), removed_.begin() + static_cast<std::ptrdiff_t>(kMaxRemovedTracked / 2));
  }
  return true;
}

std::vector<Signal> Scanner::on_tick(const market::Tick& tick) {
  std::vector<Signal> out;
  Slot* slot = find(tick.key);
  if (!slot) {
    ++counters_.unknown_instrument;
    return out;
  }
  ++counters_.ticks;
  if (tick.prev_close) slot->prev_close = tick.prev_close;
  closed_.clear();
  const market::CandleRules& rules = rules_for(tick.key.segment);
  const market::TickOutcome outcome = slot->builder.on_tick(tick, rules, closed_);
  timer_due_[position(*slot)] = slot->builder.timer_due(rules);
  for (const auto& candle : closed_) close_candle(*slot, candle, false, out);
  switch (outcome) {
    case market::TickOutcome::kOutOfOrder:
      ++counters_.out_of_order;
      return out;
    case market::TickOutcome::kDuplicate:
      ++counters_.duplicates;
      return out;
    case market::TickOutcome::kOffSession:
      ++counters_.off_session;
      break;
    case market::TickOutcome::kAccepted:
      if (!slot->first_live_minute) on_live_start(*slot, market::minute_start(tick.ltt));
      if (any_tick_strategy_) run_tick_strategies(*slot, tick, out);
      break;
  }
  touch(*slot);
  return out;
}

void Scanner::on_prev_close(market::InstrumentKey key, double prev_close) {
  if (Slot* slot = find(key)) {
    slot->prev_close = prev_close;
    touch(*slot);
  }
}

std::vector<Signal> Scanner::on_timer(market::IstSeconds now) {
  std::vector<Signal> out;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (now < timer_due_[i]) continue;
    Slot& slot = slots_[i];
    const market::CandleRules& rules = rules_for(slot.key.segment);
    closed_.clear();
    slot.builder.on_timer(now, rules, closed_);
    timer_due_[i] = slot.builder.timer_due(rules);
    for (const auto& candle : closed_) close_candle(slot, candle, false, out);
    if (!closed_.empty()) touch(slot);
  }
  return out;
}

void Scanner::on_feed_gap() {
  for (auto& slot : slots_) slot.builder.mark_gap();
}

void Scanner::on_history(market::InstrumentKey key, std::span<const market::Candle> candles) {
  Slot* slot = find(key);
  if (!slot || candles.empty()) return;
  std::vector<market::Candle> accepted;
  for (const auto& c : candles) {
    const bool live_has_it = slot->first_live_minute && c.start >= *slot->first_live_minute;
    if (live_has_it) {
      ++counters_.history_overlap;
    } else {
      accepted.push_back(c);
    }
  }
  if (accepted.empty()) return;
  counters_.history_candles += accepted.size();
  std::sort(accepted.begin(), accepted.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  const bool appends = slot->series.empty() || accepted.front().start > slot->series.back().start;
  if (appends) {
    std::vector<Signal> none;
    for (const auto& c : accepted) close_candle(*slot, c, true, none);
  } else {
    for (std::size_t i = 0; i < slot->series.size(); ++i) accepted.push_back(slot->series[i]);
    rebuild(*slot, std::move(accepted));
  }
  touch(*slot);
}

void Scanner::on_history_candle(market::InstrumentKey key, const market::Candle& candle) {
  on_history(key, std::span<const market::Candle>(&candle, 1));
}

std::vector<Signal> Scanner::on_closed_candle(market::InstrumentKey key, const market::Candle& candle) {
  std::vector<Signal> out;
  Slot* slot = find(key);
  if (!slot) {
    ++counters_.unknown_instrument;
    return out;
  }
  if (!slot->series.empty() && candle.start <= slot->series.back().start) {
    ++counters_.out_of_order;
    return out;
  }
  close_candle(*slot, candle, false, out);
  touch(*slot);
  return out;
}

std::size_t Scanner::position(const Slot& slot) const { return static_cast<std::size_t>(&slot - slots_.data()); }

void Scanner::touch(const Slot& slot) { versions_[position(slot)] = ++version_; }

Scanner::Slot* Scanner::find(market::InstrumentKey key) {
  const auto position = index_.find(key);
  return position ? &slots_[*position] : nullptr;
}

const Scanner::Slot* Scanner::find(market::InstrumentKey key) const {
  const auto position = index_.find(key);
  return position ? &slots_[*position] : nullptr;
}

const market::CandleRules& Scanner::rules_for(std::uint8_t segment) const { return rules_[segment]; }

void Scanner::close_candle(Slot& slot, const market::Candle& candle, bool historical, std::vector<Signal>& out) {
  slot.series.push(candle);
  // Indicators see exactly what the series stores, so charts recomputed from it agree.
  const market::Candle stored = slot.series.back();
  ++slot.closed_count;
  if (!historical) ++counters_.candles_closed;
  const InstrumentView view = slot.view();
  const CandleContext ctx{view, stored, historical || stored.partial};
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    std::vector<Signal> signals = strategies_[i].strategy->on_candle_close(ctx, *slot.states[i]);
    if (!signals.empty()) emit(slot, i, signals, out);
  }
}

void Scanner::run_tick_strategies(Slot& slot, const market::Tick& tick, std::vector<Signal>& out) {
  const auto& forming = slot.builder.forming();
  if (!forming || forming->partial) return;
  const InstrumentView view = slot.view();
  const TickContext ctx{view, tick, *forming};
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    if (!strategies_[i].strategy->wants_ticks()) continue;
    std::vector<Signal> signals = strategies_[i].strategy->on_tick(ctx, *slot.states[i]);
    if (!signals.empty()) emit(slot, i, signals, out);
  }
}

void Scanner::emit(Slot& slot, std::size_t strategy, std::vector<Signal>& signals, std::vector<Signal>& out) {
  const ConfiguredStrategy& s = strategies_[strategy];
  for (auto& signal : signals) {
    if (!gate_.admit(signal, s.cooldown_seconds)) {
      ++counters_.signals_suppressed;
      continue;
    }
    ++counters_.signals_by_strategy[s.info.id];
    slot.last_signal = std::make_shared<const Signal>(signal);
    out.push_back(std::move(signal));
  }
}

void Scanner::rebuild(Slot& slot, std::vector<market::Candle> candles) {
  std::stable_sort(candles.begin(), candles.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  candles.erase(std::unique(candles.begin(), candles.end(),
                            [](const auto& a, const auto& b) { return a.start == b.start; }),
                candles.end());
  slot.series.clear();
  slot.closed_count = 0;
  for (std::size_t i = 0; i < strategies_.size(); ++i) slot.states[i] = strategies_[i].strategy->make_state();
  // Every candle, not just the ones the series keeps: strategies and readiness
  // must end where an in-order replay of the same candles ends.
  std::vector<Signal> none;
  for (const auto& c : candles) close_candle(slot, c, true, none);
}

void Scanner::on_live_start(Slot& slot, market::IstSeconds minute) {
  slot.first_live_minute = minute;
  if (slot.series.empty() || slot.series.back().start < minute) return;
  // History reached into the minutes live now builds: live wins, history's copy goes.
  std::vector<market::Candle> kept;
  for (std::size_t i = 0; i < slot.series.size(); ++i) {
    const market::Candle c = slot.series[i];
    if (c.start < minute) {
      kept.push_back(c);
    } else {
      ++counters_.history_overlap;
    }
  }
  rebuild(slot, std::move(kept));
}

DeltaRow Scanner::delta_row(const Slot& slot) const {
  DeltaRow r;
  r.key = slot.key;
  r.symbol = slot.symbol;
  r.version = versions_[position(slot)];
  r.ltp = slot.builder.ltp();
  r.prev_close = slot.prev_close;
  if (r.ltp && r.prev_close && *r.prev_close > 0) r.change_pct = (*r.ltp - *r.prev_close) / *r.prev_close * 100.0;
  r.day_volume = slot.builder.day_volume();
  r.open_interest = slot.builder.open_interest();
  SnapshotValues values;
  for (std::size_t i = 0; i < strategies_.size(); ++i) strategies_[i].strategy->fill_snapshot(*slot.states[i], values);
  r.resistance = values.resistance;
  r.ema_short = values.ema_short;
  r.ema_long = values.ema_long;
  r.average_volume = values.average_volume;
  if (r.resistance && r.ltp && *r.ltp > 0) r.distance_to_breakout_pct = (*r.resistance - *r.ltp) / *r.ltp * 100.0;
  if (!slot.series.empty()) r.last_candle = slot.series.back().start;
  r.closed_candles = slot.closed_count;
  r.warmups = warmups_;
  r.last_signal = slot.last_signal;
  return r;
}

std::vector<SnapshotRow> Scanner::snapshot() const {
  std::vector<SnapshotRow> rows;
  rows.reserve(slots_.size());
  for (const auto& slot : slots_) rows.push_back(delta_row(slot).row());
  return rows;
}

std::optional<SnapshotRow> Scanner::snapshot(market::InstrumentKey key) const {
  const Slot* slot = find(key);
  if (!slot) return std::nullopt;
  return delta_row(*slot).row();
}

SnapshotDelta Scanner::changes_since(std::uint64_t version) const {
  SnapshotDelta delta;
  delta.version = version_;
  delta.full = version == 0 || version < removed_floor_;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (delta.full || versions_[i] > version) delta.rows.push_back(delta_row(slots_[i]));
  }
  if (!delta.full) {
    for (const auto& [v, key] : removed_) {
      if (v > version) delta.removed.push_back(key);
    }
  }
  return delta;
}

std::optional<ChartSeries> Scanner::candles(market::InstrumentKey key) const {
  const Slot* slot = find(key);
  if (!slot) return std::nullopt;
  ChartSeries chart;
  RollingMax typical_price(static_cast<std::size_t>(std::max(config_.lookback, 1)));
  Ema fast(config_.ema_short);
  Ema slow(config_.ema_long);
  for (std::size_t i = 0; i < slot->series.size(); ++i) {
    const market::Candle c = slot->series[i];
    chart.resistance.push_back(typical_price.full() ? typical_price.value() : std::nullopt);
    typical_price.push(c.typical_price());
    fast.push(c.close);
    slow.push(c.close);
    chart.ema_short.push_back(fast.value());
    chart.ema_long.push_back(slow.value());
    chart.candles.push_back(c);
  }
  return chart;
}

}  // namespace fno::scan
