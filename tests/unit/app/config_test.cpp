#include "app/config.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace fno::app {
namespace {

std::string error_of(const std::string& json) {
  try {
    parse_config(json);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsMatchTheSeedExceptRequestCode) {
  const Config c = parse_config("{}").config;
  EXPECT_EQ(c.hist_days, 60);
  EXPECT_EQ(c.lookback, 50);
  EXPECT_EQ(c.ema_short, 8);
  EXPECT_EQ(c.ema_long, 13);
  EXPECT_DOUBLE_EQ(c.volume_factor, 0.5);
  EXPECT_DOUBLE_EQ(c.price_threshold, 50.0);
  EXPECT_EQ(c.batch_size, 200);
  EXPECT_EQ(c.fetch_concurrency, 6);
  EXPECT_EQ(c.request_code, 17);
  EXPECT_EQ(c.web.bind, "127.0.0.1");
  EXPECT_EQ(c.web.port, 5000);
  EXPECT_EQ(c.db_path, "alerts.db");
}

TEST(Config, ReadsEveryKey) {
  const Config c = parse_config(R"({"hist_days": 10, "lookback": 20, "ema_short": 5, "ema_long": 21,
    "volume_factor": 1.5, "price_threshold": 100, "batch_size": 5, "fetch_concurrency": 2, "request_code": 15,
    "web": {"bind": "0.0.0.0", "port": 8080}, "db_path": "x.db", "log_dir": "logs",
    "market": {"holidays": ["2026-01-26"], "sessions": {"MCX_COMM": ["09:00", "23:30"]}},
    "strategies": {"breakout": {"enabled": false, "use_ltp": true}},
    "feed": {"url": "wss://127.0.0.1:9443", "budget_backoff_seconds": 20}})").config;
  EXPECT_EQ(c.hist_days, 10);
  EXPECT_EQ(c.lookback, 20);
  EXPECT_EQ(c.ema_short, 5);
  EXPECT_EQ(c.ema_long, 21);
  EXPECT_DOUBLE_EQ(c.volume_factor, 1.5);
  EXPECT_DOUBLE_EQ(c.price_threshold, 100);
  EXPECT_EQ(c.batch_size, 5);
  EXPECT_EQ(c.fetch_concurrency, 2);
  EXPECT_EQ(c.request_code, 15);
  EXPECT_EQ(c.web.bind, "0.0.0.0");
  EXPECT_EQ(c.web.port, 8080);
  EXPECT_EQ(c.market.holidays.size(), 1u);
  EXPECT_EQ(c.market.sessions.at("MCX_COMM").close, 23 * 3600 + 30 * 60);
  EXPECT_FALSE(c.strategies.at("breakout").enabled);
  EXPECT_TRUE(c.strategies.at("breakout").params.at("use_ltp").as_bool());
  EXPECT_EQ(c.feed.url, "wss://127.0.0.1:9443");
  EXPECT_EQ(c.feed.connections, 5);
  EXPECT_EQ(c.feed.budget_backoff_seconds, 20);
}

TEST(Config, EachInvalidValueNamesKeyValueAndRange) {
  EXPECT_EQ(error_of(R"({"ema_short": 20})"),
            "config.json: ema_short must be an integer in [1, 500] and < ema_long (13), got 20");
  EXPECT_EQ(error_of(R"({"lookback": 1})"), "config.json: lookback must be an integer in [2, 5000], got 1");
  EXPECT_EQ(error_of(R"({"hist_days": "60"})"), "config.json: hist_days must be an integer in [0, 1825], got \"60\"");
  EXPECT_EQ(error_of(R"({"batch_size": 2.5})"), "config.json: batch_size must be an integer in [1, 25000], got 2.5E0");
  EXPECT_EQ(error_of(R"({"volume_factor": -1})"), "config.json: volume_factor must be a number in [0, 1000], got -1");
  EXPECT_EQ(error_of(R"({"request_code": 16})"),
            "config.json: request_code must be 15 (Ticker), 17 (Quote) or 21 (Full), got 16");
  EXPECT_EQ(error_of(R"({"web": {"port": 70000}})"), "config.json: web.port must be an integer in [1, 65535], got 70000");
  EXPECT_EQ(error_of(R"({"market": {"holidays": ["26-01-2026"]}})"),
            "config.json: market.holidays must be a list of \"YYYY-MM-DD\" dates, got \"26-01-2026\"");
  EXPECT_EQ(error_of(R"({"market": {"sessions": {"NSE_FNO": ["15:30", "09:15"]}}})"),
            "config.json: market.sessions.NSE_FNO must be [\"HH:MM\", \"HH:MM\"] with open before close, got "
            "[\"15:30\",\"09:15\"]");
  EXPECT_EQ(error_of(R"({"feed": {"connections": 6}})"), "config.json: feed.connections must be an integer in [1, 5], got 6");
  EXPECT_EQ(error_of(R"({"feed": {"budget_backoff_seconds": 0}})"),
            "config.json: feed.budget_backoff_seconds must be an integer in [1, 3600], got 0");
  EXPECT_EQ(error_of(R"({"feed": {"url": "https://x"}})"),
            "config.json: feed.url must be a wss:// (or ws:// for local testing) URL, got \"https://x\"");
  EXPECT_EQ(error_of(R"({"fetch_concurrency": 0})"),
            "config.json: fetch_concurrency must be an integer in [1, 32], got 0");
  EXPECT_EQ(error_of(R"({"price_threshold": null})"), "config.json: price_threshold must be a number in [0, 10000000], got null");
}

TEST(Config, MalformedJsonIsOneClearLine) {
  EXPECT_NE(error_of("{\"lookback\": }").find("config.json: not valid JSON"), std::string::npos);
  EXPECT_EQ(error_of("[1]"), "config.json: the top level must be a JSON object");
}

TEST(Config, UnknownKeysWarnWithSuggestion) {
  const auto loaded = parse_config(R"({"lookbak": 20, "zzzzzzzz": 1})");
  ASSERT_EQ(loaded.warnings.size(), 2u);
  EXPECT_EQ(loaded.warnings[0], "config.json: unknown key 'lookbak' ignored (did you mean 'lookback'?)");
  EXPECT_EQ(loaded.warnings[1], "config.json: unknown key 'zzzzzzzz' ignored");
  EXPECT_EQ(loaded.config.lookback, 50);
}

TEST(Config, CredentialsInConfigAreRefused) {
  EXPECT_NE(error_of(R"({"access_token": "x"})").find("'access_token' looks like a credential"), std::string::npos);
  EXPECT_NE(error_of(R"({"telegram": {"token": "x"}})").find("'telegram.token' looks like a credential"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"DHAN_CLIENT_ID": "1"})").find("looks like a credential"), std::string::npos);
}

TEST(Config, EffectiveJsonRoundTrips) {
  const Config c = parse_config(R"({"lookback": 30, "market": {"holidays": ["2026-03-10"]}})").config;
  const Config again = parse_config(boost::json::serialize(to_json(c))).config;
  EXPECT_EQ(again.lookback, 30);
  EXPECT_EQ(again.market.holidays, c.market.holidays);
}

TEST(Config, SchemaIsRecordedByTheValidationItself) {
  const auto schema = parse_config("{}").schema;
  EXPECT_EQ(schema.at("hist_days"),
            (boost::json::object{{"type", "int"},
                                 {"min", 0},
                                 {"max", 1825},
                                 {"help", "days of 1-minute history used to warm indicators up (0 = none)"}}));
  EXPECT_EQ(schema.at("feed.connections").at("max"), 5) << "absent sections are still described";
  EXPECT_EQ(schema.at("request_code").at("values"), (boost::json::array{15, 17, 21}));
  EXPECT_EQ(schema.at("volume_factor").at("type"), "number");
  EXPECT_EQ(schema.at("web.bind").at("type"), "string");
  // The ranges are the ones enforced: one past the maximum is refused.
  EXPECT_THROW(parse_config(R"({"feed": {"connections": 6}})"), ConfigError);
  EXPECT_THROW(parse_config(R"({"request_code": 16})"), ConfigError);
}

// Every scalar setting the dashboard shows (the effective config's leaves)
// has a schema entry with a help text, so a key added without one fails here.
void expect_described(const boost::json::object& settings, const boost::json::object& schema,
                      const std::string& prefix) {
  for (const auto& [key, value] : settings) {
    const std::string dotted = prefix + std::string(key);
    if (value.is_object()) {
      expect_described(value.as_object(), schema, dotted + ".");
    } else if (!value.is_array()) {
      const auto* meta = schema.if_contains(dotted);
      ASSERT_NE(meta, nullptr) << dotted << " has no schema entry";
      const auto* help = meta->as_object().if_contains("help");
      ASSERT_TRUE(help && help->is_string() && !help->as_string().empty()) << dotted << " has no help text";
    }
  }
}

TEST(Config, EveryScalarSettingHasHelp) {
  const LoadedConfig loaded = parse_config(R"({"feed": {"ca_file": "sim-ca.pem"}})");
  const auto settings = to_json(loaded.config);
  ASSERT_TRUE(settings.at("feed").as_object().contains("ca_file"));
  expect_described(settings, loaded.schema, "");
}

}  // namespace
}  // namespace fno::app
