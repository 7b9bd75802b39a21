// rest_api.hpp
//
// The simulator's HTTP endpoints, as Dhan serves them:
//   POST /v2/charts/intraday    1/5/15/25/60-minute candles (≤ 90 days)
//   POST /v2/charts/historical  daily candles (toDate exclusive)
//   GET  /master.csv            instrument master in the compact format, with ETag
// Responses use Dhan's shapes: parallel arrays with true-UTC epoch timestamps
// (candle start), errors as {"errorType","errorCode","errorMessage"}; header
// auth (`access-token`, `client-id`); 5 requests/s → 429 + DH-904.
// Candles come from the MarketModel, so history ends where the live walk
// starts. Handlers never block. Not thread-safe: owned by the simulator's
// io_context thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "market/calendar.hpp"
#include "sim/market_model.hpp"
#include "web/http_server.hpp"

namespace fno::sim {

inline constexpr std::string_view kIntradayPath = "/v2/charts/intraday";
inline constexpr std::string_view kHistoricalPath = "/v2/charts/historical";
inline constexpr std::string_view kMasterPath = "/master.csv";

struct RestOptions {
  std::string client_id;     // empty: any non-empty value is accepted
  std::string access_token;  // empty: any non-empty value is accepted
  std::size_t requests_per_second = 5;
  int max_intraday_days = 90;
};

class RestApi {
 public:
  using Clock = std::chrono::steady_clock;
  RestApi(const MarketModel& model, const market::MarketCalendar& calendar, std::string master_csv, RestOptions options);

  // Routes one request; `now` drives the rate limiter.
  web::Response handle(const web::Request& req, Clock::time_point now);
  std::uint64_t rate_limited() const { return rate_limited_; }
  // Server-side throttling (a scenario's 429 burst): the limit from now on.
  void set_requests_per_second(std::size_t limit) { options_.requests_per_second = limit; }
  std::size_t requests_per_second() const { return options_.requests_per_second; }

 private:
  web::Response charts(const web::Request& req, bool intraday);
  web::Response master(const web::Request& req) const;
  bool admit(Clock::time_point now);
  bool authorised(const web::Request& req) const;

  const MarketModel& model_;
  const market::MarketCalendar& calendar_;
  std::string master_csv_;
  std::string master_etag_;
  RestOptions options_;
  std::deque<Clock::time_point> recent_;  // admitted requests in the last second
  std::uint64_t rate_limited_ = 0;
};

}  // namespace fno::sim
