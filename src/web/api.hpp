// api.hpp
//
// The REST endpoints of docs/API.md (/api/... and /metrics) over an
// ApiBackend: parameter parsing with field-naming errors, JSON shapes, the
// streamed CSV export, status codes. Authentication happens before (Router).
// Runs on the web worker thread; CSV chunks are produced there too, one
// page at a time, so memory stays bounded for any export size.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <functional>

#include "web/backend.hpp"
#include "web/http_server.hpp"
#include "web/metrics.hpp"
#include "web/query.hpp"

namespace fno::web {

class Api {
 public:
  // `worker` runs CSV chunk production; `counters` reports the server's own figures.
  Api(ApiBackend& backend, boost::asio::any_io_executor worker, std::function<WebCounters()> counters);

  // Answers a request for /metrics or a path under /api/.
  Reply handle(const Request& req, const Query& query);

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

  ApiBackend& backend_;
  boost::asio::any_io_executor worker_;
  std::function<WebCounters()> counters_;
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
