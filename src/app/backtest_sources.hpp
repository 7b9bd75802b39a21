// backtest_sources.hpp
//
// Where `fno-scanner backtest` gets closed 1-minute candles, per instrument,
// oldest first, with start inside the asked IST window:
//   cache           the history cache the live run fills (history.cache_path,
//                   default history_cache.db beside db_path); read only.
//   rest            Dhan's charts REST (history.url) through the live run's
//                   HistoryLoader: its rate limit, retries and backoff. Does
//                   not write the cache. Needs DHAN_CLIENT_ID/DHAN_ACCESS_TOKEN
//                   unless the URL is loopback (the simulator).
//   recording:FILE  a feed recording, decoded and cut into candles by the
//                   live CandleBuilder rules, timers on the recorded receive
//                   times as `replay` runs them.
// Instruments are trading symbols or SEGMENT:ID; none = every instrument the
// source has (rest: the configured universe, or the simulator's master).
// Blocking, on the caller's thread (rest adds one network thread it owns).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "app/credentials.hpp"
#include "dhan/history_plan.hpp"
#include "market/candle.hpp"
#include "scan/backtest.hpp"

namespace fno::app {

// The rest source needs Dhan credentials and has none.
class MissingCredentials : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CandleSource {
  enum class Kind { kCache, kRest, kRecording };
  Kind kind = Kind::kCache;
  std::filesystem::path file;  // kRecording
  // "cache", "rest", "recording:FILE"
  std::string name() const;
};

// "cache" | "rest" | "recording:FILE". Throws std::invalid_argument.
CandleSource parse_candle_source(std::string_view text);

struct CandleQuery {
  CandleSource source;
  // Candle starts in [from, to); nullopt: everything (recordings only).
  std::optional<dhan::IstRange> window;
  std::vector<std::string> instruments;  // as given on the command line
  Config config;
  Credentials credentials;
};

struct SourcedInstrument {
  scan::BacktestInstrument instrument;
  std::vector<market::Candle> candles;
};

struct SourcedCandles {
  std::vector<SourcedInstrument> instruments;  // by (segment, security id)
  bool always_open = false;                    // a demo recording of the round-the-clock market
  std::string damage;                          // recordings: why reading stopped early; empty when whole
  std::size_t candle_count() const;
};

// Throws std::invalid_argument (unknown instrument, window missing),
// MissingCredentials, std::runtime_error (source unreadable or a fatal REST
// error) and record::RecordingError (not a recording).
SourcedCandles load_candles(const CandleQuery& query);

}  // namespace fno::app
