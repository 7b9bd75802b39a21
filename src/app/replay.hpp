// replay.hpp
//
// `fno-scanner replay FILE`: feeds a feed recording (record/) through the
// live path - dhan codec -> Engine -> AlertService -> AlertStore - into its
// own alert database. Deterministic: candle timers run on the recorded
// receive times, one step per recorded second, in order with the packets
// (each step waits until the engine has taken every earlier packet), never on
// the wall clock, so the same file always yields the same alerts. A feed gap
// recorded by the live run (connection lost) reaches the scanner at the same
// point. Damage in the file ends the replay after everything before it and
// is reported, never hidden.
//
// With `web`, the dashboard (the live run's web server, API and /ws push)
// serves the replay's engine, board and alert store as mode "replay": it
// shows the session as it plays, refuses watchlist and settings changes, and
// keeps serving after the file ends until SIGINT/SIGTERM (which also stops a
// replay still playing).
//
// Runs on the calling thread plus the engine and store threads it owns (and
// with `web` a network thread for the stop signals and the dashboard's web
// thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "app/config.hpp"
#include "dhan/instruments.hpp"
#include "market/calendar.hpp"

namespace fno::app {

struct ReplayResult;

// `replay --web`: bind and port come from config.web, loopback by default.
struct ReplayWeb {
  std::string dashboard_token;  // DASHBOARD_TOKEN: required for a non-loopback bind
};

struct ReplayOptions {
  std::filesystem::path file;
  std::optional<double> speed;  // recorded seconds per wall second; nullopt: as fast as possible
  std::optional<int> from;      // IST seconds of day; earlier frames of the first day are skipped
  std::filesystem::path db_path;
  Config config;  // scanner rules, strategies, market calendar, instruments source
  std::optional<ReplayWeb> web;
  // Called once the file is played and its alerts are stored (with `web`,
  // before the dashboard's wait for a stop signal).
  std::function<void(const ReplayResult&)> on_finished;
};

struct ReplayResult {
  std::uint64_t frames = 0;    // fed to the decoder
  std::uint64_t skipped = 0;   // before --from
  std::uint64_t packets = 0;
  std::uint64_t alerts = 0;    // new alert rows committed
  std::string damage;          // empty when the whole file was read
  bool interrupted = false;    // `web`: a stop signal ended the replay before the file did
};

// What a recording's header says about the run that made it.
struct RecordingMetadata {
  bool demo = false;
  bool always_open = false;  // the demo's round-the-clock market
};
RecordingMetadata parse_recording_metadata(const std::string& text);

// After the last frame, run the timer this far on so the last candles close
// as the live engine's wall-clock timer would have closed them.
inline constexpr market::IstSeconds kFinalTimerLead = 120;

// IST seconds of a frame's receive time (UTC nanoseconds).
market::IstSeconds ist_of(std::int64_t receive_ns);

// The instrument master the recording was made with: the simulator's for a
// demo recording, the configured (cached) one for a live recording; empty
// (with a warning) when unavailable, so results name security ids instead.
std::shared_ptr<const dhan::InstrumentTable> load_instruments(const Config& config, bool demo);

// Default database for a replay of `file`: replay-<file stem>.db in the
// current directory, never the live alerts.db.
std::filesystem::path default_replay_db(const std::filesystem::path& file);

// `web`: the dashboard cannot listen (address in use, non-loopback bind
// without DASHBOARD_TOKEN). The message names no secret.
class DashboardError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws record::RecordingError when the file cannot be read at all, and
// DashboardError.
ReplayResult replay_recording(const ReplayOptions& options);

}  // namespace fno::app
