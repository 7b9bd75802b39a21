// feed_client.hpp
//
// Dhan live market feed client (WebSocket v2, binary packets) on Boost.Beast:
// up to 5 connections of up to 5,000 instruments, subscriptions sent as
// paced <=100-instrument JSON messages, reconnect with full-jitter
// exponential backoff and exact resubscription, a market-hours stall
// watchdog, disconnect-code handling per PROTOCOL.md, and clean shutdown.
//
// Runs entirely on the caller's io_context (the network thread); every public
// method must be called on that thread (post to it otherwise). Decoded
// packets go to a `PacketSink`, which must not block: when it refuses a
// packet the drop is counted and reading continues, so the server's
// keepalive never trips. The access token only ever appears in the
// connection URL, which is never logged unredacted.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "dhan/codec.hpp"
#include "market/instrument_key.hpp"
#include "net/tls.hpp"

namespace fno::dhan {

struct FeedOptions {
  std::string url = "wss://api-feed.dhan.co";  // ws:// accepted for local testing
  std::string client_id;
  std::string access_token;
  int request_code = 17;  // 15 ticker, 17 quote, 21 full
  std::size_t max_connections = 5;
  std::size_t per_connection = 5000;
  std::size_t per_message = kDefaultInstrumentsPerMessage;
  std::size_t batch_size = 200;  // instruments per subscription round
  std::chrono::milliseconds message_interval{100};  // pacing between messages on a connection
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{60000};
  std::chrono::milliseconds budget_backoff{180000};  // after 805 (connection budget exceeded)
  std::chrono::milliseconds stable_after{60000};     // connected this long -> backoff resets
  std::chrono::milliseconds stall_timeout{30000};    // no data while the market is open
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds close_timeout{2000};
  // Wake-up batching: PacketSink::flush() follows a push within flush_delay,
  // or at once when flush_batch packets are waiting for it.
  std::chrono::microseconds flush_delay{100};
  std::size_t flush_batch = 256;
  net::TlsOptions tls;
  // Whether silence is abnormal right now (market hours); default: always.
  std::function<bool()> market_open;
  // A streaming connection was lost (data may be missing until resubscribed);
  // runs on the network thread, must not block.
  std::function<void()> on_connection_lost;
  // Optional tap: every binary frame as received, before decoding (the feed
  // recorder); runs on the network thread, must not block.
  std::function<void(int connection, std::span<const std::uint8_t> frame)> on_frame;
};

// Receives decoded packets on the network thread. Must not block; push()
// returns false when it cannot take the packet (counted as a drop). flush()
// follows every run of pushes within FeedOptions::flush_delay: a sink may
// leave its consumer asleep until then (one wake-up per batch, not per packet).
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual bool push(const Packet& packet) = 0;
  virtual void flush() {}
};

enum class ConnectionState { kConnecting, kSubscribing, kStreaming, kBackoff, kClosing, kStopped };
std::string_view to_string(ConnectionState state);

// Overall feed condition; the fatal ones stop reconnecting until new credentials arrive.
enum class FeedHealth { kStarting, kOk, kDegraded, kAuthFailed, kTokenExpired, kNotSubscribed, kStopped };
std::string_view to_string(FeedHealth health);

struct ConnectionStatus {
  int id = 0;
  ConnectionState state = ConnectionState::kConnecting;
  std::size_t instruments = 0;
  std::uint64_t packets = 0;
  double packets_per_second = 0;
  std::optional<double> last_packet_age_seconds;
  std::uint64_t reconnects = 0;
  std::uint64_t stalls = 0;
  std::string last_error;
};

struct FeedStatus {
  FeedHealth health = FeedHealth::kStarting;
  std::string message;  // human explanation for non-ok health
  std::vector<ConnectionStatus> connections;
  std::size_t instruments = 0;
  std::size_t rejected_instruments = 0;  // beyond 5 x 5,000
  std::uint64_t packets = 0;
  std::uint64_t frames = 0;
  std::uint64_t drops = 0;  // refused by the sink
  std::uint64_t text_frames = 0;
  std::uint64_t reconnects = 0;
  DecodeCounters decode;
  std::optional<double> clock_skew_seconds;  // local clock minus freshest exchange LTT
};

// Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)].
std::chrono::milliseconds backoff_delay(unsigned attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap, std::mt19937_64& rng);

// Splits `instruments` over connections: ceil(n / per_connection) of them
// (at most max_connections), rounds of `batch_size` dealt out in turn, so
// every connection's subscriptions arrive spread over time. Instruments
// beyond the capacity are returned in `rejected`.
struct SubscriptionPlan {
  std::vector<std::vector<market::InstrumentKey>> connections;
  std::vector<market::InstrumentKey> rejected;
};
SubscriptionPlan plan_subscriptions(std::span<const market::InstrumentKey> instruments, const FeedOptions& options);

class FeedConnection;  // one WebSocket of the client (feed_client.cpp)

class FeedClient {
 public:
  FeedClient(boost::asio::io_context& io, FeedOptions options, PacketSink& sink);
  ~FeedClient();
  FeedClient(const FeedClient&) = delete;
  FeedClient& operator=(const FeedClient&) = delete;

  // Opens the connections the instruments need and subscribes them.
  void start(std::span<const market::InstrumentKey> instruments);
  // Runtime deltas (watchlists, ATM re-centring): subscribe / unsubscribe on
  // the right connection; opens or closes connections as needed.
  void add(std::span<const market::InstrumentKey> instruments);
  void remove(std::span<const market::InstrumentKey> instruments);
  // New credentials (daily token rollover): reconnects every connection and
  // clears a fatal auth state.
  void set_credentials(std::string client_id, std::string access_token);
  // Sends {"RequestCode":12}, closes every socket within close_timeout, then
  // calls `done` (on the io_context).
  void stop(std::function<void()> done);

  FeedStatus status() const;

 private:
  friend class FeedConnection;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace fno::dhan
