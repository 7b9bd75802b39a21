// breakout.cpp
//
// Resistance breakout (the seed's strategy). Bullish when price crosses above
// resistance = max Typical Price of the last `lookback` closed candles
// (excluding the current one): previous price <= resistance < price. Also
// requires price >= price_threshold, EMA(ema_short) > EMA(ema_long) and
// candle volume >= volume_factor x mean volume of the lookback window. With
// `use_ltp` the cross is checked on every tick against the forming candle;
// otherwise on candle close. Without volume data (ticker feed) the volume
// condition blocks unless `allow_no_volume` is set; either way the reason
// says "no volume data".
#include <fmt/format.h>

#include <algorithm>

#include "scan/indicators.hpp"
#include "scan/strategy.hpp"

namespace fno::scan {

namespace {

struct BreakoutState : StrategyState {
  BreakoutState(int lookback, int ema_short, int ema_long)
      : typical_price(static_cast<std::size_t>(lookback)),
        volume(static_cast<std::size_t>(lookback)),
        fast(ema_short),
        slow(ema_long) {}
  RollingMax typical_price;
  RollingMean volume;
  Ema fast;
  Ema slow;
  std::optional<double> last_price;  // previous close, or previous LTP in LTP mode
};

struct Check {
  double price;
  double resistance;
  double fast;
  double slow;
  std::uint64_t volume;
  bool volume_known;
  std::optional<double> average_volume;  // nullopt when the window lacks volume data
};

class BreakoutStrategy final : public Strategy {
 public:
  explicit BreakoutStrategy(const StrategyDefaults& d) : defaults_(d) {}

  StrategyInfo info() const override {
    using json = boost::json::value;
    return StrategyInfo{
        "breakout",
        "Resistance breakout",
        "Price crosses above the highest Typical Price of the last `lookback` candles, with EMA trend and "
        "volume confirmation.",
        {
            {"lookback", ParamType::kInt, 1, 400, json(defaults_.lookback), "Candles in the resistance window"},
            {"ema_short", ParamType::kInt, 1, 400, json(defaults_.ema_short), "Fast EMA period"},
            {"ema_long", ParamType::kInt, 2, 400, json(defaults_.ema_long), "Slow EMA period"},
            {"volume_factor", ParamType::kNumber, 0, 1000, json(defaults_.volume_factor),
             "Candle volume must be at least this multiple of the average"},
            {"price_threshold", ParamType::kNumber, 0, 1e7, json(defaults_.price_threshold), "Minimum price"},
            {"use_ltp", ParamType::kBool, 0, 0, json(false), "Check the cross on every tick (LTP) instead of close"},
            {"allow_no_volume", ParamType::kBool, 0, 0, json(false),
             "Without volume data (ticker feed) skip the volume condition instead of blocking"},
        }};
  }

  void configure(const StrategyParams& p) override {
    lookback_ = p.integer("lookback");
    ema_short_ = p.integer("ema_short");
    ema_long_ = p.integer("ema_long");
    volume_factor_ = p.number("volume_factor");
    price_threshold_ = p.number("price_threshold");
    use_ltp_ = p.flag("use_ltp");
    allow_no_volume_ = p.flag("allow_no_volume");
    if (ema_short_ >= ema_long_) {
      throw StrategyConfigError(fmt::format("strategies.breakout.ema_short must be less than ema_long ({}), got {}",
                                            ema_long_, ema_short_));
    }
  }

  std::size_t warmup_candles() const override { return static_cast<std::size_t>(std::max(lookback_, ema_long_)); }

  std::unique_ptr<StrategyState> make_state() const override {
    return std::make_unique<BreakoutState>(lookback_, ema_short_, ema_long_);
  }

  bool wants_ticks() const override { return use_ltp_; }

  std::vector<Signal> on_candle_close(const CandleContext& ctx, StrategyState& base) const override {
    auto& s = static_cast<BreakoutState&>(base);
    const market::Candle& c = ctx.candle;
    s.fast.push(c.close);
    s.slow.push(c.close);
    std::vector<Signal> out;
    if (!ctx.historical && !use_ltp_) {
      if (auto check = evaluate(s, c.close, c)) out.push_back(signal(ctx.instrument, c, c.start + 60, *check));
    }
    s.typical_price.push(c.typical_price());
    c.volume_known ? s.volume.push(static_cast<double>(c.volume)) : s.volume.push_missing();
    s.last_price = c.close;
    return out;
  }

  std::vector<Signal> on_tick(const TickContext& ctx, StrategyState& base) const override {
    auto& s = static_cast<BreakoutState&>(base);
    std::vector<Signal> out;
    if (auto check = evaluate(s, ctx.tick.ltp, ctx.forming)) {
      out.push_back(signal(ctx.instrument, ctx.forming, ctx.tick.ltt, *check));
    }
    s.last_price = ctx.tick.ltp;
    return out;
  }

  void fill_snapshot(const StrategyState& base, SnapshotValues& out) const override {
    const auto& s = static_cast<const BreakoutState&>(base);
    if (s.typical_price.full()) out.resistance = s.typical_price.value();
    out.ema_short = s.fast.value();
    out.ema_long = s.slow.value();
    out.average_volume = s.volume.value();
  }

 private:
  // All conditions but the volume one are hard; nullopt when any fails.
  std::optional<Check> evaluate(const BreakoutState& s, double price, const market::Candle& candle) const {
    if (!s.typical_price.full() || !s.last_price || !s.fast.ready() || !s.slow.ready()) return std::nullopt;
    const double resistance = *s.typical_price.value();
    if (!(*s.last_price <= resistance && price > resistance)) return std::nullopt;
    if (price < price_threshold_) return std::nullopt;
    if (!(*s.fast.value() > *s.slow.value())) return std::nullopt;
    Check check{price, resistance, *s.fast.value(), *s.slow.value(), candle.volume, candle.volume_known, std::nullopt};
    const bool window_known = s.volume.missing() == 0 && s.volume.value();
    if (candle.volume_known && window_known) {
      check.average_volume = s.volume.value();
      if (static_cast<double>(candle.volume) < volume_factor_ * *check.average_volume) return std::nullopt;
    } else if (!allow_no_volume_) {
      return std::nullopt;
    }
    return check;
  }

  Signal signal(const InstrumentView& instrument, const market::Candle& candle, market::IstSeconds time,
                const Check& k) const {
    Signal sig;
    sig.instrument = instrument.key;
    sig.strategy = "breakout";
    sig.kind = SignalKind::kBullish;
    sig.price = k.price;
    sig.candle_time = candle.start;
    sig.time = time;
    std::string volume_text = "no volume data";
    if (k.average_volume) {
      const double ratio = *k.average_volume > 0 ? static_cast<double>(k.volume) / *k.average_volume : 0.0;
      volume_text = fmt::format("vol {:.1f}× avg", ratio);
      sig.numbers.emplace_back("volume", static_cast<double>(k.volume));
      sig.numbers.emplace_back("average_volume", *k.average_volume);
      sig.numbers.emplace_back("volume_ratio", ratio);
    }
    sig.reason = fmt::format("{} {:.2f} > resistance {:.2f} (TP max {}), EMA{} {:.2f} > EMA{} {:.2f}, {}",
                             use_ltp_ ? "LTP" : "close", k.price, k.resistance, lookback_, ema_short_, k.fast,
                             ema_long_, k.slow, volume_text);
    sig.numbers.emplace_back("resistance", k.resistance);
    sig.numbers.emplace_back("ema_short", k.fast);
    sig.numbers.emplace_back("ema_long", k.slow);
    return sig;
  }

  StrategyDefaults defaults_;
  int lookback_ = 50;
  int ema_short_ = 8;
  int ema_long_ = 13;
  double volume_factor_ = 0.5;
  double price_threshold_ = 50.0;
  bool use_ltp_ = false;
  bool allow_no_volume_ = false;
};

}  // namespace

std::unique_ptr<Strategy> make_breakout_strategy(const StrategyDefaults& defaults) {
  return std::make_unique<BreakoutStrategy>(defaults);
}

}  // namespace fno::scan
