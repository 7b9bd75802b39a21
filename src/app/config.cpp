#include "app/config.hpp"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

namespace fno::app {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr std::array<std::string_view, 21> kKnownKeys = {
    "hist_days", "lookback",  "ema_short", "ema_long",   "volume_factor", "price_threshold", "batch_size",
    "fetch_concurrency", "request_code", "web", "db_path", "log_dir", "log_level", "market", "strategies",
    "feed", "history", "instruments", "telegram", "universe", "backtest"};
constexpr std::array<std::string_view, 1> kOwnedSections = {"record"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

template <std::size_t N>
std::string nearest(std::string_view key, const std::array<std::string_view, N>& known) {
  std::string_view best;
  std::size_t best_distance = 4;  // farther than 3 edits is not a typo
  for (auto k : known) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return std::string(best);
}

std::string normalized(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool looks_like_credential(std::string_view key) {
  const std::string k = normalized(key);
  for (std::string_view word : {"token", "clientid", "chatid", "secret", "password", "apikey"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

// Refuses credentials anywhere in the file, however deeply nested.
void refuse_credentials(const json::value& v, const std::string& path, std::string_view source) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      const std::string child_path = path.empty() ? std::string(key) : path + "." + std::string(key);
      if (looks_like_credential(key)) {
        throw ConfigError(fmt::format(
            "{}: '{}' looks like a credential; credentials are read only from the environment or .env "
            "(DHAN_CLIENT_ID, DHAN_ACCESS_TOKEN, TELEGRAM_TOKEN, TELEGRAM_CHAT_ID, DASHBOARD_TOKEN) - remove it",
            source, child_path));
      }
      refuse_credentials(child, child_path, source);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) refuse_credentials(child, path, source);
  }
}

class Reader {
 public:
  Reader(const json::object& obj, std::string prefix, std::string_view source, json::object* schema = nullptr)
      : obj_(obj), prefix_(std::move(prefix)), source_(source), schema_(schema) {}

  // Each key records its type, range and help text (README's wording) in the
  // schema where it is validated: the settings form shows both.
  void integer(std::string_view key, int& out, int lo, int hi, std::string_view help,
               std::string_view extra = "") const {
    describe(key, {{"type", "int"}, {"min", lo}, {"max", hi}}, help);
    const json::value* v = obj_.if_contains(key);
    if (!v) return;
    std::int64_t value = 0;
    if (v->is_int64()) {
      value = v->as_int64();
    } else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(hi)) {
      value = static_cast<std::int64_t>(v->as_uint64());
    } else if (v->is_double() && std::floor(v->as_double()) == v->as_double() && std::abs(v->as_double()) < 1e9) {
      value = static_cast<std::int64_t>(v->as_double());
    } else {
      fail(key, fmt::format("an integer in [{}, {}]{}", lo, hi, extra), *v);
    }
    if (value < lo || value > hi) fail(key, fmt::format("an integer in [{}, {}]{}", lo, hi, extra), *v);
    out = static_cast<int>(value);
  }

  void number(std::string_view key, double& out, double lo, double hi, std::string_view help) const {
    describe(key, {{"type", "number"}, {"min", lo}, {"max", hi}}, help);
    const json::value* v = obj_.if_contains(key);
    if (!v) return;
    if (!v->is_number() || v->to_number<double>() < lo || v->to_number<double>() > hi || !std::isfinite(v->to_number<double>())) {
      fail(key, fmt::format("a number in [{}, {}]", lo, hi), *v);
    }
    out = v->to_number<double>();
  }

  void string(std::string_view key, std::string& out, std::string_view help) const {
    describe(key, {{"type", "string"}}, help);
    const json::value* v = obj_.if_contains(key);
    if (!v) return;
    if (!v->is_string() || v->as_string().empty()) fail(key, "a non-empty string", *v);
    out = std::string(v->as_string());
  }

  // One of `values`; `expected` names them in the error.
  void one_of(std::string_view key, int& out, const std::vector<int>& values, std::string_view expected,
              std::string_view help) const {
    describe(key, {{"type", "int"}, {"values", json::value_from(values)}}, help);
    const json::value* v = obj_.if_contains(key);
    if (!v) return;
    if (!v->is_int64() || std::find(values.begin(), values.end(), v->as_int64()) == values.end()) {
      fail(key, expected, *v);
    }
    out = static_cast<int>(v->as_int64());
  }

  void boolean(std::string_view key, bool& out, std::string_view help) const {
    describe(key, {{"type", "bool"}}, help);
    const json::value* v = obj_.if_contains(key);
    if (!v) return;
    if (!v->is_bool()) fail(key, "true or false", *v);
    out = v->as_bool();
  }

  [[noreturn]] void fail(std::string_view key, std::string_view expected, const json::value& got) const {
    throw ConfigError(fmt::format("{}: {}{} must be {}, got {}", source_, prefix_, key, expected, json::serialize(got)));
  }

  const json::object* section(std::string_view key) const {
    const json::value* v = obj_.if_contains(key);
    if (!v) return nullptr;
    if (!v->is_object()) fail(key, "an object", *v);
    return &v->as_object();
  }

  const json::object& obj() const { return obj_; }
  const std::string& prefix() const { return prefix_; }
  std::string_view source() const { return source_; }
  json::object* schema() const { return schema_; }
  // A reader for section `key` (an empty one when absent, so the schema still lists its keys).
  Reader child(std::string_view key) const {
    static const json::object kAbsent;
    const json::object* obj = section(key);
    return Reader(obj ? *obj : kAbsent, prefix_ + std::string(key) + ".", source_, schema_);
  }

 private:
  void describe(std::string_view key, json::object meta, std::string_view help) const {
    if (schema_ == nullptr) return;
    meta["help"] = help;
    (*schema_)[prefix_ + std::string(key)] = std::move(meta);
  }

  const json::object& obj_;
  std::string prefix_;
  std::string_view source_;
  json::object* schema_;
};

void read_web(const Reader& top, WebConfig& web) {
  const Reader r = top.child("web");
  r.string("bind", web.bind, "dashboard and API address; beyond loopback it needs DASHBOARD_TOKEN");
  int port = web.port;
  r.integer("port", port, 1, 65535, "dashboard and API port");
  web.port = static_cast<std::uint16_t>(port);
}

void read_backtest(const Reader& top, std::string& dir) {
  const Reader r = top.child("backtest");
  r.string("dir", dir, "where `fno-scanner backtest` writes its reports and the Backtests tab reads them (default: backtests beside db_path)");
}

void read_feed(const Reader& top, FeedConfig& feed) {
  const Reader r = top.child("feed");
  r.string("url", feed.url, "Dhan market feed WebSocket (wss://)");
  if (!feed.url.starts_with("wss://") && !feed.url.starts_with("ws://")) {
    r.fail("url", "a wss:// (or ws:// for local testing) URL", r.obj().at("url"));
  }
  r.integer("connections", feed.connections, 1, 5, "WebSocket connection budget (Dhan allows 5)");
  r.integer("instruments_per_message", feed.instruments_per_message, 1, 100, "instruments per subscription message");
  r.integer("message_interval_ms", feed.message_interval_ms, 0, 10000, "pause between subscription messages (ms)");
  r.integer("stall_timeout_seconds", feed.stall_timeout_seconds, 5, 3600,
            "reconnect after this many seconds of silence in market hours");
  r.integer("budget_backoff_seconds", feed.budget_backoff_seconds, 1, 3600,
            "wait before reconnecting after Dhan's 805 (connection budget exceeded)");
  r.integer("queue_capacity", feed.queue_capacity, 1024, 1 << 22, "packets buffered for the engine");
  r.string("ca_file", feed.ca_file, "CA bundle for the feed's TLS instead of the system store (local simulator)");
}

void read_market(const Reader& top, MarketConfig& market) {
  const json::object* obj = top.section("market");
  if (!obj) return;
  const Reader r(*obj, "market.", top.source());
  if (const json::value* h = obj->if_contains("holidays")) {
    if (!h->is_array()) r.fail("holidays", "a list of \"YYYY-MM-DD\" dates", *h);
    for (const auto& day : h->as_array()) {
      const auto date = day.is_string() ? market::parse_date(day.as_string()) : std::nullopt;
      if (!date) r.fail("holidays", "a list of \"YYYY-MM-DD\" dates", day);
      market.holidays.insert(*date);
    }
  }
  if (const json::object* sessions = r.section("sessions")) {
    for (const auto& [segment, hours] : *sessions) {
      const std::string key = fmt::format("sessions.{}", std::string_view(segment));
      const auto* pair = hours.if_array();
      std::optional<int> open, close;
      if (pair && pair->size() == 2 && (*pair)[0].is_string() && (*pair)[1].is_string()) {
        open = market::parse_hhmm((*pair)[0].as_string());
        close = market::parse_hhmm((*pair)[1].as_string());
      }
      if (!open || !close || *open >= *close) r.fail(key, "[\"HH:MM\", \"HH:MM\"] with open before close", hours);
      market.sessions[std::string(segment)] = market::SessionHours{*open, *close};
    }
  }
}

void read_strategies(const Reader& top, std::map<std::string, StrategyConfig>& strategies) {
  const json::object* obj = top.section("strategies");
  if (!obj) return;
  for (const auto& [name, value] : *obj) {
    const std::string key = fmt::format("strategies.{}", std::string_view(name));
    if (!value.is_object()) top.fail(key, "an object such as {\"enabled\": true}", value);
    StrategyConfig sc;
    sc.params = value.as_object();
    if (const json::value* enabled = sc.params.if_contains("enabled")) {
      if (!enabled->is_bool()) top.fail(key + ".enabled", "true or false", *enabled);
      sc.enabled = enabled->as_bool();
      sc.params.erase("enabled");
    }
    strategies[std::string(name)] = std::move(sc);
  }
}

// The `record` section is validated by its owner; it stays in `sections` too
// so check-config shows it as written.
void read_record(const json::object& root, Config& c, std::vector<std::string>& warnings, std::string_view source) {
  const json::value* v = root.if_contains("record");
  if (!v) return;
  if (!v->is_object()) throw ConfigError(fmt::format("{}: record must be an object", source));
  std::vector<std::string> found;
  try {
    c.record = record::parse_record_options(v->as_object(), found);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(fmt::format("{}: {}", source, e.what()));
  }
  for (const auto& w : found) warnings.push_back(fmt::format("{}: {}", source, w));
}

}  // namespace

LoadedConfig parse_config(std::string_view json_text, std::string_view source) {
  boost::system::error_code ec;
  json::parse_options options;
  options.allow_comments = true;
  options.allow_trailing_commas = true;
  const json::value root = json::parse(json_text, ec, {}, options);
  if (ec) throw ConfigError(fmt::format("{}: not valid JSON ({})", source, ec.message()));
  if (!root.is_object()) throw ConfigError(fmt::format("{}: the top level must be a JSON object", source));
  refuse_credentials(root, "", source);

  LoadedConfig loaded;
  Config& c = loaded.config;
  const Reader r(root.as_object(), "", source, &loaded.schema);
  r.integer("hist_days", c.hist_days, 0, 1825, "days of 1-minute history used to warm indicators up (0 = none)");
  r.integer("lookback", c.lookback, 2, 5000, "candles in the resistance / average-volume window");
  r.integer("ema_long", c.ema_long, 2, 500, "long EMA period");
  r.integer("ema_short", c.ema_short, 1, 500, "short EMA period (below ema_long)",
            fmt::format(" and < ema_long ({})", c.ema_long));
  if (c.ema_short >= c.ema_long) {
    throw ConfigError(fmt::format("{}: ema_short must be an integer in [1, 500] and < ema_long ({}), got {}", source,
                                  c.ema_long, c.ema_short));
  }
  r.number("volume_factor", c.volume_factor, 0.0, 1000.0,
           "candle volume must be at least factor x average volume of the window");
  r.number("price_threshold", c.price_threshold, 0.0, 1e7, "minimum price (₹) for an alert");
  r.integer("batch_size", c.batch_size, 1, 25000,
            "instruments per subscription round (sent as ≤100-instrument messages)");
  r.integer("fetch_concurrency", c.fetch_concurrency, 1, 32, "concurrent historical-data requests");
  r.one_of("request_code", c.request_code, {15, 17, 21}, "15 (Ticker), 17 (Quote) or 21 (Full)",
           "feed packet type: 15 Ticker (no volume), 17 Quote, 21 Full");
  r.string("db_path", c.db_path, "SQLite database of alerts");
  r.string("log_dir", c.log_dir, "where fno_breakout.log goes");
  r.string("log_level", c.log_level, "verbosity: trace, debug, info, warn, error, critical or off");
  read_web(r, c.web);
  read_feed(r, c.feed);
  read_backtest(r, c.backtest_dir);
  read_market(r, c.market);
  read_strategies(r, c.strategies);
  read_record(root.as_object(), c, loaded.warnings, source);

  for (const auto& [key, value] : root.as_object()) {
    const bool known = std::find(kKnownKeys.begin(), kKnownKeys.end(), key) != kKnownKeys.end();
    const bool owned = std::find(kOwnedSections.begin(), kOwnedSections.end(), key) != kOwnedSections.end();
    if (known || owned) {
      if (value.is_object() && key != "web" && key != "feed" && key != "market" && key != "strategies" &&
          key != "backtest") {
        c.sections[key] = value;
      }
      continue;
    }
    const std::string suggestion = nearest(key, kKnownKeys);
    loaded.warnings.push_back(suggestion.empty()
                                  ? fmt::format("{}: unknown key '{}' ignored", source, std::string_view(key))
                                  : fmt::format("{}: unknown key '{}' ignored (did you mean '{}'?)", source,
                                                std::string_view(key), suggestion));
  }
  return loaded;
}

LoadedConfig load_config(const fs::path& path, const fs::path& example) {
  std::error_code ec;
  if (!fs::exists(path, ec) && fs::exists(example, ec)) {
    fs::copy_file(example, path, ec);
    if (ec) throw ConfigError(fmt::format("{}: cannot create it from {}: {}", path.string(), example.string(), ec.message()));
  }
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot read the configuration file", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

fs::path beside_db(const Config& config, std::string_view name) {
  return fs::path(config.db_path).parent_path() / name;
}

fs::path backtest_dir(const Config& config) {
  return config.backtest_dir.empty() ? beside_db(config, "backtests") : fs::path(config.backtest_dir);
}

json::object to_json(const Config& c) {
  json::object out;
  out["hist_days"] = c.hist_days;
  out["lookback"] = c.lookback;
  out["ema_short"] = c.ema_short;
  out["ema_long"] = c.ema_long;
  out["volume_factor"] = c.volume_factor;
  out["price_threshold"] = c.price_threshold;
  out["batch_size"] = c.batch_size;
  out["fetch_concurrency"] = c.fetch_concurrency;
  out["request_code"] = c.request_code;
  out["web"] = {{"bind", c.web.bind}, {"port", c.web.port}};
  json::object feed{{"url", c.feed.url},
                    {"connections", c.feed.connections},
                    {"instruments_per_message", c.feed.instruments_per_message},
                    {"message_interval_ms", c.feed.message_interval_ms},
                    {"stall_timeout_seconds", c.feed.stall_timeout_seconds},
                    {"budget_backoff_seconds", c.feed.budget_backoff_seconds},
                    {"queue_capacity", c.feed.queue_capacity}};
  if (!c.feed.ca_file.empty()) feed["ca_file"] = c.feed.ca_file;
  out["feed"] = feed;
  out["db_path"] = c.db_path;
  if (!c.backtest_dir.empty()) out["backtest"] = {{"dir", c.backtest_dir}};
  out["log_dir"] = c.log_dir;
  out["log_level"] = c.log_level;
  json::array holidays;
  for (const auto& day : c.market.holidays) holidays.emplace_back(market::format_ist(market::ist_midnight(day)).substr(0, 10));
  json::object sessions;
  for (const auto& [segment, hours] : c.market.sessions) {
    const auto hhmm = [](int sod) { return fmt::format("{:02}:{:02}", sod / 3600, sod / 60 % 60); };
    sessions[segment] = json::array{json::value(hhmm(hours.open)), json::value(hhmm(hours.close))};
  }
  out["market"] = {{"holidays", holidays}, {"sessions", sessions}};
  json::object strategies;
  for (const auto& [name, sc] : c.strategies) {
    json::object s = sc.params;
    s["enabled"] = sc.enabled;
    strategies[name] = s;
  }
  out["strategies"] = strategies;
  for (const auto& [key, value] : c.sections) out[key] = value;
  return out;
}

}  // namespace fno::app
