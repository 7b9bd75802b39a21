// scenario.hpp
//
// A scripted simulator session: at simulated second T, do X (drive a
// breakout on instrument S with volume × k, force an EMA crossover, stall or
// drop connections, send garbage/truncated/oversized frames or a disconnect
// code, slow the writes down, slow the REST replies down or answer them with
// 429s). Loaded from JSON or built in C++ (the demo's rotating
// breakouts). Scripted market moves come with their ground truth: the alert
// a scanner with the default rules must raise, and the window it falls in.
// Pure value code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "market/calendar.hpp"
#include "market/instrument_key.hpp"
#include "sim/universe.hpp"

namespace fno::sim {

enum class Action : std::uint8_t {
  kBreakout,    // close above the max TP of the last 50 candles, volume × k (skipped, without
                //   ground truth, when the last candle already closed above it or EMA 8 would
                //   not end above EMA 13: the default rules could not alert)
  kEmaCross,    // dip for 3 minutes, then rally: EMA 8 crosses above EMA 13
  kStall,       // stop sending data, keep sockets open (for `duration` s; 0 = forever)
  kDrop,        // close every feed socket abruptly
  kGarbage,     // send a frame of random bytes
  kTruncated,   // send a frame holding half a quote packet
  kDisconnect,  // send disconnect packet `code` and close
  kSlow,        // delay every write by `delay_ms` for `duration` s
  kOversized,   // send one binary frame larger than a client's 1 MiB message limit
  kRestSlow,    // delay every REST reply by `delay_ms` for `duration` s
  kRestLimit,   // cut the REST rate limit to `rate` requests/s (0: every chart request 429s) for `duration` s
};
std::string_view to_string(Action action);

struct ScenarioStep {
  double at = 0;  // simulated seconds since start
  Action action = Action::kBreakout;
  market::InstrumentKey instrument;  // market actions
  double volume_multiplier = 4.0;
  std::uint16_t code = 805;  // kDisconnect
  double duration = 0;       // simulated seconds: kStall, kSlow, kRestSlow, kRestLimit
  int delay_ms = 200;        // kSlow, kRestSlow
  double rate = 0;           // kRestLimit
};

struct Scenario {
  std::vector<ScenarioStep> steps;  // any order; run by `at`
};

// The scanner rules a scripted breakout is checked against before it is
// promised as ground truth (a step those rules would refuse is skipped and
// counted): the defaults, or what a test's scanner is configured with.
struct GroundTruthRules {
  std::size_t lookback = 50;  // resistance window
  int ema_short = 8;          // trend filter: EMA short > EMA long
  int ema_long = 13;
};

// The alert a market step must produce: strategy "breakout" or "ema_cross"
// on `instrument` for a 1-minute candle starting in [earliest, latest].
struct ExpectedAlert {
  market::InstrumentKey instrument;
  std::string strategy;
  market::IstSeconds earliest = 0;
  market::IstSeconds latest = 0;
};

// {"steps": [{"at": 30, "action": "breakout", "segment": "NSE_FNO",
//   "security_id": "49229", "volume_multiplier": 4}, {"at": 90, "action":
//   "disconnect", "code": 807}, ...]}. Throws std::invalid_argument.
Scenario parse_scenario(std::string_view json);

// Demo script: a breakout every `interval` seconds from `first` on, rotating
// through the universe, with an EMA cross every third slot, for `count` steps.
Scenario demo_scenario(const std::vector<SimInstrument>& universe, std::size_t count = 240, double first = 20,
                       double interval = 60);

// Seconds from `start` to 15 s into the first whole minute after it, for the
// demo's first step: the minute a scanner connects in is a partial candle it
// never evaluates, so a breakout driven there would never alert. With the
// 60 s interval every later step also lands 15 s into its minute.
double demo_first_step(market::IstSeconds start);

}  // namespace fno::sim
