#include "scan/param_sweep.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace fno::scan {
namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ParamSweep, ParsesValuesOfEveryType) {
  const ParamAxis a = parse_param_axis("lookback=20,50,100");
  EXPECT_EQ(a.name, "lookback");
  ASSERT_EQ(a.values.size(), 3U);
  EXPECT_EQ(a.values[2].as_int64(), 100);
  const ParamAxis b = parse_param_axis("breakout.volume_factor=0.5,true");
  EXPECT_EQ(b.name, "breakout.volume_factor");
  EXPECT_DOUBLE_EQ(b.values[0].as_double(), 0.5);
  EXPECT_TRUE(b.values[1].as_bool());
  EXPECT_NE(message_of([] { parse_param_axis("lookback"); }).find("KEY=VALUE"), std::string::npos);
  EXPECT_NE(message_of([] { parse_param_axis("lookback=20,,50"); }).find("'' is not an integer"), std::string::npos);
  EXPECT_NE(message_of([] { parse_param_axis("lookback=abc"); }).find("--param lookback: 'abc'"), std::string::npos);
}

TEST(ParamSweep, ExpandsTheCartesianProductFirstAxisSlowest) {
  const auto runs = expand_sweep({parse_param_axis("lookback=20,50"), parse_param_axis("ema_short=3,5,7")});
  ASSERT_EQ(runs.size(), 6U);
  EXPECT_EQ(boost::json::serialize(to_json(runs[0])), R"({"lookback":20,"ema_short":3})");
  EXPECT_EQ(boost::json::serialize(to_json(runs[5])), R"({"lookback":50,"ema_short":7})");
  EXPECT_EQ(expand_sweep({}).size(), 1U);
  EXPECT_TRUE(expand_sweep({}).front().empty());
}

TEST(ParamSweep, RefusesTooManyRunsAndRepeatedNames) {
  const ParamAxis wide = parse_param_axis("lookback=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
  const ParamAxis other = parse_param_axis("ema_long=20,30,40,50,60,70,80,90,100,110,120,130,140,150,160,170");
  EXPECT_NE(message_of([&] { expand_sweep({wide, other}); }).find("more than 256 runs"), std::string::npos);
  EXPECT_EQ(expand_sweep({wide, other}, 17 * 16).size(), 17U * 16U);
  EXPECT_NE(message_of([&] { expand_sweep({wide, wide}); }).find("--param lookback is given twice"), std::string::npos);
}

TEST(ParamSweep, SettingsEnableOnlyTheSelectedStrategiesWithTheComboApplied) {
  const auto registry = StrategyRegistry::with_builtins();
  std::map<std::string, StrategySettings> base;
  base["breakout"].params["volume_factor"] = 2.0;  // from config.json
  const ParamCombo combo = {{"lookback", boost::json::value(20)}, {"ema_cross.ema_short", boost::json::value(4)}};
  const auto settings = sweep_settings(registry, {}, base, {"breakout", "ema_cross"}, combo);
  EXPECT_TRUE(settings.at("breakout").enabled);
  EXPECT_TRUE(settings.at("ema_cross").enabled);
  EXPECT_FALSE(settings.at("volume_spike").enabled);
  EXPECT_EQ(settings.at("breakout").params.at("lookback").as_int64(), 20);
  EXPECT_DOUBLE_EQ(settings.at("breakout").params.at("volume_factor").as_double(), 2.0);
  EXPECT_FALSE(settings.at("breakout").params.contains("ema_short"));
  EXPECT_EQ(settings.at("ema_cross").params.at("ema_short").as_int64(), 4);
  const auto configured = registry.instantiate({}, settings);
  ASSERT_EQ(configured.size(), 2U);
  EXPECT_EQ(configured[0].params.integer("lookback"), 20);
}

TEST(ParamSweep, UnknownKeysAndBadValuesNameKeyValueAndRange) {
  const auto registry = StrategyRegistry::with_builtins();
  const auto unknown = message_of([&] {
    sweep_settings(registry, {}, {}, {"ema_cross"}, {{"lookback", boost::json::value(20)}});
  });
  EXPECT_NE(unknown.find("--param lookback: no selected strategy has the parameter 'lookback' (ema_cross: "),
            std::string::npos)
      << unknown;
  const auto not_selected = message_of([&] {
    sweep_settings(registry, {}, {}, {"breakout"}, {{"ema_cross.ema_short", boost::json::value(3)}});
  });
  EXPECT_NE(not_selected.find("strategy not selected"), std::string::npos) << not_selected;
  const auto strategy = message_of([&] { sweep_settings(registry, {}, {}, {"nope"}, {}); });
  EXPECT_NE(strategy.find("--strategy nope is not a known strategy (known: breakout"), std::string::npos) << strategy;
  const auto range = message_of([&] {
    registry.instantiate({}, sweep_settings(registry, {}, {}, {"breakout"}, {{"lookback", boost::json::value(0)}}));
  });
  EXPECT_NE(range.find("strategies.breakout.lookback"), std::string::npos) << range;
  EXPECT_NE(range.find("1 to 400"), std::string::npos) << range;
}

}  // namespace
}  // namespace fno::scan
