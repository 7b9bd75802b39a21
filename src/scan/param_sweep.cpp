#include "scan/param_sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>

namespace fno::scan {

namespace {

namespace json = boost::json;

json::value parse_value(std::string_view name, std::string_view text) {
  if (text == "true") return json::value(true);
  if (text == "false") return json::value(false);
  std::int64_t integer = 0;
  const auto [iend, iec] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (iec == std::errc{} && iend == text.data() + text.size() && !text.empty()) return json::value(integer);
  double number = 0;
  const auto [nend, nec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (nec == std::errc{} && nend == text.data() + text.size() && !text.empty()) return json::value(number);
  throw std::invalid_argument(fmt::format("--param {}: '{}' is not an integer, a number or true/false", name, text));
}

bool has_param(const StrategyInfo& info, std::string_view key) {
  return std::any_of(info.params.begin(), info.params.end(), [&](const ParamSpec& p) { return p.key == key; });
}

std::string param_keys(const StrategyInfo& info) {
  std::string keys;
  for (const auto& p : info.params) keys += (keys.empty() ? "" : ", ") + p.key;
  return keys;
}

}  // namespace

ParamAxis parse_param_axis(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw std::invalid_argument(fmt::format("--param '{}' must be KEY=VALUE[,VALUE...]", text));
  }
  ParamAxis axis{std::string(text.substr(0, eq)), {}};
  std::string_view rest = text.substr(eq + 1);
  while (true) {
    const auto comma = rest.find(',');
    axis.values.push_back(parse_value(axis.name, rest.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return axis;
}

std::vector<ParamCombo> expand_sweep(const std::vector<ParamAxis>& axes, std::size_t max_runs) {
  std::set<std::string> names;
  std::size_t runs = 1;
  for (const auto& axis : axes) {
    if (!names.insert(axis.name).second)
      throw std::invalid_argument(fmt::format("--param {} is given twice", axis.name));
    runs *= axis.values.size();
    if (runs > max_runs) {
      throw std::invalid_argument(fmt::format("--param values make more than {} runs; sweep fewer values", max_runs));
    }
  }
  std::vector<ParamCombo> combos(1);
  for (const auto& axis : axes) {
    std::vector<ParamCombo> next;
    for (const auto& combo : combos) {
      for (const auto& value : axis.values) {
        next.push_back(combo);
        next.back().emplace_back(axis.name, value);
      }
    }
    combos = std::move(next);
  }
  return combos;
}

json::object to_json(const ParamCombo& combo) {
  json::object out;
  for (const auto& [name, value] : combo) out[name] = value;
  return out;
}

std::map<std::string, StrategySettings> sweep_settings(const StrategyRegistry& registry,
                                                       const StrategyDefaults& defaults,
                                                       const std::map<std::string, StrategySettings>& base,
                                                       const std::vector<std::string>& selected,
                                                       const ParamCombo& combo) {
  const std::vector<StrategyInfo> infos = registry.infos(defaults);
  std::string ids;
  for (const auto& info : infos) ids += (ids.empty() ? "" : ", ") + info.id;
  std::map<std::string, StrategySettings> settings;
  for (const auto& info : infos) {
    const auto it = base.find(info.id);
    settings[info.id] = StrategySettings{false, it != base.end() ? it->second.params : json::object{}};
  }
  for (const auto& id : selected) {
    if (!settings.contains(id))
      throw StrategyConfigError(fmt::format("--strategy {} is not a known strategy (known: {})", id, ids));
    settings[id].enabled = true;
  }
  for (const auto& [name, value] : combo) {
    const auto dot = name.find('.');
    const std::string only = dot == std::string::npos ? std::string() : name.substr(0, dot);
    const std::string key = dot == std::string::npos ? name : name.substr(dot + 1);
    bool applied = false;
    std::string known;
    for (const auto& info : infos) {
      const bool chosen = std::find(selected.begin(), selected.end(), info.id) != selected.end();
      if (!chosen || (!only.empty() && only != info.id)) continue;
      known += fmt::format("{}{}: {}", known.empty() ? "" : "; ", info.id, param_keys(info));
      if (!has_param(info, key)) continue;
      settings[info.id].params[key] = value;
      applied = true;
    }
    if (!applied) {
      throw StrategyConfigError(fmt::format("--param {}: no selected strategy has the parameter '{}' ({})", name, key,
                                            known.empty() ? "strategy not selected" : known));
    }
  }
  return settings;
}

}  // namespace fno::scan
