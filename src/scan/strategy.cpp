#include "scan/strategy.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cmath>

namespace fno::scan {

namespace json = boost::json;

namespace {

const char* type_name(ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return "int";
    case ParamType::kNumber:
      return "number";
    case ParamType::kBool:
      return "bool";
  }
  return "number";
}

[[noreturn]] void fail(const StrategyInfo& info, const ParamSpec& spec, const json::value& value, std::string_view allowed) {
  throw StrategyConfigError(fmt::format("strategies.{}.{} must be {}, got {}", info.id, spec.key, allowed,
                                        json::serialize(value)));
}

json::value checked(const StrategyInfo& info, const ParamSpec& spec, const json::value& value) {
  const std::string range = fmt::format("{} to {}", spec.min, spec.max);
  switch (spec.type) {
    case ParamType::kBool:
      if (!value.is_bool()) fail(info, spec, value, "true or false");
      return value;
    case ParamType::kInt: {
      const auto* d = value.if_double();
      const bool integral = value.is_int64() || value.is_uint64() || (d && std::floor(*d) == *d);
      if (!integral || value.to_number<double>() < spec.min || value.to_number<double>() > spec.max) {
        fail(info, spec, value, "an integer from " + range);
      }
      return json::value(static_cast<std::int64_t>(value.to_number<double>()));
    }
    case ParamType::kNumber:
      if (!value.is_number() || value.to_number<double>() < spec.min || value.to_number<double>() > spec.max) {
        fail(info, spec, value, "a number from " + range);
      }
      return json::value(value.to_number<double>());
  }
  return value;
}

}  // namespace

json::object to_json(const StrategyInfo& info) {
  json::array params;
  for (const auto& p : info.params) {
    json::object o{{"key", p.key}, {"type", type_name(p.type)}, {"default", p.default_value}, {"description", p.description}};
    if (p.type != ParamType::kBool) {
      o["min"] = p.min;
      o["max"] = p.max;
    }
    params.push_back(std::move(o));
  }
  return {{"id", info.id}, {"name", info.name}, {"description", info.description}, {"params", std::move(params)}};
}

StrategyParams StrategyParams::validate(const StrategyInfo& info, const json::object& given) {
  for (const auto& [key, value] : given) {
    bool known = false;
    for (const auto& p : info.params) known = known || p.key == key;
    if (!known) {
      std::string keys;
      for (const auto& p : info.params) keys += (keys.empty() ? "" : ", ") + p.key;
      throw StrategyConfigError(fmt::format("strategies.{}.{} is not a parameter of {} (known: {})", info.id,
                                            std::string_view(key), info.id, keys));
    }
  }
  StrategyParams params;
  for (const auto& p : info.params) {
    const json::value* value = given.if_contains(p.key);
    params.values_[p.key] = checked(info, p, value ? *value : p.default_value);
  }
  return params;
}

int StrategyParams::integer(std::string_view key) const { return static_cast<int>(values_.at(key).as_int64()); }
double StrategyParams::number(std::string_view key) const { return values_.at(key).as_double(); }
bool StrategyParams::flag(std::string_view key) const { return values_.at(key).as_bool(); }

std::vector<Signal> Strategy::on_tick(const TickContext&, StrategyState&) const { return {}; }

void Strategy::fill_snapshot(const StrategyState&, SnapshotValues&) const {}

}  // namespace fno::scan
