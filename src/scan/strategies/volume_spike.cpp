// volume_spike.cpp
//
// Volume spike: a closed candle's volume is at least `factor` x the mean
// volume of the previous `lookback` candles. Direction follows the candle
// (close >= open: bullish). Needs volume data: silent on a ticker feed.
#include <fmt/format.h>

#include "scan/indicators.hpp"
#include "scan/strategy.hpp"

namespace fno::scan {

namespace {

constexpr double kDefaultFactor = 3.0;

struct VolumeSpikeState : StrategyState {
  explicit VolumeSpikeState(int lookback) : volume(static_cast<std::size_t>(lookback)) {}
  RollingMean volume;
};

class VolumeSpikeStrategy final : public Strategy {
 public:
  explicit VolumeSpikeStrategy(const StrategyDefaults& d) : defaults_(d) {}

  StrategyInfo info() const override {
    using json = boost::json::value;
    return StrategyInfo{"volume_spike",
                        "Volume spike",
                        "A candle trades at least `factor` times the average volume of the previous `lookback` "
                        "candles.",
                        {
                            {"lookback", ParamType::kInt, 1, 400, json(defaults_.lookback), "Candles in the average"},
                            {"factor", ParamType::kNumber, 1, 1000, json(kDefaultFactor),
                             "Candle volume must be at least this multiple of the average"},
                            {"price_threshold", ParamType::kNumber, 0, 1e7, json(defaults_.price_threshold),
                             "Minimum price"},
                        }};
  }

  void configure(const StrategyParams& p) override {
    lookback_ = p.integer("lookback");
    factor_ = p.number("factor");
    price_threshold_ = p.number("price_threshold");
  }

  std::size_t warmup_candles() const override { return static_cast<std::size_t>(lookback_); }

  std::unique_ptr<StrategyState> make_state() const override { return std::make_unique<VolumeSpikeState>(lookback_); }

  std::vector<Signal> on_candle_close(const CandleContext& ctx, StrategyState& base) const override {
    auto& s = static_cast<VolumeSpikeState&>(base);
    const market::Candle& c = ctx.candle;
    std::vector<Signal> out;
    const std::optional<double> average = s.volume.value();
    const bool comparable = c.volume_known && s.volume.full() && s.volume.missing() == 0 && average && *average > 0;
    if (!ctx.historical && comparable && c.close >= price_threshold_ &&
        static_cast<double>(c.volume) >= factor_ * *average) {
      const double ratio = static_cast<double>(c.volume) / *average;
      Signal sig;
      sig.instrument = ctx.instrument.key;
      sig.strategy = "volume_spike";
      sig.kind = c.close >= c.open ? SignalKind::kBullish : SignalKind::kBearish;
      sig.price = c.close;
      sig.candle_time = c.start;
      sig.time = c.start + 60;
      sig.reason = fmt::format("vol {} = {:.1f}× avg {:.0f} ({} candles), close {:.2f} {} open {:.2f}", c.volume,
                               ratio, *average, lookback_, c.close, c.close >= c.open ? ">=" : "<", c.open);
      sig.numbers = {{"volume", static_cast<double>(c.volume)}, {"average_volume", *average}, {"volume_ratio", ratio}};
      out.push_back(std::move(sig));
    }
    c.volume_known ? s.volume.push(static_cast<double>(c.volume)) : s.volume.push_missing();
    return out;
  }

  void fill_snapshot(const StrategyState& base, SnapshotValues& out) const override {
    if (!out.average_volume) out.average_volume = static_cast<const VolumeSpikeState&>(base).volume.value();
  }

 private:
  StrategyDefaults defaults_;
  int lookback_ = 50;
  double factor_ = kDefaultFactor;
  double price_threshold_ = 50.0;
};

}  // namespace

std::unique_ptr<Strategy> make_volume_spike_strategy(const StrategyDefaults& defaults) {
  return std::make_unique<VolumeSpikeStrategy>(defaults);
}

}  // namespace fno::scan
