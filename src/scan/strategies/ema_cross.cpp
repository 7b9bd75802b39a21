// ema_cross.cpp
//
// EMA crossover: bullish when EMA(ema_short) moves from <= EMA(ema_long) to
// above it on a candle close, bearish when it moves from >= to below.
// Ignores closes below price_threshold.
#include <fmt/format.h>

#include "scan/indicators.hpp"
#include "scan/strategy.hpp"

namespace fno::scan {

namespace {

struct EmaCrossState : StrategyState {
  EmaCrossState(int ema_short, int ema_long) : fast(ema_short), slow(ema_long) {}
  Ema fast;
  Ema slow;
  std::optional<double> last_spread;  // fast - slow at the previous close
};

class EmaCrossStrategy final : public Strategy {
 public:
  explicit EmaCrossStrategy(const StrategyDefaults& d) : defaults_(d) {}

  StrategyInfo info() const override {
    using json = boost::json::value;
    return StrategyInfo{"ema_cross",
                        "EMA crossover",
                        "The fast EMA crosses the slow EMA of candle closes: bullish upwards, bearish downwards.",
                        {
                            {"ema_short", ParamType::kInt, 1, 400, json(defaults_.ema_short), "Fast EMA period"},
                            {"ema_long", ParamType::kInt, 2, 400, json(defaults_.ema_long), "Slow EMA period"},
                            {"price_threshold", ParamType::kNumber, 0, 1e7, json(defaults_.price_threshold),
                             "Minimum price"},
                        }};
  }

  void configure(const StrategyParams& p) override {
    ema_short_ = p.integer("ema_short");
    ema_long_ = p.integer("ema_long");
    price_threshold_ = p.number("price_threshold");
    if (ema_short_ >= ema_long_) {
      throw StrategyConfigError(fmt::format("strategies.ema_cross.ema_short must be less than ema_long ({}), got {}",
                                            ema_long_, ema_short_));
    }
  }

  std::size_t warmup_candles() const override { return static_cast<std::size_t>(ema_long_); }

  std::unique_ptr<StrategyState> make_state() const override {
    return std::make_unique<EmaCrossState>(ema_short_, ema_long_);
  }

  std::vector<Signal> on_candle_close(const CandleContext& ctx, StrategyState& base) const override {
    auto& s = static_cast<EmaCrossState&>(base);
    s.fast.push(ctx.candle.close);
    s.slow.push(ctx.candle.close);
    if (!s.slow.ready()) return {};
    const double fast = *s.fast.value();
    const double slow = *s.slow.value();
    const std::optional<double> before = s.last_spread;
    s.last_spread = fast - slow;
    if (ctx.historical || !before || ctx.candle.close < price_threshold_) return {};
    const bool up = *before <= 0 && fast > slow;
    const bool down = *before >= 0 && fast < slow;
    if (!up && !down) return {};

    Signal sig;
    sig.instrument = ctx.instrument.key;
    sig.strategy = "ema_cross";
    sig.kind = up ? SignalKind::kBullish : SignalKind::kBearish;
    sig.price = ctx.candle.close;
    sig.candle_time = ctx.candle.start;
    sig.time = ctx.candle.start + 60;
    sig.reason = fmt::format("EMA{} {:.2f} crossed {} EMA{} {:.2f} (close {:.2f})", ema_short_, fast,
                             up ? "above" : "below", ema_long_, slow, ctx.candle.close);
    sig.numbers = {{"ema_short", fast}, {"ema_long", slow}};
    return {sig};
  }

  void fill_snapshot(const StrategyState& base, SnapshotValues& out) const override {
    const auto& s = static_cast<const EmaCrossState&>(base);
    if (!out.ema_short) out.ema_short = s.fast.value();
    if (!out.ema_long) out.ema_long = s.slow.value();
  }

 private:
  StrategyDefaults defaults_;
  int ema_short_ = 8;
  int ema_long_ = 13;
  double price_threshold_ = 50.0;
};

}  // namespace

std::unique_ptr<Strategy> make_ema_cross_strategy(const StrategyDefaults& defaults) {
  return std::make_unique<EmaCrossStrategy>(defaults);
}

}  // namespace fno::scan
