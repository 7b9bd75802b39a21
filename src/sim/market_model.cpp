#include "sim/market_model.hpp"

#include <algorithm>
#include <cmath>

namespace fno::sim {

namespace {

constexpr double kMinuteVolatility = 0.0015;  // log-return stdev per minute
constexpr double kDailyVolatility = 0.015;
constexpr std::uint64_t kIdSalt = 0x9E3779B97F4A7C15ull;

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double normal(std::mt19937_64& rng) {
  // Box-Muller: std::normal_distribution is not reproducible across library versions.
  const double u1 = std::max(uniform01(rng), 1e-12);
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// How one bar of a backward history walk varies.
struct BarShape {
  double volatility;    // log-return stdev from open to close
  double range;         // high/low reach at most this fraction beyond open/close
  double volume_scale;  // volume is 0.5-1.5 x this
};

// Fills one bar of a walk that runs backwards in time: it closes at `close`
// (the next bar's open) and opens a random step away; `round` snaps prices to
// the tick. Draws from `rng` in a fixed order, so history is reproducible.
template <class Bar, class Round>
void walk_back(Bar& bar, double close, std::mt19937_64& rng, const BarShape& shape, Round round) {
  bar.close = close;
  bar.open = round(close * std::exp(-shape.volatility * normal(rng)));
  bar.high = round(std::max(bar.open, bar.close) * (1.0 + shape.range * uniform01(rng)));
  bar.low = round(std::min(bar.open, bar.close) * (1.0 - shape.range * uniform01(rng)));
  bar.volume = static_cast<std::uint64_t>(shape.volume_scale * (0.5 + uniform01(rng)));
}

double initial_price(const SimInstrument& inst, std::uint64_t seed) {
  std::mt19937_64 rng(mix64(seed ^ (inst.key.security_id * kIdSalt)));
  const bool index = inst.instrument == "FUTIDX";
  const double lo = index ? 9000.0 : 80.0, hi = index ? 60000.0 : 5000.0;
  return lo * std::exp(uniform01(rng) * std::log(hi / lo));
}

// Previous session minute strictly before `t` (a minute start), per `calendar`.
market::IstSeconds previous_session_minute(market::IstSeconds t, const market::MarketCalendar& calendar) {
  const auto& hours = calendar.hours();
  t -= 60;
  for (int guard = 0; guard < 30; ++guard) {
    const market::IstSeconds day = market::day_start(t);
    const int sod = market::seconds_of_day(t);
    if (!calendar.is_trading_day(t) || sod < hours.open) {
      t = day - 60;  // 23:59 of the previous day
      continue;
    }
    if (sod >= hours.close) t = day + hours.close - 60;
    return t;
  }
  return t;
}

}  // namespace

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

MarketModel::MarketModel(std::vector<SimInstrument> universe, ModelOptions options, market::IstSeconds live_start)
    : instruments_(std::move(universe)), options_(options), live_start_(live_start) {
  const std::size_t n = instruments_.size();
  states_.resize(n);
  base_price_.resize(n);
  tick_credit_.resize(n);
  pushes_.resize(n);
  live_.resize(n);
  rngs_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& inst = instruments_[i];
    index_[inst.key] = i;
    rngs_.emplace_back(mix64(options_.seed ^ mix64(inst.key.security_id) ^ static_cast<std::uint64_t>(live_start)));
    base_price_[i] = round_to_tick(i, initial_price(inst, options_.seed));
    InstrumentState& s = states_[i];
    s.ltp = s.open = s.high = s.low = base_price_[i];
    s.prev_close = round_to_tick(i, base_price_[i] * (1.0 + 0.01 * normal(rngs_[i])));
    s.open_interest = static_cast<std::uint32_t>(inst.lot_size) * (1000 + static_cast<std::uint32_t>(rngs_[i]() % 20000));
    s.prev_oi = s.open_interest;
    s.ltt = dhan::ist_to_ltt(live_start);
    tick_credit_[i] = uniform01(rngs_[i]);  // staggers instruments within a second
  }
}

std::optional<std::size_t> MarketModel::index_of(market::InstrumentKey key) const {
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

double MarketModel::round_to_tick(std::size_t i, double price) const {
  const double tick = instruments_[i].tick_size;
  return std::max(tick, std::round(price / tick) * tick);
}

void MarketModel::advance(market::IstSeconds now, double dt_seconds, std::vector<std::size_t>& traded) {
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    tick_credit_[i] += options_.ticks_per_second * dt_seconds;
    bool any = false;
    std::uint64_t volume = 0;
    while (tick_credit_[i] >= 1.0) {
      tick_credit_[i] -= 1.0;
      double drift = 0;
      if (auto& push = pushes_[i]) {
        const double trades_left = std::max(1.0, push->seconds_left * options_.ticks_per_second);
        drift = std::log(push->target / states_[i].ltp) / trades_left;
      }
      volume += trade(i, now, rngs_[i], drift);
      any = true;
    }
    // One packet per traded instrument carries this step's last trade: the
    // candle holds what a client sees (its high and low, not the trades between).
    if (any) record_candle(i, now, states_[i].ltp, volume);
    if (auto& push = pushes_[i]) {
      push->seconds_left -= dt_seconds;
      if (push->seconds_left <= 0) push.reset();
    }
    if (any) traded.push_back(i);
  }
}

std::uint64_t MarketModel::trade(std::size_t i, market::IstSeconds now, std::mt19937_64& rng, double drift) {
  InstrumentState& s = states_[i];
  const double sigma = kMinuteVolatility / std::sqrt(60.0 * std::max(options_.ticks_per_second, 0.01));
  const double noise = pushes_[i] ? 0.2 : 1.0;  // scripted moves stay on course
  s.ltp = round_to_tick(i, s.ltp * std::exp(drift + noise * sigma * normal(rng)));
  const double multiplier = pushes_[i] ? pushes_[i]->volume_multiplier : 1.0;
  const auto lots = static_cast<std::uint64_t>(std::lround((1 + rng() % 5) * multiplier));
  const std::uint64_t qty = lots * static_cast<std::uint64_t>(instruments_[i].lot_size);
  s.ltq = static_cast<std::uint16_t>(std::min<std::uint64_t>(qty, UINT16_MAX));
  s.day_volume += qty;
  s.turnover += s.ltp * static_cast<double>(qty);
  s.high = std::max(s.high, s.ltp);
  s.low = std::min(s.low, s.ltp);
  s.ltt = dhan::ist_to_ltt(now);
  if (rng() % 8 == 0) {
    const auto lot = static_cast<std::uint32_t>(instruments_[i].lot_size);
    s.open_interest = (rng() % 2 == 0 || s.open_interest <= lot) ? s.open_interest + lot : s.open_interest - lot;
  }
  return qty;
}

void MarketModel::close_candles(market::IstSeconds now) {
  for (Live& live : live_) close_candle(live, market::minute_start(now));
}

void MarketModel::close_candle(Live& live, market::IstSeconds minute) {
  if (!live.current || live.current->start == minute) return;
  live.closed.push_back(*live.current);
  if (live.closed.size() > options_.recent_candles) live.closed.pop_front();
  live.current.reset();
}

void MarketModel::record_candle(std::size_t i, market::IstSeconds now, double price, std::uint64_t qty) {
  Live& live = live_[i];
  const market::IstSeconds minute = market::minute_start(now);
  close_candle(live, minute);
  if (!live.current) {
    live.current = MinuteCandle{minute, price, price, price, price, 0};
  }
  MinuteCandle& c = *live.current;
  c.high = std::max(c.high, price);
  c.low = std::min(c.low, price);
  c.close = price;
  c.volume += qty;
}

void MarketModel::push(std::size_t i, double target, double volume_multiplier, double seconds) {
  pushes_[i] = Push{target, volume_multiplier, std::max(seconds, 1.0)};
}

std::vector<MinuteCandle> MarketModel::minute_history(std::size_t i, market::IstSeconds from, market::IstSeconds to,
                                                      const market::MarketCalendar& calendar) const {
  // Walk backwards from the live start so every request sees the same candles.
  std::vector<MinuteCandle> out;
  const auto& inst = instruments_[i];
  const double volume_scale = 60.0 * options_.ticks_per_second * 3.0 * inst.lot_size;
  double close = base_price_[i];
  for (market::IstSeconds t = previous_session_minute(market::minute_start(live_start_), calendar); t >= from;
       t = previous_session_minute(t, calendar)) {
    std::mt19937_64 rng(mix64(options_.seed ^ (inst.key.security_id * kIdSalt) ^ static_cast<std::uint64_t>(t)));
    MinuteCandle c;
    c.start = t;
    walk_back(c, close, rng, {kMinuteVolatility, 0.0008, volume_scale}, [&](double p) { return round_to_tick(i, p); });
    if (t < to) out.push_back(c);
    close = c.open;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<DailyCandle> MarketModel::daily_history(std::size_t i, market::IstSeconds from, market::IstSeconds to,
                                                    const market::MarketCalendar& calendar) const {
  std::vector<DailyCandle> out;
  const auto& inst = instruments_[i];
  const double session_minutes = (calendar.hours().close - calendar.hours().open) / 60.0;
  const double volume_scale = session_minutes * 60.0 * options_.ticks_per_second * 3.0 * inst.lot_size;
  double close = states_[i].prev_close;
  for (market::IstSeconds day = market::day_start(live_start_) - market::kSecondsPerDay; day >= from;
       day -= market::kSecondsPerDay) {
    if (!calendar.is_trading_day(day)) continue;
    std::mt19937_64 rng(mix64(options_.seed ^ (inst.key.security_id * kIdSalt) ^ static_cast<std::uint64_t>(day) ^ 1));
    DailyCandle c;
    c.day = day;
    walk_back(c, close, rng, {kDailyVolatility, 0.008, volume_scale}, [&](double p) { return round_to_tick(i, p); });
    if (day < to) out.push_back(c);
    close = c.open;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<MinuteCandle> MarketModel::recent_candles(std::size_t i, std::size_t count,
                                                      const market::MarketCalendar& calendar) const {
  const auto& closed = live_[i].closed;
  std::vector<MinuteCandle> out;
  if (closed.size() < count) {
    // Enough history to fill the window: 2 sessions always suffice for <= 750 candles.
    auto history = minute_history(i, market::day_start(live_start_) - 7 * market::kSecondsPerDay, live_start_, calendar);
    const std::size_t need = std::min(history.size(), count - closed.size());
    out.assign(history.end() - static_cast<std::ptrdiff_t>(need), history.end());
  }
  const std::size_t take = std::min(count, closed.size());
  out.insert(out.end(), closed.end() - static_cast<std::ptrdiff_t>(take), closed.end());
  return out;
}

dhan::Packet MarketModel::ticker_packet(std::size_t i) const {
  const auto& s = states_[i];
  const auto& key = instruments_[i].key;
  return {dhan::ResponseCode::kTicker, static_cast<dhan::Segment>(key.segment), key.security_id,
          dhan::TickerBody{static_cast<float>(s.ltp), s.ltt}};
}

dhan::Packet MarketModel::quote_packet(std::size_t i) const {
  const auto& s = states_[i];
  const auto& key = instruments_[i].key;
  dhan::QuoteBody q;
  q.ltp = static_cast<float>(s.ltp);
  q.ltq = s.ltq;
  q.ltt = s.ltt;
  q.atp = static_cast<float>(s.day_volume ? s.turnover / static_cast<double>(s.day_volume) : s.ltp);
  q.volume = static_cast<std::uint32_t>(s.day_volume);
  q.total_sell_qty = static_cast<std::uint32_t>(s.open_interest / 7);
  q.total_buy_qty = static_cast<std::uint32_t>(s.open_interest / 6);
  q.open = static_cast<float>(s.open);
  q.close = static_cast<float>(s.prev_close);
  q.high = static_cast<float>(s.high);
  q.low = static_cast<float>(s.low);
  return {dhan::ResponseCode::kQuote, static_cast<dhan::Segment>(key.segment), key.security_id, q};
}

dhan::Packet MarketModel::oi_packet(std::size_t i) const {
  const auto& key = instruments_[i].key;
  return {dhan::ResponseCode::kOi, static_cast<dhan::Segment>(key.segment), key.security_id,
          dhan::OiBody{states_[i].open_interest}};
}

dhan::Packet MarketModel::prev_close_packet(std::size_t i) const {
  const auto& key = instruments_[i].key;
  return {dhan::ResponseCode::kPrevClose, static_cast<dhan::Segment>(key.segment), key.security_id,
          dhan::PrevCloseBody{static_cast<float>(states_[i].prev_close), states_[i].prev_oi}};
}

dhan::Packet MarketModel::full_packet(std::size_t i) const {
  const auto quote = std::get<dhan::QuoteBody>(quote_packet(i).body);
  const auto& s = states_[i];
  const double tick = instruments_[i].tick_size;
  dhan::FullBody f;
  f.ltp = quote.ltp;
  f.ltq = quote.ltq;
  f.ltt = quote.ltt;
  f.atp = quote.atp;
  f.volume = quote.volume;
  f.total_sell_qty = quote.total_sell_qty;
  f.total_buy_qty = quote.total_buy_qty;
  f.open_interest = s.open_interest;
  f.oi_day_high = std::max(s.open_interest, s.prev_oi);
  f.oi_day_low = std::min(s.open_interest, s.prev_oi);
  f.open = quote.open;
  f.close = quote.close;
  f.high = quote.high;
  f.low = quote.low;
  for (std::size_t level = 0; level < dhan::kDepthLevels; ++level) {
    const double step = tick * static_cast<double>(level + 1);
    const auto qty = static_cast<std::uint32_t>(instruments_[i].lot_size * static_cast<int>(level + 1));
    f.depth[level] = {qty, qty, static_cast<std::uint16_t>(level + 1), static_cast<std::uint16_t>(level + 1),
                      static_cast<float>(s.ltp - step), static_cast<float>(s.ltp + step)};
  }
  const auto& key = instruments_[i].key;
  return {dhan::ResponseCode::kFull, static_cast<dhan::Segment>(key.segment), key.security_id, f};
}

bool crossed_before(const std::vector<MinuteCandle>& closed, double margin) {
  if (closed.empty()) return false;
  double resistance = 0;
  for (const auto& c : closed) resistance = std::max(resistance, (c.high + c.low + c.close) / 3.0);
  return closed.back().close > resistance * (1 - margin);
}

}  // namespace fno::sim
