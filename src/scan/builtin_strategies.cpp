// builtin_strategies.cpp
//
// The list of built-in strategies. Adding one = a new strategies/<id>.cpp
// defining make_<id>_strategy, plus ONE line below (docs/STRATEGIES.md).
#include "scan/strategy_registry.hpp"

#define FNO_BUILTIN_STRATEGIES(X) \
  X(make_breakout_strategy)       \
  X(make_ema_cross_strategy)      \
  X(make_volume_spike_strategy)

namespace fno::scan {

#define FNO_DECLARE_STRATEGY(factory) std::unique_ptr<Strategy> factory(const StrategyDefaults&);
FNO_BUILTIN_STRATEGIES(FNO_DECLARE_STRATEGY)
#undef FNO_DECLARE_STRATEGY

void register_builtin_strategies(StrategyRegistry& registry) {
#define FNO_ADD_STRATEGY(factory) registry.add(&factory);
  FNO_BUILTIN_STRATEGIES(FNO_ADD_STRATEGY)
#undef FNO_ADD_STRATEGY
}

}  // namespace fno::scan
