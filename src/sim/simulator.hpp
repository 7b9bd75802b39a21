// simulator.hpp
//
// A local stand-in for Dhan that speaks the real protocol on one loopback
// port: the WebSocket v2 feed (ws:// or wss://), the charts REST endpoints
// and the instrument master CSV (routed by path and Upgrade header). It runs
// on the caller's io_context, so demo mode embeds it next to the real feed
// client and integration tests drive it in-process.
//
// Feed behaviour (docs/PROTOCOL.md): query-string auth (version=2, token,
// clientId, authType=2; bad → disconnect 808/809 then close), ≤ 100
// instruments per message and ≤ 5,000 per connection (804), ≤ 5 connections
// per client id (a 6th makes the oldest receive 805), RequestCode 12 and
// unsubscribe codes, the SDK's stray binary header tolerated, pings every
// `ping_interval`, clients silent for `idle_timeout` dropped. On subscribe:
// a prev-close packet per instrument, then ticker (15), quote + OI (17) or
// full (21) packets as the market model trades.
//
// `GET /sim/status` (not a Dhan endpoint) reports the simulated clock, the
// counters and the ground truth of the scripted steps run so far, so a test
// driving the standalone `fno-scanner sim` can check a scanner against it.
//
// Threading: construct, destroy and call stop() on the io_context's thread
// (or before it runs). Fault-injection methods and counters() may be called
// from any thread: they post to the io_context / read atomics.
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "market/calendar.hpp"
#include "sim/scenario.hpp"
#include "sim/universe.hpp"

namespace fno::sim {

inline constexpr std::string_view kStatusPath = "/sim/status";

struct SimulatorOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: pick a free port
  bool tls = false;        // wss:// + https:// with a generated self-signed cert
  std::vector<SimInstrument> instruments;  // empty: the embedded default universe
  std::uint64_t seed = 1;
  double ticks_per_second = 1.0;  // per instrument
  double speed = 1.0;             // simulated seconds per real second
  bool always_open = false;       // trade outside session hours (demo; labelled as such)
  std::optional<market::IstSeconds> start_time;  // simulated clock at start; default: now
  market::MarketCalendar calendar;
  std::chrono::milliseconds ping_interval{10000};
  std::chrono::milliseconds idle_timeout{40000};
  std::chrono::milliseconds tick_interval{100};  // market model step
  // Feed sockets set TCP_NODELAY unless true: each frame leaves at once, as
  // from an exchange feed server; with Nagle, frames coalesce on a busy
  // connection (fewer, larger TCP segments for the client to read).
  bool nagle = false;
  // Frames are written through one buffer (sim/coalescing_stream.hpp): each
  // TLS record and TCP segment carries many frames, as from a busy server
  // that writes through a buffer. Off: one write, record and segment per frame.
  bool coalesce_writes = false;
  std::string client_id;     // empty: any non-empty value is accepted
  std::string access_token;  // empty: any non-empty value is accepted
  std::size_t max_instruments_per_message = 100;
  std::size_t max_instruments_per_connection = 5000;
  std::size_t max_connections_per_client = 5;
  std::size_t packets_per_frame = 1;          // >1 packs several packets into one binary frame
  std::size_t max_queued_frames = 1u << 16;   // per connection; beyond it frames are dropped (counted)
  std::size_t rest_requests_per_second = 5;
  Scenario scenario;
  GroundTruthRules rules;  // what scripted breakouts are checked against
  // Non-empty: write the send times of scripted instruments' minute-opening
  // packets here (sim/send_log.hpp), for latency measurement.
  std::string send_log_path;
};

struct SimulatorCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t auth_failures = 0;
  std::uint64_t subscriptions = 0;  // instruments currently subscribed, all connections
  std::uint64_t packets_sent = 0;
  std::uint64_t frames_dropped = 0;
  std::uint64_t disconnects_sent = 0;
  std::uint64_t rest_requests = 0;
  std::uint64_t rest_in_flight = 0;
  std::uint64_t rest_rate_limited = 0;  // 429s sent
  // Client behaviour, for tests of batching and pacing.
  static constexpr std::uint64_t kNoGap = UINT64_MAX;
  std::uint64_t subscribe_messages = 0;
  std::uint64_t largest_subscribe_message = 0;       // instruments in the biggest one
  std::uint64_t min_subscribe_gap_us = kNoGap;       // shortest gap between two on one connection
  std::uint64_t breakouts_skipped = 0;  // the default rules could not alert (already above resistance, EMAs)
  std::uint64_t feed_writes = 0;        // socket writes of feed frames: one per frame unless coalesce_writes
};

class Simulator {
 public:
  // Binds and starts serving immediately. Throws on a bad bind address / port
  // in use (boost::system::system_error) or TLS setup failure.
  Simulator(boost::asio::io_context& io, SimulatorOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  std::uint16_t port() const;
  // "ws://127.0.0.1:PORT" / "wss://..."; the client appends "/?version=2&token=...".
  std::string feed_url() const;
  // "http(s)://127.0.0.1:PORT/v2"
  std::string rest_base_url() const;
  // "http(s)://127.0.0.1:PORT/master.csv"
  std::string master_url() const;
  // "http(s)://127.0.0.1:PORT/sim/status"
  std::string status_url() const;
  // PEM file of the self-signed certificate (TLS only; empty otherwise).
  std::string ca_file() const;
  bool always_open() const;

  SimulatorCounters counters() const;
  // Ground truth of the scripted market steps run so far.
  std::vector<ExpectedAlert> expected_alerts() const;

  // Fault injection (any thread).
  void drop_connections();                    // abrupt TCP close
  void stall(bool stalled);                   // stop/resume data, sockets stay open
  void send_garbage();                        // one frame of random bytes
  void send_truncated();                      // one frame holding half a quote packet
  void send_disconnect(std::uint16_t code);   // disconnect packet, then close
  void set_write_delay(std::chrono::milliseconds delay);  // backpressure

  void stop();

 // Implementation detail, public only so the .cpp's session templates can name it.
  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace fno::sim
