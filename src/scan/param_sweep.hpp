// param_sweep.hpp
//
// A backtest's `--param KEY=V1[,V2...]` arguments: parsed into axes, expanded
// into runs (the cartesian product, capped), and applied to the strategy
// settings of one run. KEY is a parameter name, applied to every selected
// strategy whose schema has it, or STRATEGY.KEY for one strategy. Values are
// integers, numbers or true/false; whether they are allowed is decided by
// the strategy schemas (StrategyParams::validate), so errors name the
// strategy, key, value and range exactly as config.json's do.
// Pure value code.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scan/strategy_registry.hpp"

namespace fno::scan {

inline constexpr std::size_t kMaxSweepRuns = 256;

struct ParamAxis {
  std::string name;  // as given: "lookback" or "breakout.lookback"
  std::vector<boost::json::value> values;
};

// One run: a value per axis, in axis order.
using ParamCombo = std::vector<std::pair<std::string, boost::json::value>>;

// "lookback=20,50" -> {"lookback", [20, 50]}. Throws std::invalid_argument.
ParamAxis parse_param_axis(std::string_view text);

// Every combination, the first axis varying slowest; one empty combo when
// there are no axes. Throws std::invalid_argument when a name repeats or
// the product exceeds `max_runs`.
std::vector<ParamCombo> expand_sweep(const std::vector<ParamAxis>& axes, std::size_t max_runs = kMaxSweepRuns);

// {"lookback": 20, ...} for reports.
boost::json::object to_json(const ParamCombo& combo);

// The strategy settings of one run: only `selected` enabled, each with its
// `base` params (config.json) overridden by the combo. Throws
// StrategyConfigError for an unknown strategy id, or a key no selected
// strategy has (values are checked later, by instantiate()).
std::map<std::string, StrategySettings> sweep_settings(const StrategyRegistry& registry,
                                                       const StrategyDefaults& defaults,
                                                       const std::map<std::string, StrategySettings>& base,
                                                       const std::vector<std::string>& selected,
                                                       const ParamCombo& combo);

}  // namespace fno::scan
