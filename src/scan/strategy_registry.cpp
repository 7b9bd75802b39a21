#include "scan/strategy_registry.hpp"

#include <fmt/format.h>

namespace fno::scan {

namespace {

constexpr int kDefaultCooldownMinutes = 5;

ParamSpec cooldown_param() {
  return ParamSpec{"cooldown_minutes", ParamType::kInt, 0, 1440, boost::json::value(kDefaultCooldownMinutes),
                   "Minimum minutes between two alerts of this strategy and direction on one instrument"};
}

}  // namespace

StrategyRegistry StrategyRegistry::with_builtins() {
  StrategyRegistry registry;
  register_builtin_strategies(registry);
  return registry;
}

void StrategyRegistry::add(StrategyFactory factory) {
  const std::string id = factory(StrategyDefaults{})->info().id;
  for (const auto& e : entries_) {
    if (e.id == id) throw StrategyConfigError(fmt::format("strategy id '{}' is registered twice", id));
  }
  entries_.push_back(Entry{id, factory});
}

StrategyInfo StrategyRegistry::full_info(const Strategy& strategy) {
  StrategyInfo info = strategy.info();
  info.params.push_back(cooldown_param());
  return info;
}

std::vector<StrategyInfo> StrategyRegistry::infos(const StrategyDefaults& defaults) const {
  std::vector<StrategyInfo> out;
  for (const auto& e : entries_) out.push_back(full_info(*e.factory(defaults)));
  return out;
}

boost::json::array StrategyRegistry::to_json(const StrategyDefaults& defaults) const {
  boost::json::array out;
  for (const auto& info : infos(defaults)) out.push_back(scan::to_json(info));
  return out;
}

std::vector<ConfiguredStrategy> StrategyRegistry::instantiate(
    const StrategyDefaults& defaults, const std::map<std::string, StrategySettings>& settings) const {
  for (const auto& [id, unused] : settings) {
    bool known = false;
    std::string ids;
    for (const auto& e : entries_) {
      known = known || e.id == id;
      ids += (ids.empty() ? "" : ", ") + e.id;
    }
    if (!known) throw StrategyConfigError(fmt::format("strategies.{} is not a known strategy (known: {})", id, ids));
  }
  std::vector<ConfiguredStrategy> out;
  for (const auto& e : entries_) {
    const auto it = settings.find(e.id);
    if (it != settings.end() && !it->second.enabled) continue;
    ConfiguredStrategy c;
    c.strategy = e.factory(defaults);
    c.info = full_info(*c.strategy);
    c.params = StrategyParams::validate(c.info, it != settings.end() ? it->second.params : boost::json::object{});
    c.strategy->configure(c.params);
    c.cooldown_seconds = std::int64_t{60} * c.params.integer("cooldown_minutes");
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fno::scan
