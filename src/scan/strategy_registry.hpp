// strategy_registry.hpp
//
// The catalogue of strategies the binary knows (built-ins are listed one line
// each in builtin_strategies.cpp) and the step that turns config into
// configured instances: enable/disable plus parameters validated against each
// strategy's schema. Adds the parameters every strategy shares
// (`cooldown_minutes`). Used at startup and by the web API to serve
// GET /api/strategies; holds no per-instrument state. Not thread-safe for
// add(); const methods may be shared once built.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scan/strategy.hpp"

namespace fno::scan {

struct StrategySettings {
  bool enabled = true;
  boost::json::object params;  // config.strategies.<id> minus "enabled"
};

struct ConfiguredStrategy {
  std::unique_ptr<Strategy> strategy;
  StrategyInfo info;      // including the shared parameters
  StrategyParams params;  // validated, defaults filled in
  std::int64_t cooldown_seconds = 0;
};

class StrategyRegistry {
 public:
  // A registry holding the built-in strategies.
  static StrategyRegistry with_builtins();

  // Throws StrategyConfigError when the id is already registered.
  void add(StrategyFactory factory);

  // Schemas (shared parameters included) with the given defaults, in registration order.
  std::vector<StrategyInfo> infos(const StrategyDefaults& defaults) const;
  // JSON array of to_json(info) for GET /api/strategies.
  boost::json::array to_json(const StrategyDefaults& defaults) const;

  // Enabled strategies, configured. Strategies absent from `settings` are
  // enabled with defaults. Throws StrategyConfigError (unknown id, bad params).
  std::vector<ConfiguredStrategy> instantiate(const StrategyDefaults& defaults,
                                              const std::map<std::string, StrategySettings>& settings) const;

 private:
  struct Entry {
    std::string id;
    StrategyFactory factory;
  };
  static StrategyInfo full_info(const Strategy& strategy);
  std::vector<Entry> entries_;
};

// Registers the built-in strategies (builtin_strategies.cpp).
void register_builtin_strategies(StrategyRegistry& registry);

}  // namespace fno::scan
