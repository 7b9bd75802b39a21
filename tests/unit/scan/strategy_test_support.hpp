// Helpers for driving one configured strategy over hand-made candles.
#pragma once

#include <boost/json/parse.hpp>

#include <memory>
#include <string>
#include <vector>

#include "scan/strategy_registry.hpp"

namespace fno::scan::testing {

// 2026-11-25 09:15 IST, a Wednesday.
inline constexpr market::IstSeconds kOpen = 20782LL * 86400 + 9 * 3600 + 15 * 60;

inline market::Candle bar(int index, double open, double high, double low, double close, std::uint64_t volume,
                          bool volume_known = true) {
  market::Candle c;
  c.start = kOpen + 60 * index;
  c.open = open;
  c.high = high;
  c.low = low;
  c.close = close;
  c.volume = volume;
  c.volume_known = volume_known;
  c.ticks = 1;
  return c;
}

// One configured strategy and its state for one instrument.
class Harness {
 public:
  Harness(const std::string& id, const std::string& params_json, const StrategyDefaults& defaults = {}) {
    std::map<std::string, StrategySettings> settings;
    for (const auto& info : StrategyRegistry::with_builtins().infos(defaults)) settings[info.id].enabled = info.id == id;
    settings[id].params = boost::json::parse(params_json).as_object();
    auto configured = StrategyRegistry::with_builtins().instantiate(defaults, settings);
    strategy_ = std::move(configured.at(0).strategy);
    state_ = strategy_->make_state();
  }

  std::vector<Signal> close(const market::Candle& c, bool historical = false) {
    ++closed_;
    return strategy_->on_candle_close(CandleContext{view_, c, historical}, *state_);
  }
  std::vector<Signal> tick(const market::Tick& t, const market::Candle& forming) {
    return strategy_->on_tick(TickContext{view_, t, forming}, *state_);
  }
  const Strategy& strategy() const { return *strategy_; }

 private:
  InstrumentView view_{market::InstrumentKey{2, 1001}, "NIFTY-TEST-FUT", 0.05};
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<StrategyState> state_;
  int closed_ = 0;
};

}  // namespace fno::scan::testing
