#include "web/api.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/redact.hpp"
#include "web/alert_csv.hpp"
#include "web/api_json.hpp"
#include "web/scanner_query.hpp"

namespace fno::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr int kCsvPageSize = 1000;
constexpr std::int64_t kDefaultAlertLimit = 100;
constexpr std::int64_t kDefaultSearchLimit = 20;
constexpr std::size_t kMaxSearchQuery = 64;
constexpr std::size_t kMaxWatchlistName = 64;
constexpr std::size_t kMaxWatchlistItems = 1000;

ApiError not_found(std::string message) { return ApiError{404, "not_found", std::move(message), {}}; }
ApiError bad_request(std::string message, std::string field = {}) {
  return ApiError{400, "bad_request", std::move(message), std::move(field)};
}

template <class T>
const ApiError* error_of(const Result<T>& result) {
  return std::get_if<ApiError>(&result);
}

Result<json::value> parse_body(const Request& req) {
  boost::system::error_code ec;
  auto value = json::parse(req.body(), ec);
  if (ec) return bad_request("request body is not valid JSON");
  return value;
}

Result<market::InstrumentKey> instrument_from(const json::value& value, std::string_view field) {
  const auto* obj = value.if_object();
  if (obj == nullptr) return invalid_parameter(field, "an instrument is {\"segment\", \"security_id\"}");
  std::optional<std::uint8_t> segment;
  if (const auto* s = obj->if_contains("segment")) {
    if (s->is_string()) segment = parse_segment(s->get_string());
    if (s->is_int64() && s->get_int64() >= 0 && s->get_int64() <= 255) segment = static_cast<std::uint8_t>(s->get_int64());
  }
  if (!segment) return invalid_parameter(fmt::format("{}.segment", field), "segment must be a Dhan segment name or number");
  const auto* id = obj->if_contains("security_id");
  if (id == nullptr || !id->is_int64() || id->get_int64() <= 0 || id->get_int64() > UINT32_MAX) {
    return invalid_parameter(fmt::format("{}.security_id", field), "security_id must be a positive integer");
  }
  return market::InstrumentKey{*segment, static_cast<std::uint32_t>(id->get_int64())};
}

Result<std::vector<market::InstrumentKey>> instruments_from(const json::value& value) {
  const auto* items = value.if_array();
  if (items == nullptr) return invalid_parameter("items", "items must be an array of instruments");
  if (items->size() > kMaxWatchlistItems) return invalid_parameter("items", "at most 1000 items per watchlist");
  std::vector<market::InstrumentKey> keys;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto key = instrument_from((*items)[i], fmt::format("items[{}]", i));
    if (const auto* e = error_of(key)) return *e;
    keys.push_back(std::get<0>(key));
  }
  return keys;
}

Result<std::string> watchlist_name(const json::value& value) {
  const auto* name = value.if_string();
  if (name == nullptr || name->empty() || name->size() > kMaxWatchlistName) {
    return invalid_parameter("name", "name must be 1..64 characters");
  }
  return std::string(*name);
}

Result<alerts::AlertFilter> alert_filter(const Query& query) {
  alerts::AlertFilter filter;
  for (const auto* field : {"from", "to"}) {
    const auto text = query.text(field);
    if (!text) continue;
    const auto day = market::parse_date(*text);
    if (!day) return invalid_parameter(field, fmt::format("{} must be a date YYYY-MM-DD", field));
    (std::string_view(field) == "from" ? filter.from_day : filter.to_day) = day;
  }
  filter.trading_symbol = query.text("symbol").value_or("");
  filter.underlying = query.text("underlying").value_or("");
  filter.strategy = query.text("strategy").value_or("");
  if (const auto kind = query.text("kind")) {
    filter.kind = alerts::parse_kind(*kind);
    if (!filter.kind) return invalid_parameter("kind", "kind must be bullish or bearish");
  }
  const auto min_price = query.number("min_price", 0, 1e9);
  if (const auto* e = error_of(min_price)) return *e;
  filter.min_price = std::get<0>(min_price);
  return filter;
}

// Secrets never travel through the settings API, in either direction.
std::optional<std::string> secret_key(const json::object& object, const std::string& prefix) {
  for (const auto& [key, value] : object) {
    const std::string path = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    for (const auto* word : {"token", "secret", "password", "client_id"}) {
      if (std::string_view(key).find(word) != std::string_view::npos) return path;
    }
    if (value.is_object()) {
      if (auto nested = secret_key(value.get_object(), path)) return nested;
    }
  }
  return std::nullopt;
}

json::array line_json(const scan::ChartSeries& series, const std::vector<std::optional<double>>& line,
                      std::size_t first, std::size_t last) {
  json::array out;
  for (std::size_t i = first; i < last && i < line.size(); ++i) {
    if (line[i]) out.push_back(json::object{{"time", market::utc_from_ist(series.candles[i].start)}, {"value", *line[i]}});
  }
  return out;
}

}  // namespace

Response api_error(const Request& req, const ApiError& error) {
  return json_response(req, static_cast<http::status>(error.status), error_body(error));
}

Response api_ok(const Request& req, const json::value& body, http::status status) {
  return json_response(req, status, json::serialize(body));
}

Response method_not_allowed(const Request& req, std::string_view allow) {
  auto res = api_error(req, ApiError{405, "method_not_allowed",
                                     fmt::format("{} is not allowed here (allowed: {})", req.method_string(), allow), {}});
  res.set(http::field::allow, allow);
  return res;
}

Api::Api(ApiBackend& backend, boost::asio::any_io_executor worker, std::function<WebCounters()> counters)
    : backend_(backend), worker_(std::move(worker)), counters_(std::move(counters)) {}

Reply Api::handle(const Request& req, const Query& query) {
  const auto& s = query.segments();
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  if (s.size() == 1 && s[0] == "metrics") return get ? metrics(req) : method_not_allowed(req, "GET");
  if (s.size() < 2 || s[0] != "api") return api_error(req, not_found("no such endpoint"));
  const auto& name = s[1];
  if (name == "watchlists") return watchlists(req, query);
  if (name == "settings") return settings(req);
  if (!get) {
    const bool known = name == "status" || name == "scanner" || name == "alerts" || name == "alerts.csv" ||
                       name == "strategies" || name == "instruments" || name == "candles" || name == "backtests";
    return known ? method_not_allowed(req, "GET") : api_error(req, not_found("no such endpoint"));
  }
  if (s.size() == 2 && name == "status") return status(req);
  if (s.size() == 2 && name == "scanner") return scanner(req, query);
  if (s.size() == 3 && name == "instruments" && s[2] == "search") return search(req, query);
  if (s.size() == 2 && name == "alerts") return alerts(req, query);
  if (s.size() == 2 && name == "alerts.csv") return alerts_csv(req, query);
  if (s.size() == 2 && name == "strategies") return strategies(req);
  if (s.size() == 4 && name == "candles") return candles(req, query);
  if ((s.size() == 2 || s.size() == 3) && name == "backtests") return backtests(req, query);
  return api_error(req, not_found("no such endpoint"));
}

std::shared_ptr<const Api::StatusAnswer> Api::last_status() const {
  std::lock_guard lock(status_mu_);
  return last_status_;
}

std::shared_ptr<const Api::StatusAnswer> Api::rebuild_status() {
  const StatusReport report = backend_.status();
  const bool down = assess(report).status == "down";
  auto answer = std::make_shared<const StatusAnswer>(StatusAnswer{
      down ? http::status::service_unavailable : http::status::ok,
      json::serialize(status_json(report, counters_().clients)), std::chrono::steady_clock::now()});
  {
    std::lock_guard lock(status_mu_);
    last_status_ = answer;
  }
  status_rebuild_posted_ = false;
  return answer;
}

Reply Api::status(const Request& req) {
  // Polls that missed the cache while one rebuild ran take its answer instead of rebuilding in turn.
  auto answer = last_status();
  if (!answer || std::chrono::steady_clock::now() - answer->built >= kStatusRefreshAge) answer = rebuild_status();
  return json_response(req, answer->status, answer->body);
}

std::optional<Response> Api::cached_status(const Request& req) {
  const auto answer = last_status();
  const auto age =
      answer ? std::chrono::steady_clock::now() - answer->built : std::chrono::steady_clock::duration::max();
  if (age > kStatusMaxAge) return std::nullopt;
  if (age >= kStatusRefreshAge && !status_rebuild_posted_.exchange(true)) {
    boost::asio::post(worker_, [this] {
      try {
        rebuild_status();
      } catch (const std::exception& e) {
        status_rebuild_posted_ = false;  // the next poll that misses the cache rebuilds it
        spdlog::error("web: status rebuild failed: {}", util::redact(e.what()));
      }
    });
  }
  return json_response(req, answer->status, answer->body);
}

Reply Api::metrics(const Request& req) {
  Response res{http::status::ok, req.version()};
  res.set(http::field::content_type, kPrometheusContentType);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = prometheus_text(backend_.status(), counters_());
  return res;
}

Reply Api::scanner(const Request& req, const Query& query) {
  const auto filter = parse_scanner_filter(query);
  if (const auto* e = error_of(filter)) return api_error(req, *e);
  auto source = backend_.scanner_rows();
  if (source != last_scanner_.rows || req.target() != last_scanner_.target) {
    const auto selection = select_rows(*source, std::get<0>(filter));
    std::uint64_t version = 0;
    for (const auto* row : selection.rows) version = std::max(version, row->row.version);
    std::string body = fmt::format(R"({{"version":{},"total":{},"rows":[)", version, selection.total);
    RowText text;
    for (std::size_t i = 0; i < selection.rows.size(); ++i) {
      write_row_json(*selection.rows[i], text);
      if (i != 0) body += ',';
      body += text.json;
    }
    body += "]}";
    last_scanner_ = {std::move(source), std::string(req.target()), std::move(body)};
  }
  return json_response(req, http::status::ok, last_scanner_.body);
}

Reply Api::search(const Request& req, const Query& query) {
  const auto q = query.text("q");
  if (!q || q->size() > kMaxSearchQuery) return api_error(req, invalid_parameter("q", "q must be 1..64 characters"));
  const auto limit = query.integer("limit", 1, 200);
  if (const auto* e = error_of(limit)) return api_error(req, *e);
  json::array results;
  for (const auto& info : backend_.search_instruments(*q, std::get<0>(limit).value_or(kDefaultSearchLimit))) {
    results.push_back(instrument_info_json(info));
  }
  return api_ok(req, json::object{{"results", std::move(results)}});
}

Reply Api::alerts(const Request& req, const Query& query) {
  const auto filter = alert_filter(query);
  if (const auto* e = error_of(filter)) return api_error(req, *e);
  const auto limit = query.integer("limit", 1, alerts::AlertReader::kMaxPageSize);
  if (const auto* e = error_of(limit)) return api_error(req, *e);
  std::optional<alerts::PageCursor> cursor;
  if (const auto text = query.text("cursor")) {
    cursor = alerts::parse_cursor(*text);
    if (!cursor) return api_error(req, invalid_parameter("cursor", "cursor must be a next_cursor from a previous page"));
  }
  const auto page = backend_.alerts_page(std::get<0>(filter), cursor,
                                         static_cast<int>(std::get<0>(limit).value_or(kDefaultAlertLimit)));
  json::array rows;
  for (const auto& alert : page.alerts) rows.push_back(alert_json(alert));
  return api_ok(req, json::object{{"alerts", std::move(rows)},
                                  {"next_cursor", page.next ? json::value(alerts::encode_cursor(*page.next))
                                                            : json::value(nullptr)}});
}

Reply Api::alerts_csv(const Request& req, const Query& query) {
  const auto filter = alert_filter(query);
  if (const auto* e = error_of(filter)) return api_error(req, *e);
  struct Export {
    alerts::AlertFilter filter;
    std::optional<alerts::PageCursor> cursor;
    bool header_sent = false;
    bool done = false;
  };
  auto state = std::make_shared<Export>(Export{std::get<0>(filter), std::nullopt, false, false});
  StreamReply reply;
  reply.head = Response{http::status::ok, req.version()};
  reply.head.set(http::field::content_type, "text/csv; charset=utf-8");
  reply.head.set(http::field::content_disposition, "attachment; filename=\"alerts.csv\"");
  reply.head.set(http::field::cache_control, "no-store");
  reply.pull = [this, state](std::function<void(std::optional<std::string>)> deliver) {
    boost::asio::post(worker_, [this, state, deliver = std::move(deliver)] {
      if (state->done) return deliver(std::nullopt);
      std::string chunk = state->header_sent ? std::string() : alert_csv_header();
      state->header_sent = true;
      const auto page = backend_.alerts_page(state->filter, state->cursor, kCsvPageSize);
      for (const auto& alert : page.alerts) append_alert_csv(chunk, alert);
      state->cursor = page.next;
      state->done = !page.next;
      if (chunk.empty()) return deliver(std::nullopt);
      deliver(std::move(chunk));
    });
  };
  return reply;
}

Reply Api::watchlists(const Request& req, const Query& query) {
  const auto& s = query.segments();
  const auto method = req.method();
  if (s.size() == 2) {
    if (method == http::verb::get) {
      json::array lists;
      for (const auto& list : backend_.watchlists()) lists.push_back(watchlist_json(list));
      return api_ok(req, json::object{{"watchlists", std::move(lists)}});
    }
    if (method != http::verb::post) return method_not_allowed(req, "GET, POST");
    const auto body = parse_body(req);
    if (const auto* e = error_of(body)) return api_error(req, *e);
    const auto* obj = std::get<0>(body).if_object();
    if (obj == nullptr) return api_error(req, bad_request("body must be a JSON object"));
    const auto name = watchlist_name(obj->contains("name") ? obj->at("name") : json::value());
    if (const auto* e = error_of(name)) return api_error(req, *e);
    std::vector<market::InstrumentKey> items;
    if (const auto* given = obj->if_contains("items")) {
      auto parsed = instruments_from(*given);
      if (const auto* e = error_of(parsed)) return api_error(req, *e);
      items = std::get<0>(std::move(parsed));
    }
    const auto created = backend_.create_watchlist(std::get<0>(name), std::move(items));
    if (const auto* e = error_of(created)) return api_error(req, *e);
    return api_ok(req, watchlist_json(std::get<0>(created)), http::status::created);
  }
  const auto id = parse_int(s[2]);
  if (!id) return api_error(req, not_found("no such watchlist"));
  if (s.size() == 3) {
    if (method == http::verb::get) {
      const auto list = backend_.watchlist(*id);
      return list ? api_ok(req, watchlist_json(*list)) : api_error(req, not_found("no such watchlist"));
    }
    if (method == http::verb::delete_) {
      const auto error = backend_.delete_watchlist(*id);
      if (error) return api_error(req, *error);
      return Response{http::status::no_content, req.version()};
    }
    if (method != http::verb::put) return method_not_allowed(req, "GET, PUT, DELETE");
    const auto body = parse_body(req);
    if (const auto* e = error_of(body)) return api_error(req, *e);
    const auto* obj = std::get<0>(body).if_object();
    if (obj == nullptr) return api_error(req, bad_request("body must be a JSON object"));
    WatchlistChange change;
    if (const auto* name = obj->if_contains("name")) {
      auto parsed = watchlist_name(*name);
      if (const auto* e = error_of(parsed)) return api_error(req, *e);
      change.name = std::get<0>(std::move(parsed));
    }
    if (const auto* items = obj->if_contains("items")) {
      auto parsed = instruments_from(*items);
      if (const auto* e = error_of(parsed)) return api_error(req, *e);
      change.items = std::get<0>(std::move(parsed));
    }
    const auto updated = backend_.update_watchlist(*id, std::move(change));
    if (const auto* e = error_of(updated)) return api_error(req, *e);
    return api_ok(req, watchlist_json(std::get<0>(updated)));
  }
  if (s[3] != "items" || (s.size() != 4 && s.size() != 6)) return api_error(req, not_found("no such endpoint"));
  const auto list = backend_.watchlist(*id);
  if (!list) return api_error(req, not_found("no such watchlist"));
  std::vector<market::InstrumentKey> items;
  for (const auto& item : list->items) items.push_back(item.key);
  if (s.size() == 4) {
    if (method != http::verb::post) return method_not_allowed(req, "POST");
    const auto body = parse_body(req);
    if (const auto* e = error_of(body)) return api_error(req, *e);
    const auto key = instrument_from(std::get<0>(body), "item");
    if (const auto* e = error_of(key)) return api_error(req, *e);
    if (std::find(items.begin(), items.end(), std::get<0>(key)) == items.end()) items.push_back(std::get<0>(key));
    if (items.size() > kMaxWatchlistItems) return api_error(req, invalid_parameter("items", "at most 1000 items per watchlist"));
  } else {
    if (method != http::verb::delete_) return method_not_allowed(req, "DELETE");
    const auto segment = parse_segment(s[4]);
    const auto security_id = parse_int(s[5]);
    if (!segment || !security_id) return api_error(req, not_found("no such item"));
    const market::InstrumentKey key{*segment, static_cast<std::uint32_t>(*security_id)};
    if (std::erase(items, key) == 0) return api_error(req, not_found("no such item"));
  }
  const auto updated = backend_.update_watchlist(*id, WatchlistChange{std::nullopt, std::move(items)});
  if (const auto* e = error_of(updated)) return api_error(req, *e);
  return api_ok(req, watchlist_json(std::get<0>(updated)),
                s.size() == 4 ? http::status::created : http::status::ok);
}

Reply Api::settings(const Request& req) {
  if (req.method() == http::verb::get) {
    json::array restart;
    for (const auto& key : backend_.restart_required_keys()) restart.emplace_back(key);
    return api_ok(req, json::object{{"settings", backend_.settings()},
                                    {"restart_required_keys", std::move(restart)},
                                    {"schema", backend_.settings_schema()},
                                    {"secrets", backend_.secrets_set()}});
  }
  if (req.method() != http::verb::put) return method_not_allowed(req, "GET, PUT");
  const auto body = parse_body(req);
  if (const auto* e = error_of(body)) return api_error(req, *e);
  const auto* patch = std::get<0>(body).if_object();
  if (patch == nullptr) return api_error(req, bad_request("body must be a JSON object of config.json keys"));
  if (const auto secret = secret_key(*patch, "")) {
    return api_error(req, ApiError{422, "invalid_setting", "secrets are set in the environment, never through the API",
                                   *secret});
  }
  const auto result = backend_.update_settings(*patch);
  if (const auto* e = error_of(result)) return api_error(req, *e);
  const auto& update = std::get<0>(result);
  json::array applied;
  for (const auto& key : update.applied) applied.emplace_back(key);
  json::array restart;
  for (const auto& key : update.restart_required) restart.emplace_back(key);
  return api_ok(req, json::object{{"settings", update.settings}, {"applied", std::move(applied)},
                                  {"restart_required", std::move(restart)}});
}

Reply Api::strategies(const Request& req) { return api_ok(req, json::object{{"strategies", backend_.strategies()}}); }

bool valid_backtest_id(std::string_view id) {
  constexpr std::size_t kMaxIdLength = 128;
  if (id.empty() || id.size() > kMaxIdLength || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Reply Api::backtests(const Request& req, const Query& query) {
  const auto& s = query.segments();
  if (s.size() == 2) return api_ok(req, json::object{{"backtests", backend_.backtests()}});
  if (!valid_backtest_id(s[2])) return api_error(req, not_found("no such backtest"));
  auto summary = backend_.backtest(s[2]);
  if (!summary) return api_error(req, not_found("no such backtest"));
  return api_ok(req, *summary);
}

Reply Api::candles(const Request& req, const Query& query) {
  const auto& s = query.segments();
  const auto segment = parse_segment(s[2]);
  const auto security_id = parse_int(s[3]);
  if (!segment || !security_id || *security_id <= 0 || *security_id > UINT32_MAX) {
    return api_error(req, not_found("no such instrument"));
  }
  const auto from = query.integer("from", 0, INT64_MAX / 2);
  if (const auto* e = error_of(from)) return api_error(req, *e);
  const auto to = query.integer("to", 0, INT64_MAX / 2);
  if (const auto* e = error_of(to)) return api_error(req, *e);
  const market::InstrumentKey key{*segment, static_cast<std::uint32_t>(*security_id)};
  const auto chart = backend_.chart(key);
  if (!chart) return api_error(req, not_found("no such instrument"));
  const auto& series = chart->series;
  const auto in_range = [&](const market::Candle& c) {
    const auto t = market::utc_from_ist(c.start);
    return (!std::get<0>(from) || t >= *std::get<0>(from)) && (!std::get<0>(to) || t <= *std::get<0>(to));
  };
  std::size_t first = 0;
  while (first < series.candles.size() && !in_range(series.candles[first])) ++first;
  std::size_t last = first;
  while (last < series.candles.size() && in_range(series.candles[last])) ++last;
  json::array candles;
  json::array volume;
  for (std::size_t i = first; i < last; ++i) {
    candles.push_back(candle_json(series.candles[i]));
    if (series.candles[i].volume_known) {
      volume.push_back(json::object{{"time", market::utc_from_ist(series.candles[i].start)},
                                    {"value", series.candles[i].volume}});
    }
  }
  json::array markers;
  if (first < last) {
    alerts::AlertFilter filter;
    filter.trading_symbol = chart->symbol;
    const auto lo = series.candles[first].start;
    const auto hi = series.candles[last - 1].start;
    for (const auto& alert : backend_.alerts_page(filter, std::nullopt, alerts::AlertReader::kMaxPageSize).alerts) {
      if (alert.instrument != key || alert.candle_time < lo || alert.candle_time > hi) continue;
      markers.push_back(json::object{{"time", market::utc_from_ist(alert.candle_time)}, {"id", alert.id},
                                     {"strategy", alert.strategy}, {"kind", scan::to_string(alert.kind)},
                                     {"price", alert.price}});
    }
  }
  json::object out = instrument_json(key);
  out["symbol"] = chart->symbol;
  out["candles"] = std::move(candles);
  out["resistance"] = line_json(series, series.resistance, first, last);
  out["ema_short"] = line_json(series, series.ema_short, first, last);
  out["ema_long"] = line_json(series, series.ema_long, first, last);
  out["volume"] = std::move(volume);
  out["alerts"] = std::move(markers);
  return api_ok(req, out);
}

}  // namespace fno::web
