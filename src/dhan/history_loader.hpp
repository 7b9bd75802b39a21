// history_loader.hpp
//
// Warms the scanner up with 1-minute history from Dhan's intraday REST
// endpoint, alongside live data. For each instrument: what the candle cache
// lacks of the last `hist_days` calendar days (history_plan.hpp) is fetched
// in ≤ 90-day requests, stored, and the newest `deliver_candles` candles
// (the scanner keeps 400) are handed over in ONE batch, oldest first, via
// `on_candles`. The scanner merges them with live candles (live wins for the
// overlapping minute), so this never has to know about live data.
//
// Limits: `fetch_concurrency` requests in flight, the server's sliding
// window of `requests_per_second` (history_rate_limit.hpp), 429/DH-904 → the
// whole loader pauses (Retry-After when given, else exponential backoff), the
// limiter's admission bound widens, and the request is retried; network errors, 5xx, DH-908/909 → bounded retries with
// backoff; DH-905 → that instrument failed; DH-907 → "no history" for that
// instrument (new contract, not an error); DH-901/902 → everything stops and
// `on_fatal` gets a clear message. A failed instrument still gets what the
// cache holds. hist_days 0, a fatal error or failures never stop the
// scanner: strategies then warm up from live candles.
//
// Threads: everything runs on the network io_context and never blocks it.
// SQLite work runs on one private worker thread (cache open + prune + plan
// in one job at start, then one short transaction per instrument); results
// are posted back. Fetched-but-unstored instruments are bounded (fetching
// pauses while 2 × fetch_concurrency wait for the worker). Construct, call,
// and destroy on the network thread; callbacks run there. Destruction stops
// the worker (waiting for at most its current job).
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dhan/history_options.hpp"
#include "dhan/instruments.hpp"
#include "market/candle.hpp"
#include "market/instrument_key.hpp"
#include "net/http_client.hpp"

namespace fno::dhan {

struct HistoryRequest {
  market::InstrumentKey key;
  InstrumentType type = InstrumentType::kFutIdx;  // the request's "instrument" field
};

struct HistoryCallbacks {
  std::function<void(market::InstrumentKey, std::vector<market::Candle>)> on_candles;
  std::function<void()> on_done;                     // once, when every instrument is resolved
  std::function<void(const std::string&)> on_fatal;  // once, instead of on_done
};

// For /api/status and the dashboard's progress bar.
struct HistoryProgress {
  std::size_t total = 0;       // instruments to warm up (0: warm-up off)
  std::size_t done = 0;        // resolved with history, from cache or with none to get
  std::size_t failed = 0;      // gave up (retries exhausted, rejected)
  std::size_t no_history = 0;  // part of `done`: Dhan had nothing (DH-907 / empty)
  std::size_t from_cache = 0;  // part of `done`: no request was needed
  std::uint64_t requests = 0;  // HTTP requests sent, retries included
  std::uint64_t rate_limited = 0;
  std::uint64_t retries = 0;
  std::size_t in_flight = 0;
  std::size_t max_in_flight = 0;
  std::optional<double> eta_seconds;  // while running: queued requests at the configured rate
  bool running = false;
  bool fatal = false;
};

class HistoryLoader {
 public:
  HistoryLoader(boost::asio::io_context& io, net::HttpClient& http, HistoryOptions options,
                HistoryCallbacks callbacks);
  ~HistoryLoader();
  HistoryLoader(const HistoryLoader&) = delete;
  HistoryLoader& operator=(const HistoryLoader&) = delete;

  // Starts the warm-up of `instruments` as of `now` (IST). Call once.
  void start(std::vector<HistoryRequest> instruments, market::IstSeconds now);
  HistoryProgress progress() const;
  // Abandons the warm-up: no more requests or callbacks.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace fno::dhan
