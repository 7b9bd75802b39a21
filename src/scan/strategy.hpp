// strategy.hpp
//
// The Strategy interface and its parameter schema. A strategy is a pure rule
// over one instrument's closed candles (and optionally its ticks): it keeps
// per-instrument state in a StrategyState it creates, and returns Signals.
// It does no I/O, reads no clock, and never sees other instruments. The
// Scanner owns instances, feeds them in time order, dedupes and applies the
// cooldown; strategies only say "this candle qualifies, because ...".
//
// Parameters are declared as a schema (ParamSpec: type, range, default) so
// the dashboard can render settings forms and config validation names the
// offending key. Instances are configured once, before any state is made,
// and are then read-only (on_* are const), so one instance serves all
// instruments. Not thread-safe beyond that; owned by the engine thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "market/candle.hpp"
#include "market/instrument_key.hpp"
#include "market/tick.hpp"
#include "scan/signal.hpp"

namespace fno::scan {

// Invalid strategy configuration; what() names strategies.<id>.<key>, the value and what is allowed.
class StrategyConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ParamType { kInt, kNumber, kBool };

struct ParamSpec {
  std::string key;
  ParamType type = ParamType::kNumber;
  double min = 0.0;  // inclusive range for kInt/kNumber
  double max = 0.0;
  boost::json::value default_value;
  std::string description;
};

struct StrategyInfo {
  std::string id;  // registry id and config key: strategies.<id>
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
};

// {"id", "name", "description", "params": [{"key", "type", "min", "max", "default", "description"}]}
boost::json::object to_json(const StrategyInfo& info);

// A complete, validated parameter set: every schema key present and in range.
class StrategyParams {
 public:
  // Throws StrategyConfigError for unknown keys, wrong types and out-of-range values.
  static StrategyParams validate(const StrategyInfo& info, const boost::json::object& given);

  int integer(std::string_view key) const;
  double number(std::string_view key) const;
  bool flag(std::string_view key) const;
  const boost::json::object& values() const { return values_; }

 private:
  boost::json::object values_;
};

// The seed's top-level config keys: defaults for the built-in strategies.
struct StrategyDefaults {
  int lookback = 50;
  int ema_short = 8;
  int ema_long = 13;
  double volume_factor = 0.5;
  double price_threshold = 50.0;
};

struct InstrumentView {
  market::InstrumentKey key;
  std::string_view symbol;
  double tick_size = 0.05;
};

// Per-instrument state a strategy keeps between calls; strategies downcast their own.
class StrategyState {
 public:
  virtual ~StrategyState() = default;
};

// Figures a strategy exposes for the dashboard row (fill what you have).
struct SnapshotValues {
  std::optional<double> resistance;
  std::optional<double> ema_short;
  std::optional<double> ema_long;
  std::optional<double> average_volume;
};

struct CandleContext {
  const InstrumentView& instrument;
  const market::Candle& candle;
  bool historical = false;  // warm-up: update state, return no signals
};

struct TickContext {
  const InstrumentView& instrument;
  const market::Tick& tick;
  const market::Candle& forming;  // the candle this tick went into (already updated)
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Schema with defaults taken from the StrategyDefaults the factory got.
  virtual StrategyInfo info() const = 0;
  // Called once with validated params; throws StrategyConfigError for
  // cross-parameter problems (e.g. ema_short >= ema_long).
  virtual void configure(const StrategyParams& params) = 0;
  // Closed candles needed before the next one can signal ("warming up" until then).
  virtual std::size_t warmup_candles() const = 0;
  virtual std::unique_ptr<StrategyState> make_state() const = 0;

  virtual std::vector<Signal> on_candle_close(const CandleContext& ctx, StrategyState& state) const = 0;
  // Only called when wants_ticks(); for intra-candle rules (e.g. breakout on LTP).
  virtual bool wants_ticks() const { return false; }
  virtual std::vector<Signal> on_tick(const TickContext& ctx, StrategyState& state) const;
  virtual void fill_snapshot(const StrategyState& state, SnapshotValues& out) const;
};

// Every strategy file defines one factory: std::unique_ptr<Strategy> make_<id>_strategy(const StrategyDefaults&).
using StrategyFactory = std::unique_ptr<Strategy> (*)(const StrategyDefaults&);

}  // namespace fno::scan
