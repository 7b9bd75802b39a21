// Web server integration tests: the real WebServer on loopback, real HTTP
// and WebSocket clients (Beast), the real socket.io-client (node), and an
// in-test ApiBackend with fixed data.
#include "web/web_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <sys/socket.h>

#include <csignal>
#include <functional>
#include <map>
#include <cctype>
#include <cstdlib>
#include <set>
#include <sstream>
#include <thread>

#include "support/child_process.hpp"
#include "support/ws_client.hpp"
#include "web/api.hpp"
#include "web_test_backend.hpp"

namespace fno::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using test::TestBackend;
using fno::test::WsClient;

// The server on its own network thread, like the app runs it.
class Server {
 public:
  explicit Server(WebOptions options = {}) {
    options.bind = options.bind.empty() ? "127.0.0.1" : options.bind;
    options.port = 0;
    options.version = "0.1.0";
    options.mode = "demo";
    server_ = std::make_unique<WebServer>(io_, options, backend);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Server() {
    asio::post(io_, [this] { server_->stop(); });
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_->port(); }
  WebServer& web() { return *server_; }

  TestBackend backend;

 private:
  asio::io_context io_;
  std::unique_ptr<WebServer> server_;
  std::thread thread_;
};

struct Reply {
  http::response<http::string_body> res;
  json::value body() const { return json::parse(res.body()); }
  std::string header(std::string_view name) const { return std::string(res[name]); }
};

Reply request(std::uint16_t port, http::verb verb, std::string target, std::map<std::string, std::string> headers = {},
              std::string body = {}) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  http::read(stream, buffer, parser);
  return Reply{parser.release()};
}

Reply get(std::uint16_t port, std::string target, std::map<std::string, std::string> headers = {}) {
  return request(port, http::verb::get, std::move(target), std::move(headers));
}

std::map<std::string, std::string> kCsrf = {{"X-CSRF-Token", "1"}, {"Content-Type", "application/json"}};

// Prometheus text exposition format (0.0.4) checks, written out by hand so
// the grammar is explicit: metric and label names, quoted label values with
// \\ \" \n escapes, a float value.
bool name_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// Consumes a metric name at `pos`; empty when there is none.
std::string take_name(const std::string& line, std::size_t& pos) {
  const auto begin = pos;
  while (pos < line.size() && name_char(line[pos], pos == begin)) ++pos;
  return line.substr(begin, pos - begin);
}

// `{label="value",...}` at `pos`; false when malformed.
bool take_labels(const std::string& line, std::size_t& pos) {
  if (pos >= line.size() || line[pos] != '{') return true;
  ++pos;
  while (true) {
    if (take_name(line, pos).empty() || line.compare(pos, 2, "=\"") != 0) return false;
    pos += 2;
    while (pos < line.size() && line[pos] != '"') pos += line[pos] == '\\' ? 2 : 1;
    if (pos >= line.size()) return false;
    ++pos;
    if (pos < line.size() && line[pos] == ',') {
      ++pos;
      continue;
    }
    return pos < line.size() && line[pos++] == '}';
  }
}

// Validates the format: HELP/TYPE lines, samples `name{labels} value`, TYPE
// before samples, no family declared twice. Returns samples by "name{labels}".
std::map<std::string, double> parse_prometheus(const std::string& text) {
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
  std::set<std::string> typed;
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.starts_with("# HELP ")) {
      std::size_t pos = 7;
      EXPECT_FALSE(take_name(line, pos).empty()) << "line " << number << ": " << line;
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      std::size_t pos = 7;
      const auto name = take_name(line, pos);
      EXPECT_TRUE(pos < line.size() && line[pos] == ' ' && kTypes.contains(line.substr(pos + 1)))
          << "line " << number << ": " << line;
      EXPECT_TRUE(typed.insert(name).second) << "family declared twice: " << line;
      continue;
    }
    std::size_t pos = 0;
    const auto name = take_name(line, pos);
    const bool labels_ok = take_labels(line, pos);
    const auto key = line.substr(0, pos);
    char* end = nullptr;
    const bool space = pos < line.size() && line[pos] == ' ';
    const double value = space ? std::strtod(line.c_str() + pos + 1, &end) : 0;
    if (name.empty() || !labels_ok || !space || end != line.c_str() + line.size() || end == line.c_str() + pos + 1) {
      ADD_FAILURE() << "line " << number << " is not Prometheus text: '" << line << "'";
      continue;
    }
    EXPECT_TRUE(typed.contains(name)) << "sample before its TYPE line " << number << ": " << line;
    samples[key] = value;
  }
  EXPECT_TRUE(text.ends_with("\n"));
  return samples;
}

TEST(WebApi, StatusReportsHealthFeedAndSecurityHeaders) {
  Server server;
  const auto reply = get(server.port(), "/api/status");
  EXPECT_EQ(reply.res.result(), http::status::ok);
  const auto body = reply.body().as_object();
  EXPECT_EQ(body.at("status"), "ok");
  EXPECT_EQ(body.at("mode"), "demo");
  EXPECT_EQ(body.at("active_symbols"), 3);
  EXPECT_EQ(body.at("feed").at("connections").at(0).at("state"), "streaming");
  EXPECT_EQ(reply.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(reply.header("Referrer-Policy"), "no-referrer");
  EXPECT_NE(reply.header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(reply.header("Content-Security-Policy").find("unsafe-inline"), std::string::npos);
}

TEST(WebApi, StatusIs503OnlyWhenTheScannerCannotWork) {
  Server server;
  {
    std::lock_guard lock(server.backend.mu);
    server.backend.can_work = false;
  }
  const auto reply = get(server.port(), "/api/status");
  EXPECT_EQ(reply.res.result(), http::status::service_unavailable);
  EXPECT_EQ(reply.body().at("status"), "down");
  EXPECT_EQ(reply.body().at("reasons").at(0), "no instruments");
}

TEST(WebApi, MetricsParseAsPrometheusText) {
  Server server;
  get(server.port(), "/api/status");
  const auto reply = get(server.port(), "/metrics");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  EXPECT_NE(reply.header("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
  const auto samples = parse_prometheus(reply.res.body());
  EXPECT_EQ(samples.at(R"(fno_feed_packets_total{kind="quote"})"), 100);
  EXPECT_EQ(samples.at(R"(fno_signals_total{strategy="breakout"})"), 4);
  EXPECT_EQ(samples.at(R"(fno_feed_connection_state{connection="0",state="streaming"})"), 1);
  EXPECT_EQ(samples.at(R"(fno_build_info{version="0.1.0",mode="demo"})"), 1);
  EXPECT_GE(samples.at(R"(fno_web_responses_total{status="2xx"})"), 1);
}

TEST(WebApi, ScannerFiltersSortsAndNamesBadParameters) {
  Server server;
  auto reply = get(server.port(), "/api/scanner?type=FUTSTK&sort=-ltp");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  auto rows = reply.body().at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("symbol"), "RELIANCE-Nov2026-FUT");
  EXPECT_EQ(rows[0].at("segment"), "NSE_FNO");
  EXPECT_EQ(rows[1].at("symbol"), "TCS-Nov2026-FUT");

  reply = get(server.port(), "/api/scanner?near=1&state=ready&min_price=100");
  ASSERT_EQ(reply.body().at("total"), 1);
  EXPECT_EQ(reply.body().at("rows").at(0).at("symbol"), "RELIANCE-Nov2026-FUT");

  reply = get(server.port(), "/api/scanner?q=nifty");
  EXPECT_EQ(reply.body().at("rows").at(0).at("underlying"), "NIFTY");

  reply = get(server.port(), "/api/scanner?limit=0");
  EXPECT_EQ(reply.res.result(), http::status::bad_request);
  EXPECT_EQ(reply.body().at("error").at("code"), "invalid_parameter");
  EXPECT_EQ(reply.body().at("error").at("field"), "limit");
}

TEST(WebApi, ScannerAnswerIsReusedOnlyForTheSameRowsAndTarget) {
  Server server;
  server.backend.publish_rows(server.backend.initial_rows());
  const auto symbols = [&](const std::string& target) {
    std::vector<std::string> out;
    const auto body = get(server.port(), target).body();
    for (const auto& row : body.at("rows").as_array()) {
      out.emplace_back(row.at("symbol").as_string());
    }
    return out;
  };
  const std::vector<std::string> top1{"NIFTY-Nov2026-FUT"};
  const std::vector<std::string> top2{"NIFTY-Nov2026-FUT", "RELIANCE-Nov2026-FUT"};
  EXPECT_EQ(symbols("/api/scanner?sort=-ltp&limit=1"), top1);
  EXPECT_EQ(symbols("/api/scanner?sort=-ltp&limit=2"), top2) << "same rows, another target: answered afresh";
  EXPECT_EQ(symbols("/api/scanner?sort=-ltp&limit=1"), top1);

  auto rows = server.backend.initial_rows();
  rows[1].row.ltp = 1.0;  // NIFTY falls to the bottom
  server.backend.publish_rows(rows);
  EXPECT_EQ(symbols("/api/scanner?sort=-ltp&limit=1"), std::vector<std::string>{"RELIANCE-Nov2026-FUT"})
      << "new rows, same target: answered from the new rows";
}

TEST(WebApi, InstrumentSearchNeedsAQuery) {
  Server server;
  auto reply = get(server.port(), "/api/instruments/search?q=TCS");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  EXPECT_EQ(reply.body().at("results").at(0).at("symbol"), "TCS-Nov2026-FUT");
  reply = get(server.port(), "/api/instruments/search");
  EXPECT_EQ(reply.res.result(), http::status::bad_request);
  EXPECT_EQ(reply.body().at("error").at("field"), "q");
}

TEST(WebApi, AlertsPageWithKeysetCursor) {
  Server server;
  auto reply = get(server.port(), "/api/alerts?limit=2");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  auto body = reply.body();
  EXPECT_EQ(body.at("alerts").at(0).at("id"), 2500);
  EXPECT_EQ(body.at("alerts").at(1).at("id"), 2499);
  const std::string cursor(body.at("next_cursor").as_string());
  reply = get(server.port(), "/api/alerts?limit=2&cursor=" + cursor);
  EXPECT_EQ(reply.body().at("alerts").at(0).at("id"), 2498);
  EXPECT_EQ(get(server.port(), "/api/alerts?cursor=zzz").body().at("error").at("field"), "cursor");
  EXPECT_EQ(get(server.port(), "/api/alerts?from=2026-13-01").body().at("error").at("field"), "from");
}

TEST(WebApi, AlertsCsvStreamsEveryMatchAsAnAttachment) {
  Server server;
  const auto reply = get(server.port(), "/api/alerts.csv?strategy=breakout");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  EXPECT_TRUE(reply.res.chunked());
  EXPECT_EQ(reply.header("Content-Disposition"), "attachment; filename=\"alerts.csv\"");
  const auto& text = reply.res.body();
  EXPECT_TRUE(text.starts_with("id,time_ist,symbol,"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2501);  // header + 2,500 alerts over 3 pages
  EXPECT_NE(text.find("\"close crossed resistance, =cmd\""), std::string::npos);
}

TEST(WebApi, WatchlistCrudNeedsCsrfHeaderForMutations) {
  Server server;
  const std::string create = R"({"name":"banks","items":[{"segment":"NSE_FNO","security_id":52175}]})";
  auto reply = request(server.port(), http::verb::post, "/api/watchlists", {{"Content-Type", "application/json"}}, create);
  EXPECT_EQ(reply.res.result(), http::status::forbidden);
  EXPECT_EQ(reply.body().at("error").at("code"), "csrf");

  reply = request(server.port(), http::verb::post, "/api/watchlists", kCsrf, create);
  ASSERT_EQ(reply.res.result(), http::status::created);
  const auto id = std::to_string(reply.body().at("id").as_int64());
  reply = request(server.port(), http::verb::post, "/api/watchlists", kCsrf, create);
  EXPECT_EQ(reply.res.result(), http::status::conflict);

  reply = request(server.port(), http::verb::post, "/api/watchlists/" + id + "/items", kCsrf,
                  R"({"segment":2,"security_id":7})");
  ASSERT_EQ(reply.res.result(), http::status::created);
  EXPECT_EQ(reply.body().at("items").as_array().size(), 2u);
  reply = request(server.port(), http::verb::delete_, "/api/watchlists/" + id + "/items/NSE_FNO/52175", kCsrf);
  ASSERT_EQ(reply.res.result(), http::status::ok);
  EXPECT_EQ(reply.body().at("items").at(0).at("security_id"), 7);
  reply = request(server.port(), http::verb::put, "/api/watchlists/" + id, kCsrf, R"({"name":"psu"})");
  EXPECT_EQ(reply.body().at("name"), "psu");
  reply = request(server.port(), http::verb::post, "/api/watchlists", kCsrf, R"({"name":"x","items":[{"segment":"NOPE","security_id":1}]})");
  EXPECT_EQ(reply.body().at("error").at("field"), "items[0].segment");
  EXPECT_EQ(get(server.port(), "/api/watchlists").body().at("watchlists").as_array().size(), 1u);
  reply = request(server.port(), http::verb::delete_, "/api/watchlists/" + id, kCsrf);
  EXPECT_EQ(reply.res.result(), http::status::no_content);
  EXPECT_EQ(get(server.port(), "/api/watchlists/" + id).res.result(), http::status::not_found);
}

TEST(WebApi, SettingsValidateAndRefuseSecrets) {
  Server server;
  auto reply = get(server.port(), "/api/settings");
  EXPECT_EQ(reply.body().at("settings").at("lookback"), 50);
  reply = request(server.port(), http::verb::put, "/api/settings", kCsrf, R"({"lookback":1})");
  EXPECT_EQ(reply.res.result(), http::status::unprocessable_entity);
  EXPECT_EQ(reply.body().at("error").at("field"), "lookback");
  reply = request(server.port(), http::verb::put, "/api/settings", kCsrf, R"({"telegram":{"bot_token":"x"}})");
  EXPECT_EQ(reply.res.result(), http::status::unprocessable_entity);
  EXPECT_EQ(reply.body().at("error").at("field"), "telegram.bot_token");
  reply = request(server.port(), http::verb::put, "/api/settings", kCsrf, R"({"lookback":40})");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  EXPECT_EQ(reply.body().at("settings").at("lookback"), 40);
  EXPECT_EQ(reply.body().at("applied").at(0), "lookback");
  reply = request(server.port(), http::verb::put, "/api/settings", kCsrf, "{not json");
  EXPECT_EQ(reply.body().at("error").at("code"), "bad_request");
}

TEST(WebApi, StrategiesAndCandles) {
  Server server;
  EXPECT_EQ(get(server.port(), "/api/strategies").body().at("strategies").at(0).at("id"), "breakout");
  auto reply = get(server.port(), "/api/candles/NSE_FNO/52175?from=1764059940");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  const auto body = reply.body();
  EXPECT_EQ(body.at("candles").as_array().size(), 2u);
  EXPECT_EQ(body.at("candles").at(0).at("time"), 1764059940);
  EXPECT_EQ(body.at("resistance").as_array().size(), 2u);
  EXPECT_EQ(body.at("volume").at(0).at("value"), 100);
  EXPECT_EQ(get(server.port(), "/api/candles/NSE_FNO/1").res.result(), http::status::not_found);
}

TEST(WebApi, ErrorsForUnknownPathsMethodsAndOversizedBodies) {
  Server server;
  auto reply = get(server.port(), "/api/nope");
  EXPECT_EQ(reply.res.result(), http::status::not_found);
  EXPECT_EQ(reply.body().at("error").at("code"), "not_found");
  reply = request(server.port(), http::verb::post, "/api/status", kCsrf);
  EXPECT_EQ(reply.res.result(), http::status::method_not_allowed);
  EXPECT_EQ(reply.header("Allow"), "GET");
  reply = request(server.port(), http::verb::put, "/api/settings", kCsrf, std::string(2u << 20, 'x'));
  EXPECT_EQ(reply.res.result(), http::status::payload_too_large);
  reply = get(server.port(), "/socket.io/?EIO=4&transport=polling");
  EXPECT_EQ(reply.res.result(), http::status::bad_request);
  EXPECT_EQ(reply.body().at("error").at("code"), "unsupported_transport");
  EXPECT_NE(std::string(reply.body().at("error").at("message").as_string()).find("websocket"), std::string::npos);
}

TEST(WebStatic, ServesIndexSpaRoutesAndRefusesFilesystemPaths) {
  Server server;
  auto reply = get(server.port(), "/");
  ASSERT_EQ(reply.res.result(), http::status::ok);
  EXPECT_EQ(reply.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(reply.res.body().find("<html"), std::string::npos);  // the built UI or the placeholder
  EXPECT_EQ(get(server.port(), "/alerts/today").res.body(), reply.res.body());  // SPA route
  // Nothing maps to the filesystem: traversal paths get the SPA page (or 404), never a file.
  EXPECT_EQ(get(server.port(), "/../../etc/passwd").res.body(), reply.res.body());
  EXPECT_EQ(get(server.port(), "/%2e%2e/%2e%2e/etc/passwd").res.body(), reply.res.body());
  EXPECT_EQ(get(server.port(), "/assets/../../etc/hosts.txt").res.result(), http::status::not_found);
}

// ---- Auth ----

TEST(WebAuth, NonLoopbackBindWithoutTokenIsRefused) {
  asio::io_context io;
  TestBackend backend;
  WebOptions options;
  options.bind = "0.0.0.0";
  options.port = 0;
  try {
    WebServer server(io, options, backend);
    FAIL() << "started without DASHBOARD_TOKEN on 0.0.0.0";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("DASHBOARD_TOKEN"), std::string::npos);
  }
}

TEST(WebAuth, LoopbackModeRefusesForeignHostAndOrigin) {
  Server server;
  EXPECT_EQ(get(server.port(), "/api/status", {{"Host", "evil.example:5000"}}).res.result(), http::status::forbidden);
  const auto port = std::to_string(server.port());
  auto reply = request(server.port(), http::verb::put, "/api/settings",
                       {{"X-CSRF-Token", "1"}, {"Origin", "http://evil.example"}}, R"({"lookback":40})");
  EXPECT_EQ(reply.res.result(), http::status::forbidden);
  EXPECT_EQ(reply.body().at("error").at("code"), "forbidden_origin");
  reply = request(server.port(), http::verb::put, "/api/settings",
                  {{"X-CSRF-Token", "1"}, {"Origin", "http://127.0.0.1:" + port}}, R"({"lookback":40})");
  EXPECT_EQ(reply.res.result(), http::status::ok);
}

constexpr const char* kToken = "test-dashboard-token-not-real";

WebOptions token_options() {
  WebOptions options;
  options.token = kToken;
  return options;
}

TEST(WebApi, StatusIsServedFromAFreshAnswerOnlyToAllowedRequests) {
  Server server(token_options());
  const std::map<std::string, std::string> bearer{{"Authorization", std::string("Bearer ") + kToken}};
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(get(server.port(), "/api/status", bearer).res.result(), http::status::ok);
  {
    std::lock_guard lock(server.backend.mu);
    server.backend.can_work = false;
  }
  EXPECT_EQ(get(server.port(), "/api/status").res.result(), http::status::unauthorized) << "the cache skips no check";
  const auto again = get(server.port(), "/api/status", bearer);
  if (std::chrono::steady_clock::now() - started < Api::kStatusMaxAge) {
    EXPECT_EQ(again.res.result(), http::status::ok) << "answered from the cached status";
  }
  std::this_thread::sleep_for(Api::kStatusMaxAge + std::chrono::milliseconds(100));
  EXPECT_EQ(get(server.port(), "/api/status", bearer).res.result(), http::status::service_unavailable)
      << "an answer older than kStatusMaxAge is rebuilt";
}

TEST(WebApi, StatusIsRebuiltInTheBackgroundWhileTheOldAnswerIsServed) {
  Server server(token_options());
  const std::map<std::string, std::string> bearer{{"Authorization", std::string("Bearer ") + kToken}};
  const auto calls = [&] {
    std::lock_guard lock(server.backend.mu);
    return server.backend.status_calls;
  };
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(get(server.port(), "/api/status", bearer).res.result(), http::status::ok);
  ASSERT_EQ(calls(), 1);
  {
    std::lock_guard lock(server.backend.mu);
    server.backend.can_work = false;
  }
  std::this_thread::sleep_for(Api::kStatusRefreshAge + std::chrono::milliseconds(50));
  const auto served = get(server.port(), "/api/status", bearer);
  if (std::chrono::steady_clock::now() - started < Api::kStatusMaxAge) {
    EXPECT_EQ(served.res.result(), http::status::ok) << "the old answer is served while the rebuild runs";
  }
  // No further request: the rebuild that poll posted runs on the worker by itself.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (calls() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(calls(), 2) << "one background rebuild, however many polls saw the aging answer";
  EXPECT_EQ(get(server.port(), "/api/status", bearer).res.result(), http::status::service_unavailable)
      << "the rebuilt answer is served from then on";
}

std::string cookie_pair(const Reply& reply, std::string_view name) {
  for (const auto& field : reply.res) {
    if (field.name() != http::field::set_cookie) continue;
    const auto value = std::string(field.value());
    if (value.starts_with(std::string(name) + "=")) return value.substr(0, value.find(';'));
  }
  return {};
}

TEST(WebAuth, TokenModeMatrix) {
  Server server(token_options());
  const auto port = server.port();
  EXPECT_EQ(get(port, "/api/status").res.result(), http::status::unauthorized);
  EXPECT_EQ(get(port, "/api/status", {{"Authorization", "Bearer wrong"}}).res.result(), http::status::unauthorized);
  EXPECT_EQ(get(port, "/api/status", {{"Authorization", std::string("Bearer ") + kToken}}).res.result(), http::status::ok);
  auto page = get(port, "/");
  EXPECT_EQ(page.res.result(), http::status::see_other);
  EXPECT_EQ(page.header("Location"), "/login");

  // Bearer mutations need no CSRF header (not an ambient credential).
  auto reply = request(port, http::verb::put, "/api/settings",
                       {{"Authorization", std::string("Bearer ") + kToken}}, R"({"lookback":40})");
  EXPECT_EQ(reply.res.result(), http::status::ok);

  reply = request(port, http::verb::post, "/login", {{"Content-Type", "application/x-www-form-urlencoded"}},
                  std::string("token=") + kToken);
  ASSERT_EQ(reply.res.result(), http::status::see_other);
  const auto session = cookie_pair(reply, "fno_session");
  const auto csrf = cookie_pair(reply, "fno_csrf");
  ASSERT_FALSE(session.empty());
  bool http_only = false;
  for (const auto& field : reply.res) {
    const auto value = std::string(field.value());
    if (value.starts_with("fno_session=")) {
      http_only = value.find("HttpOnly") != std::string::npos && value.find("SameSite=Strict") != std::string::npos;
    }
  }
  EXPECT_TRUE(http_only);
  const std::string cookies = session + "; " + csrf;
  EXPECT_EQ(get(port, "/api/status", {{"Cookie", cookies}}).res.result(), http::status::ok);
  EXPECT_EQ(get(port, "/", {{"Cookie", cookies}}).res.result(), http::status::ok);
  reply = request(port, http::verb::put, "/api/settings", {{"Cookie", cookies}}, R"({"lookback":41})");
  EXPECT_EQ(reply.body().at("error").at("code"), "csrf");
  reply = request(port, http::verb::put, "/api/settings", {{"Cookie", cookies}, {"X-CSRF-Token", "guess"}},
                  R"({"lookback":41})");
  EXPECT_EQ(reply.body().at("error").at("code"), "csrf");
  reply = request(port, http::verb::put, "/api/settings",
                  {{"Cookie", cookies}, {"X-CSRF-Token", csrf.substr(csrf.find('=') + 1)}}, R"({"lookback":41})");
  EXPECT_EQ(reply.res.result(), http::status::ok);

  reply = request(port, http::verb::post, "/logout", {{"Cookie", cookies}});
  EXPECT_EQ(reply.res.result(), http::status::no_content);
  EXPECT_EQ(get(port, "/api/status", {{"Cookie", cookies}}).res.result(), http::status::unauthorized);
}

TEST(WebAuth, FailedLoginsAreRateLimited) {
  Server server(token_options());
  const std::map<std::string, std::string> json_type = {{"Content-Type", "application/json"}};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(request(server.port(), http::verb::post, "/login", json_type, R"({"token":"bad"})").res.result(),
              http::status::unauthorized);
  }
  const auto reply = request(server.port(), http::verb::post, "/login", json_type,
                             std::string(R"({"token":")") + kToken + "\"}");
  EXPECT_EQ(reply.res.result(), http::status::too_many_requests);
  EXPECT_FALSE(reply.header("Retry-After").empty());
}

// ---- Live push ----

// A full delta holding A-FUT and B-FUT.
scan::SnapshotDelta two_row_snapshot() {
  scan::SnapshotDelta delta;
  delta.full = true;
  delta.rows = {test::make_delta_row(1, "A-FUT", 10, 1.0, true), test::make_delta_row(2, "B-FUT", 20, 2.0, true)};
  return delta;
}

TEST(WebPush, RowsWaitUnserializedUntilAClientAttaches) {
  Server server;
  auto& hub = server.web().hub();
  const scan::SnapshotDelta first = two_row_snapshot();
  hub.publish_rows(first);
  hub.publish_rows(first);
  EXPECT_EQ(hub.counters().published_rows, 4u);
  EXPECT_EQ(hub.counters().serialized_rows, 0u) << "no JSON is built for nobody";

  WsClient client(server.port(), "/ws");
  ASSERT_FALSE(client.error()) << client.error().message();
  // The waiting rows reach the client: in its snapshot or the delta right after.
  std::set<std::string> symbols;
  for (int i = 0; i < 10 && symbols.size() < 2; ++i) {
    const auto text = client.read();
    if (text.empty()) break;
    const auto message = json::parse(text);
    const auto& type = message.at("type").as_string();
    if (type != "snapshot" && type != "rows") continue;
    for (const auto& row : message.at("data").at("rows").as_array()) symbols.insert(std::string(row.at("symbol").as_string()));
  }
  EXPECT_EQ(symbols, (std::set<std::string>{"A-FUT", "B-FUT"}));
  EXPECT_EQ(hub.counters().serialized_rows, 2u) << "the two publishes were merged, each row serialized once";
}

TEST(WebPush, SnapshotThenDeltasAlertsAndCandles) {
  Server server;
  auto& hub = server.web().hub();
  const scan::SnapshotDelta first = two_row_snapshot();
  hub.publish_rows(first);

  WsClient client(server.port(), "/ws");
  ASSERT_FALSE(client.error()) << client.error().message();
  EXPECT_EQ(client.read_type("hello").at("data").at("mode"), "demo");
  // The rows may land before or after the connect: wait for a snapshot or delta holding B-FUT.
  auto snapshot = client.read_type("snapshot");
  ASSERT_FALSE(snapshot.is_null());

  scan::SnapshotDelta change;
  change.rows = {test::make_delta_row(2, "B-FUT", 21, 2.0, true)};
  change.removed = {{2, 1}};
  hub.publish_rows(change);
  json::value rows;
  for (int i = 0; i < 5 && rows.is_null(); ++i) {
    rows = client.read_type("rows");
    if (!rows.is_null() && rows.at("data").at("rows").as_array().empty()) rows = nullptr;
  }
  ASSERT_FALSE(rows.is_null());
  EXPECT_EQ(rows.at("data").at("rows").at(0).at("ltp"), 21.0);
  EXPECT_EQ(rows.at("data").at("removed").at(0).at("security_id"), 1);

  hub.publish_alert(test::make_alert(7, "B-FUT", "breakout"));
  const auto alert = client.read_type("alert");
  ASSERT_FALSE(alert.is_null());
  EXPECT_EQ(alert.at("data").at("id"), 7);
  EXPECT_EQ(alert.at("data").at("symbol"), "B-FUT");

  client.send(R"({"type":"subscribe_candles","segment":"NSE_FNO","security_id":2})");
  client.send(R"({"type":"ping"})");
  ASSERT_FALSE(client.read_type("pong").is_null());  // subscription processed before the pong
  EXPECT_EQ(hub.charted(), (std::vector<market::InstrumentKey>{{2, 2}})) << "the engine asks which charts are open";
  market::Candle candle;
  candle.start = market::ist_from_utc(1764059940);
  candle.close = 21;
  hub.publish_candle({2, 3}, candle, std::nullopt, std::nullopt, std::nullopt);  // not subscribed
  hub.publish_candle({2, 2}, candle, 20.5, std::nullopt, std::nullopt);
  const auto update = client.read_type("candle");
  ASSERT_FALSE(update.is_null());
  EXPECT_EQ(update.at("data").at("security_id"), 2);
  EXPECT_EQ(update.at("data").at("resistance"), 20.5);
}

TEST(WebPush, SlowClientIsClosedWithoutStallingOthers) {
  WebOptions options;
  options.push.max_queue = 32;
  Server server(options);
  auto& hub = server.web().hub();
  WsClient slow(server.port(), "/ws");  // never reads
  ASSERT_FALSE(slow.error());
  ::setsockopt(slow.socket().native_handle(), SOL_SOCKET, SO_RCVBUF, std::array{4096}.data(), sizeof(int));
  WsClient fast(server.port(), "/ws");
  ASSERT_FALSE(fast.error());
  // "hello" is sent once the hub has the client: from here on nothing published is missed.
  ASSERT_FALSE(slow.read_type("hello").is_null());
  ASSERT_FALSE(fast.read_type("hello").is_null());
  const std::string big(16 * 1024, 'x');
  for (int i = 1; i <= 2000; ++i) {
    hub.publish_alert(test::make_alert(i, "S", big));
    // The fast client keeps up: it sees every alert, in order, while the slow one backs up.
    const auto alert = fast.read_type("alert");
    ASSERT_FALSE(alert.is_null()) << "fast client starved at alert " << i;
    ASSERT_EQ(alert.at("data").at("id"), i);
    if (hub.counters().closed_slow > 0) break;
  }
  EXPECT_EQ(hub.counters().closed_slow, 1u);
  const auto samples = parse_prometheus(get(server.port(), "/metrics").res.body());
  EXPECT_EQ(samples.at(R"(fno_web_push_drops_total{reason="closed_slow"})"), 1);
}

TEST(WebPush, SlowRowsAreCoalescedIntoOneDelta) {
  Server server;
  auto& hub = server.web().hub();
  WsClient client(server.port(), "/ws");
  ASSERT_FALSE(client.read_type("snapshot").is_null());
  // Many publishes while the client waits between pushes: it gets merged deltas, latest values only.
  for (int i = 1; i <= 200; ++i) {
    scan::SnapshotDelta delta;
    delta.rows = {test::make_delta_row(1, "A-FUT", i, 1.0, true)};
    hub.publish_rows(delta);
  }
  int deltas = 0;
  double last = 0;
  while (last < 200) {
    const auto rows = client.read_type("rows");
    ASSERT_FALSE(rows.is_null());
    ++deltas;
    for (const auto& row : rows.at("data").at("rows").as_array()) last = row.at("ltp").as_double();
  }
  EXPECT_LT(deltas, 200);
  EXPECT_GT(hub.counters().coalesced, 0u);
}

// Reads deltas until one holds a row; that row, or null.
json::value next_delta_row(const std::function<json::value()>& read_rows) {
  for (int i = 0; i < 20; ++i) {
    const auto rows = read_rows();
    if (rows.is_null()) return nullptr;
    if (!rows.at("rows").as_array().empty()) return rows.at("rows").at(0);
  }
  return nullptr;
}

TEST(WebPush, WsDeltasCarryOnlyChangedMembersSocketIoFullRows) {
  Server server;
  auto& hub = server.web().hub();
  WsClient ws(server.port(), "/ws");
  ASSERT_FALSE(ws.read_type("snapshot").is_null());
  WsClient sio(server.port(), "/socket.io/?EIO=4&transport=websocket");
  ASSERT_TRUE(sio.read().starts_with("0{"));
  sio.send("40");
  const auto sio_rows = [&]() -> json::value {
    for (int i = 0; i < 50; ++i) {
      const auto packet = sio.read();
      if (packet.empty()) return nullptr;
      if (packet.starts_with(R"(42["rows",)") || packet.starts_with(R"(42["snapshot",)")) {
        return json::parse(std::string_view(packet).substr(2)).at(1);
      }
    }
    return nullptr;
  };
  const auto ws_rows = [&]() -> json::value {
    const auto rows = ws.read_type("rows");
    return rows.is_null() ? rows : rows.at("data");
  };

  scan::SnapshotDelta add;
  add.rows = {test::make_delta_row(5, "E-FUT", 50, 1.0, true)};
  hub.publish_rows(add);
  const auto created = next_delta_row(ws_rows);
  ASSERT_FALSE(created.is_null());
  EXPECT_EQ(created.at("symbol"), "E-FUT") << "a new row arrives complete: " << created;
  EXPECT_EQ(created.as_object().size(), 19u) << created;

  scan::SnapshotDelta change;
  change.rows = {test::make_delta_row(5, "E-FUT", 51, 1.0, true)};
  change.rows[0].version = 9;
  change.rows[0].ema_short = std::nullopt;  // unchanged (was null too)
  hub.publish_rows(change);
  const auto changed = next_delta_row(ws_rows);
  ASSERT_FALSE(changed.is_null());
  EXPECT_EQ(changed, json::parse(R"({"segment":"NSE_FNO","security_id":5,"version":9,"ltp":51.0})"));

  // Socket.IO consumers replace rows: they still get every member.
  json::value full;
  for (int i = 0; i < 20 && (full.is_null() || full.at("ltp") != 51.0); ++i) full = next_delta_row(sio_rows);
  ASSERT_FALSE(full.is_null());
  EXPECT_EQ(full.at("ltp"), 51.0);
  EXPECT_EQ(full.at("symbol"), "E-FUT");
  EXPECT_EQ(full.as_object().size(), 19u);
}

// Attaches to a hub so it serializes rows; receives nothing (the test reads the hub directly).
struct AttachedClient : PushClient {
  void deliver(const PushEvent&) override {}
  bool wants_candles(market::InstrumentKey) const override { return false; }
  void collect_charted(std::vector<market::InstrumentKey>&) const override {}
  PushProtocol protocol() const override { return PushProtocol::kWebSocket; }
};

scan::SnapshotDelta changed_rows(std::uint32_t first, std::uint32_t last, double ltp, std::uint64_t day_volume) {
  scan::SnapshotDelta delta;
  for (std::uint32_t id = first; id <= last; ++id) {
    delta.rows.push_back(test::make_delta_row(id, "S" + std::to_string(id) + "-FUT", ltp, 1.0, true));
    delta.rows.back().day_volume = day_volume;
  }
  return delta;
}

// A hub with one attached client whose serializer runs by hand after each publish.
struct PolledHub {
  PolledHub() { EXPECT_TRUE(hub.attach(client)); }
  void publish(const scan::SnapshotDelta& delta) {
    hub.publish_rows(delta);
    worker.restart();
    worker.poll();
  }
  asio::io_context worker;
  Hub hub{worker.get_executor(), {}};
  std::shared_ptr<AttachedClient> client = std::make_shared<AttachedClient>();
};

TEST(WebPush, AChangeOfMostRowsIsADeltaOfChangedMembersNotASnapshot) {
  PolledHub polled;
  auto& hub = polled.hub;
  const auto publish = [&](const scan::SnapshotDelta& delta) { polled.publish(delta); };
  auto all = changed_rows(1, 250, 10.0, 1);
  all.full = true;
  publish(all);
  const auto snapshot = hub.rows_since(std::nullopt, RowFields::kChanged);
  ASSERT_TRUE(snapshot.snapshot);
  ASSERT_EQ(snapshot.parts.size(), 1u);
  EXPECT_EQ(json::parse(snapshot.parts[0]).at("rows").as_array().size(), 250u);

  // 200 of the 250 rows change their price, then row 1 its volume too.
  publish(changed_rows(1, 200, 11.0, 1));
  publish(changed_rows(1, 1, 11.0, 5));
  const auto delta = hub.rows_since(snapshot.version, RowFields::kChanged);
  ASSERT_FALSE(delta.snapshot) << "a delta of changed members is smaller than any snapshot";
  ASSERT_EQ(delta.parts.size(), 1u) << "no part limit: one part";
  const auto body = json::parse(delta.parts[0]);
  std::map<std::uint32_t, json::object> received;
  for (const auto& row : body.at("rows").as_array()) {
    received[static_cast<std::uint32_t>(row.at("security_id").as_int64())] = row.as_object();
  }
  ASSERT_EQ(received.size(), 200u);
  EXPECT_EQ(received.at(1).at("ltp"), 11.0);
  EXPECT_EQ(received.at(1).at("day_volume"), 5);
  EXPECT_EQ(received.at(200).at("ltp"), 11.0);
  EXPECT_FALSE(received.at(200).contains("day_volume")) << "unchanged members stay out";
  EXPECT_FALSE(received.at(200).contains("symbol"));
  EXPECT_TRUE(hub.rows_since(delta.version, RowFields::kChanged).parts.empty()) << "nothing changed since";

  // Full rows (Socket.IO) are as large either way: most of the table changed, so a snapshot.
  EXPECT_TRUE(hub.rows_since(snapshot.version, RowFields::kAll).snapshot);
  EXPECT_EQ(hub.counters().snapshots, 1u);
}

TEST(WebPush, ALargeDeltaComesInBoundedPartsThatTogetherHoldIt) {
  PolledHub polled;
  auto& hub = polled.hub;
  const auto publish = [&](const scan::SnapshotDelta& delta) { polled.publish(delta); };
  auto all = changed_rows(1, 600, 10.0, 1);  // more rows than the hub installs per lock
  all.full = true;
  publish(all);
  const auto cursor = hub.rows_since(std::nullopt, RowFields::kChanged, 1024).version;
  auto change = changed_rows(1, 290, 11.0, 1);  // under half the table: Socket.IO's full rows stay a delta too
  change.removed = {{2, 600}};
  publish(change);

  for (const auto fields : {RowFields::kChanged, RowFields::kAll}) {
    const auto whole = hub.rows_since(cursor, fields);
    const auto update = hub.rows_since(cursor, fields, 1024);
    ASSERT_FALSE(update.snapshot);
    ASSERT_EQ(whole.parts.size(), 1u);
    ASSERT_GT(update.parts.size(), 2u);
    json::array rows;
    std::size_t largest_row = 0;
    for (std::size_t i = 0; i < update.parts.size(); ++i) {
      const auto part = json::parse(update.parts[i]).as_object();
      EXPECT_EQ(part.at("version"), update.version);
      EXPECT_EQ(part.contains("removed"), i + 1 == update.parts.size()) << "removed keys ride in the last part";
      for (const auto& row : part.at("rows").as_array()) {
        largest_row = std::max(largest_row, json::serialize(row).size());
        rows.push_back(row);
      }
      // A part ends at the row that reaches the limit (re-serialized rows may differ in length a little).
      EXPECT_LE(update.parts[i].size(), 1024 + 2 * largest_row);
      if (i + 1 < update.parts.size()) {
        EXPECT_GE(update.parts[i].size(), 1024u) << "no part ends early";
      }
    }
    const auto expected = json::parse(whole.parts[0]);
    EXPECT_EQ(expected.at("rows").as_array().size(), 290u);
    EXPECT_EQ(rows, expected.at("rows").as_array()) << "the parts hold the whole delta, in order";
    EXPECT_EQ(json::parse(update.parts.back()).at("removed"), expected.at("removed"));
  }
}

TEST(WebPush, AnAlertGoesOutBetweenThePartsOfALargeDelta) {
  WebOptions options;
  options.push.rows_frame_bytes = 1;  // every row its own frame
  // The connect snapshot pulls at once, the next pull a second later: by
  // then the hub has installed every row (it does so a chunk per lock), so
  // that pull is one update of all of them.
  options.push.rows_interval = std::chrono::milliseconds(1000);
  Server server(options);
  auto& hub = server.web().hub();
  WsClient client(server.port(), "/ws");
  ASSERT_FALSE(client.read_type("snapshot").is_null());
  // ~8 MB of frames: more than the sockets buffer, so the server is still
  // writing the update when the alert comes.
  constexpr std::size_t kRows = 20000;
  hub.publish_rows(changed_rows(1, kRows, 10.0, 1));
  const auto first = client.read_type("rows");
  ASSERT_FALSE(first.is_null());
  const auto version = first.at("data").at("version");
  hub.publish_alert(test::make_alert(7, "S1-FUT", "breakout"));
  // Read on to the alert: rows parts of the same update must still follow it.
  std::size_t parts_before = 1;
  bool alerted = false;
  std::size_t parts_after = 0;
  for (std::size_t i = 0; i < kRows + 100; ++i) {
    const auto text = client.read();
    if (text.empty()) break;
    const auto message = json::parse(text);
    if (message.at("type") == "alert") {
      alerted = true;
    } else if (message.at("type") == "rows" && message.at("data").at("version") == version) {
      ++(alerted ? parts_after : parts_before);
      if (message.at("data").as_object().contains("removed")) break;  // the last part
    }
  }
  ASSERT_TRUE(alerted);
  EXPECT_EQ(parts_before + parts_after, kRows) << "one update, one frame per row";
  EXPECT_GT(parts_after, 0u) << "the alert waited for the whole delta (" << parts_before << " frames)";
}

// After a large rows update the next one waits for the client's byte
// budget (here seconds), though rows_interval alone would allow one every
// 10 ms; an alert still goes out at once.
TEST(WebPush, RowsUpdatesKeepToTheByteBudgetAndAlertsDoNotWait) {
  WebOptions options;
  options.push.rows_interval = std::chrono::milliseconds(10);
  options.push.rows_bytes_per_second = 10 * 1024;
  Server server(options);
  auto& hub = server.web().hub();
  WsClient client(server.port(), "/ws");
  ASSERT_FALSE(client.read_type("snapshot").is_null());
  hub.publish_rows(changed_rows(1, 2000, 10.0, 1));
  std::size_t bytes = 0;
  for (;;) {  // the whole update, every part
    const auto text = client.read();
    ASSERT_FALSE(text.empty()) << "the update did not arrive whole";
    const auto message = json::parse(text);
    if (message.at("type") != "rows") continue;
    bytes += text.size();
    if (message.at("data").as_object().contains("removed")) break;
  }
  // Even a pull that met the hub still installing rows is > 0.5 s of budget.
  ASSERT_GT(bytes, 5u * 1024) << "the update must be large enough to use the budget";

  hub.publish_rows(changed_rows(1, 10, 11.0, 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // 30 rows intervals
  hub.publish_alert(test::make_alert(7, "S1-FUT", "breakout"));
  std::string first;
  for (int i = 0; i < 50 && first.empty(); ++i) {
    const auto text = client.read();
    ASSERT_FALSE(text.empty());
    const auto type = json::parse(text).at("type").as_string();
    if (type == "rows" || type == "alert") first = type;
  }
  EXPECT_EQ(first, "alert") << "a rows update went out inside the byte budget's pause";
}

TEST(WebPush, UpgradeChecksOriginAndToken) {
  {
    Server server;
    WsClient foreign(server.port(), "/ws", {{"Origin", "http://evil.example"}});
    EXPECT_TRUE(foreign.error());
    EXPECT_EQ(foreign.response().result(), http::status::forbidden);
  }
  Server server(token_options());
  WsClient anonymous(server.port(), "/ws");
  EXPECT_EQ(anonymous.response().result(), http::status::unauthorized);
  WsClient bearer(server.port(), "/ws", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_FALSE(bearer.error());
  EXPECT_FALSE(bearer.read_type("hello").is_null());
}

TEST(WebSocketIo, EngineIoHandshakePingAndEventFraming) {
  WebOptions options;
  options.push.ping_interval = std::chrono::milliseconds(200);
  Server server(options);
  WsClient client(server.port(), "/socket.io/?EIO=4&transport=websocket");
  ASSERT_FALSE(client.error());
  const auto open = client.read();
  ASSERT_TRUE(open.starts_with("0{")) << open;
  const auto handshake = json::parse(std::string_view(open).substr(1));
  EXPECT_EQ(handshake.at("pingInterval"), 200);
  EXPECT_TRUE(handshake.at("upgrades").as_array().empty());
  client.send("40");
  bool connected = false;
  bool pinged = false;
  bool alerted = false;
  for (int i = 0; i < 100 && !(connected && pinged && alerted); ++i) {
    const auto packet = client.read();
    ASSERT_FALSE(packet.empty());
    if (packet.starts_with("40{")) {
      connected = true;
      server.web().hub().publish_alert(test::make_alert(9, "SIO-FUT", "breakout"));
    } else if (packet == "2") {
      pinged = true;
      client.send("3");
    } else if (packet.starts_with(R"(42["alert",)")) {
      const auto event = json::parse(std::string_view(packet).substr(2));
      EXPECT_EQ(event.at(1).at("symbol"), "SIO-FUT");
      alerted = true;
    }
  }
  EXPECT_TRUE(connected && pinged && alerted);
}

// The real socket.io-client npm package (tests/integration/node) receives an alert event.
TEST(SocketIoClient, ReceivesAlertEvent) {
  Server server;
  const std::filesystem::path dir = FNO_NODE_TEST_DIR;
  ASSERT_TRUE(std::filesystem::exists(dir / "node_modules" / "socket.io-client")) << "npm ci did not run";
  const auto log = std::filesystem::temp_directory_path() / ("fno_socketio_" + std::to_string(::getpid()) + ".log");
  fno::test::ChildProcess node({FNO_NODE_BIN, (dir / "socketio_alert.mjs").string(), std::to_string(server.port())}, dir, {},
                          log);
  std::optional<int> exit_code;
  for (int i = 0; i < 200 && !exit_code; ++i) {
    server.web().hub().publish_alert(test::make_alert(11, "NODE-FUT", "breakout"));
    exit_code = node.wait(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(exit_code, 0) << node.output();
  EXPECT_NE(node.output().find("\"symbol\":\"NODE-FUT\""), std::string::npos) << node.output();
}

}  // namespace
}  // namespace fno::web
