#include "app/scanner_app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <thread>

#include "app/version.hpp"
#include "market/calendar.hpp"
#include "web/http_server.hpp"

namespace fno::app {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

const char* mode_name(Mode mode) { return mode == Mode::kLive ? "live" : "demo"; }

market::IstSeconds ist_now() {
  const auto utc = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return market::ist_from_utc(utc.count());
}

market::MarketCalendar nse_calendar(const Config& config) {
  const auto it = config.market.sessions.find("NSE_FNO");
  const market::SessionHours hours = it == config.market.sessions.end() ? market::SessionHours{} : it->second;
  return market::MarketCalendar(hours, config.market.holidays);
}

json::object status_json(const RunOptions& options, const market::MarketCalendar& calendar,
                         std::chrono::steady_clock::time_point started) {
  const auto now = ist_now();
  const bool open = calendar.is_open(now);
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  return json::object{
      {"status", "ok"},
      {"mode", mode_name(options.mode)},
      {"version", kVersion},
      {"uptime_seconds", uptime.count()},
      {"active_symbols", 0},
      {"total_alerts", 0},
      {"connection_status", "not started"},
      {"market", {{"open", open},
                  {"status", open ? "open" : "closed"},
                  {"next_change_ist", market::format_ist(open ? calendar.next_close(now) : calendar.next_open(now))}}},
  };
}

web::Response route(const RunOptions& options, const market::MarketCalendar& calendar,
                    std::chrono::steady_clock::time_point started, const web::Request& req) {
  if (req.target() == "/api/status") {
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return web::json_response(req, http::status::method_not_allowed,
                                R"({"error":{"code":"method_not_allowed","message":"use GET"}})");
    }
    return web::json_response(req, http::status::ok, json::serialize(status_json(options, calendar, started)));
  }
  return web::json_response(req, http::status::not_found,
                            R"({"error":{"code":"not_found","message":"no such endpoint"}})");
}

}  // namespace

int run_scanner(const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const market::MarketCalendar calendar = nse_calendar(options.config);
  spdlog::info("fno-scanner {} starting in {} mode (config {})", kVersion, mode_name(options.mode),
               options.config_path);
  if (options.mode == Mode::kDemo) {
    spdlog::info("demo mode: no Dhan credentials in the environment or .env; using the built-in simulator");
  }
  const auto now = ist_now();
  spdlog::info("market {} (IST {}), next {} at {}", calendar.is_open(now) ? "open" : "closed",
               market::format_ist(now), calendar.is_open(now) ? "close" : "open",
               market::format_ist(calendar.is_open(now) ? calendar.next_close(now) : calendar.next_open(now)));

  asio::io_context io;
  std::unique_ptr<web::HttpServer> server;
  try {
    server = std::make_unique<web::HttpServer>(
        io, options.config.web.bind, options.config.web.port,
        [&](const web::Request& req) { return route(options, calendar, started, req); });
  } catch (const boost::system::system_error& e) {
    spdlog::error("cannot listen on {}:{}: {}", options.config.web.bind, options.config.web.port, e.code().message());
    return 1;
  }
  spdlog::info("dashboard and API at http://{}:{}/ (health: /api/status)", options.config.web.bind, server->port());

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    server->stop();
    io.stop();
  });
  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace fno::app
