#include "scan/strategy_registry.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace fno::scan {
namespace {

std::map<std::string, StrategySettings> settings_for(const std::string& id, const std::string& params) {
  std::map<std::string, StrategySettings> s;
  s[id].params = boost::json::parse(params).as_object();
  return s;
}

std::string error_of(const std::map<std::string, StrategySettings>& settings) {
  try {
    StrategyRegistry::with_builtins().instantiate(StrategyDefaults{}, settings);
  } catch (const StrategyConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(StrategyRegistry, BuiltinsEnabledByDefaultInRegistrationOrder) {
  const auto configured = StrategyRegistry::with_builtins().instantiate(StrategyDefaults{}, {});
  ASSERT_EQ(configured.size(), 3u);
  EXPECT_EQ(configured[0].info.id, "breakout");
  EXPECT_EQ(configured[1].info.id, "ema_cross");
  EXPECT_EQ(configured[2].info.id, "volume_spike");
  EXPECT_EQ(configured[0].cooldown_seconds, 300);
}

TEST(StrategyRegistry, DisabledStrategiesAreLeftOut) {
  std::map<std::string, StrategySettings> s;
  s["ema_cross"].enabled = false;
  const auto configured = StrategyRegistry::with_builtins().instantiate(StrategyDefaults{}, s);
  ASSERT_EQ(configured.size(), 2u);
  EXPECT_EQ(configured[1].info.id, "volume_spike");
}

TEST(StrategyRegistry, TopLevelKeysAreDefaultsAndParamsOverride) {
  StrategyDefaults d;
  d.lookback = 20;
  const auto configured =
      StrategyRegistry::with_builtins().instantiate(d, settings_for("breakout", R"({"cooldown_minutes": 0})"));
  EXPECT_EQ(configured[0].params.integer("lookback"), 20);
  EXPECT_EQ(configured[0].cooldown_seconds, 0);
  EXPECT_EQ(configured[0].strategy->warmup_candles(), 20u);
}

TEST(StrategyRegistry, ErrorsNameStrategyKeyValueAndAllowedRange) {
  EXPECT_EQ(error_of(settings_for("breakout", R"({"use_ltp": 3})")),
            "strategies.breakout.use_ltp must be true or false, got 3");
  EXPECT_EQ(error_of(settings_for("breakout", R"({"lookback": 0})")),
            "strategies.breakout.lookback must be an integer from 1 to 400, got 0");
  EXPECT_EQ(error_of(settings_for("breakout", R"({"lookback": 2.5})")),
            "strategies.breakout.lookback must be an integer from 1 to 400, got 2.5E0");
  EXPECT_EQ(error_of(settings_for("volume_spike", R"({"factor": "x"})")),
            "strategies.volume_spike.factor must be a number from 1 to 1000, got \"x\"");
  EXPECT_EQ(error_of(settings_for("ema_cross", R"({"ema_short": 13})")),
            "strategies.ema_cross.ema_short must be less than ema_long (13), got 13");
  EXPECT_EQ(error_of(settings_for("breakout", R"({"lookbak": 5})")).rfind("strategies.breakout.lookbak is not a parameter", 0), 0u);
  EXPECT_EQ(error_of(settings_for("nope", "{}")),
            "strategies.nope is not a known strategy (known: breakout, ema_cross, volume_spike)");
}

TEST(StrategyRegistry, SchemaAsJsonForTheDashboard) {
  const auto json = StrategyRegistry::with_builtins().to_json(StrategyDefaults{});
  ASSERT_EQ(json.size(), 3u);
  const auto& breakout = json[0].as_object();
  EXPECT_EQ(breakout.at("id").as_string(), "breakout");
  const auto& params = breakout.at("params").as_array();
  const auto& lookback = params[0].as_object();
  EXPECT_EQ(lookback.at("key").as_string(), "lookback");
  EXPECT_EQ(lookback.at("type").as_string(), "int");
  EXPECT_EQ(lookback.at("default").as_int64(), 50);
  EXPECT_EQ(params.back().as_object().at("key").as_string(), "cooldown_minutes");
}

TEST(StrategyRegistry, DuplicateIdIsRejected) {
  StrategyRegistry registry = StrategyRegistry::with_builtins();
  EXPECT_THROW(register_builtin_strategies(registry), StrategyConfigError);
}

}  // namespace
}  // namespace fno::scan
