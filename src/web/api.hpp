// api.hpp
//
// The REST endpoints of docs/API.md (/api/... and /metrics) over an
// ApiBackend: parameter parsing with field-naming errors, JSON shapes, the
// streamed CSV export, status codes. Authentication happens before (Router).
// Runs on the web worker thread (one thread); CSV chunks are produced there
// too, one page at a time, so memory stays bounded for any export size.
// The last /api/scanner answer is kept with the rows it came from and
// served again while the backend hands out the same rows (one engine
// publish) for the same request target. The last /api/status answer is kept
// for kStatusMaxAge and handed out by cached_status() on any thread, so the
// server's I/O thread can answer status polls without a hop to the worker;
// once it is older than kStatusRefreshAge one rebuild is posted to the
// worker while the old answer is still served, so no poll waits for one.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "web/backend.hpp"
#include "web/http_server.hpp"
#include "web/metrics.hpp"
#include "web/query.hpp"

namespace fno::web {

class Api {
 public:
  // `worker` runs CSV chunk production; `counters` reports the server's own figures.
  Api(ApiBackend& backend, boost::asio::any_io_executor worker, std::function<WebCounters()> counters);

  // How old a cached /api/status answer may be: the feed figures in it are
  // refreshed once a second anyway (the app's housekeeping tick).
  static constexpr std::chrono::milliseconds kStatusMaxAge{1000};
  // From this age on, a served cached answer posts one rebuild to the worker.
  static constexpr std::chrono::milliseconds kStatusRefreshAge{500};

  // Answers a request for /metrics or a path under /api/.
  Reply handle(const Request& req, const Query& query);
  // The last GET /api/status answer while younger than kStatusMaxAge (and
  // a rebuild on the worker when it is due). Any thread.
  std::optional<Response> cached_status(const Request& req);

 private:
  Reply status(const Request& req);
  Reply metrics(const Request& req);
  Reply scanner(const Request& req, const Query& query);
  Reply search(const Request& req, const Query& query);
  Reply alerts(const Request& req, const Query& query);
  Reply alerts_csv(const Request& req, const Query& query);
  Reply watchlists(const Request& req, const Query& query);
  Reply settings(const Request& req);
  Reply strategies(const Request& req);
  Reply candles(const Request& req, const Query& query);
  Reply backtests(const Request& req, const Query& query);

  struct ScannerAnswer {
    ScannerRows rows;
    std::string target;
    std::string body;
  };
  struct StatusAnswer {
    boost::beast::http::status status;
    std::string body;
    std::chrono::steady_clock::time_point built;
  };
  // Worker: a fresh answer from the backend, kept as the last one.
  std::shared_ptr<const StatusAnswer> rebuild_status();
  std::shared_ptr<const StatusAnswer> last_status() const;

  ApiBackend& backend_;
  boost::asio::any_io_executor worker_;
  std::function<WebCounters()> counters_;
  ScannerAnswer last_scanner_;
  mutable std::mutex status_mu_;
  std::shared_ptr<const StatusAnswer> last_status_;  // guarded by status_mu_
  std::atomic<bool> status_rebuild_posted_{false};
};

// Helpers shared with the router.
Response api_error(const Request& req, const ApiError& error);
Response api_ok(const Request& req, const boost::json::value& body,
                boost::beast::http::status status = boost::beast::http::status::ok);
Response method_not_allowed(const Request& req, std::string_view allow);

// A backtest id as GET /api/backtests/{id} accepts it: 1..128 letters,
// digits, '.', '_' or '-', not starting with '.' (so never a path).
bool valid_backtest_id(std::string_view id);

}  // namespace fno::web
