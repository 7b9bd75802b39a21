// history_client.hpp
//
// Dhan's charts REST endpoints as values: builds `POST /charts/intraday`
// (1-minute candles) and `POST /charts/historical` (daily candles) requests,
// and maps a reply to candles or to what the caller should do next (retry,
// back off, give up on the instrument, stop everything). `HistoryClient`
// sends one request through the shared keep-alive `net::HttpClient`.
//
// Owns no scheduling, rate limit or retry policy (history_loader.hpp does).
// Never blocks; callbacks run on the HttpClient's io_context. Messages are
// redacted: no token, header or URL secret ever reaches a message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dhan/instruments.hpp"
#include "market/calendar.hpp"
#include "market/candle.hpp"
#include "market/instrument_key.hpp"
#include "net/http_client.hpp"

namespace fno::dhan {

inline constexpr std::int64_t kMaxIntradayRequestSeconds = 90 * market::kSecondsPerDay;

enum class ChartKind : std::uint8_t { kIntraday1m, kDaily };

// One chart request: candles with start in [from, to) (IST wall seconds).
struct ChartRequest {
  market::InstrumentKey key;
  InstrumentType type = InstrumentType::kFutIdx;
  ChartKind kind = ChartKind::kIntraday1m;
  market::IstSeconds from = 0;
  market::IstSeconds to = 0;
};

struct HistoryEndpoint {
  std::string base_url;  // "https://api.dhan.co/v2" (no trailing slash needed)
  std::string client_id;
  std::string access_token;
  std::chrono::milliseconds timeout{30'000};
};

enum class ChartStatus : std::uint8_t {
  kOk,           // candles (possibly none)
  kNoData,       // DH-907: no data for these parameters (new contract): not an error
  kRateLimited,  // 429 / DH-904: back off (retry_after when the server said) and retry
  kRetryable,    // network error, 5xx, DH-908/909, unreadable reply: bounded retries
  kRejected,     // DH-905 or another 4xx: this request will never succeed
  kFatal,        // DH-901/902, 401/403: credentials or subscription; stop the warm-up
};

struct ChartResult {
  ChartStatus status = ChartStatus::kRetryable;
  std::vector<market::Candle> candles;  // oldest first (kOk only)
  std::optional<std::chrono::milliseconds> retry_after;
  std::string message;  // redacted, for logs and the UI
};

std::string_view chart_status_name(ChartStatus status);

// The one place that pins Dhan's REST clock: timestamps are true UTC epoch
// seconds of the candle START (PROTOCOL.md); candles use IST wall seconds.
constexpr market::IstSeconds candle_start_from_rest(std::int64_t utc_epoch_seconds) {
  return market::ist_from_utc(utc_epoch_seconds);
}

// JSON body for a request (dates as "YYYY-MM-DD HH:MM:SS" IST).
std::string chart_request_body(const ChartRequest& request);
net::HttpRequest build_chart_request(const HistoryEndpoint& endpoint, const ChartRequest& request);

// Parses Dhan's parallel-array reply; nullopt (with `error`) when malformed.
std::optional<std::vector<market::Candle>> parse_chart_candles(std::string_view body, std::string& error);
// Maps a whole HTTP reply; `secrets` are masked out of the message.
ChartResult classify_chart_response(const net::HttpResponse& response, const std::vector<std::string>& secrets);

class HistoryClient {
 public:
  HistoryClient(net::HttpClient& http, HistoryEndpoint endpoint);

  using Callback = std::function<void(ChartResult)>;
  // `done` is called exactly once, on the HttpClient's io_context.
  void fetch(const ChartRequest& request, Callback done);

 private:
  net::HttpClient& http_;
  HistoryEndpoint endpoint_;
  std::vector<std::string> secrets_;
};

}  // namespace fno::dhan
