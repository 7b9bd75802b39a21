#include "dhan/feed_client.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include "market/calendar.hpp"
#include "net/tls_frame_stream.hpp"
#include "util/log_limiter.hpp"
#include "util/redact.hpp"

namespace fno::dhan {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using market::InstrumentKey;

std::string_view to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::kConnecting: return "connecting";
    case ConnectionState::kSubscribing: return "subscribing";
    case ConnectionState::kStreaming: return "streaming";
    case ConnectionState::kBackoff: return "backoff";
    case ConnectionState::kClosing: return "closing";
    case ConnectionState::kStopped: return "stopped";
  }
  return "unknown";
}

std::string_view to_string(FeedHealth health) {
  switch (health) {
    case FeedHealth::kStarting: return "starting";
    case FeedHealth::kOk: return "ok";
    case FeedHealth::kDegraded: return "degraded";
    case FeedHealth::kAuthFailed: return "auth_failed";
    case FeedHealth::kTokenExpired: return "token_expired";
    case FeedHealth::kNotSubscribed: return "not_subscribed";
    case FeedHealth::kStopped: return "stopped";
  }
  return "unknown";
}

std::chrono::milliseconds backoff_delay(unsigned attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap, std::mt19937_64& rng) {
  const auto shift = std::min(attempt, 20u);
  const auto ceiling = std::min<std::int64_t>(cap.count(), base.count() << shift);
  std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(ceiling, 0));
  return std::chrono::milliseconds(pick(rng));
}

SubscriptionPlan plan_subscriptions(std::span<const InstrumentKey> instruments, const FeedOptions& options) {
  SubscriptionPlan plan;
  const std::size_t capacity = options.max_connections * options.per_connection;
  const std::size_t accepted = std::min(instruments.size(), capacity);
  plan.rejected.assign(instruments.begin() + static_cast<std::ptrdiff_t>(accepted), instruments.end());
  if (accepted == 0) return plan;
  const std::size_t count = (accepted + options.per_connection - 1) / options.per_connection;
  plan.connections.resize(count);
  const std::size_t batch = std::max<std::size_t>(options.batch_size, 1);
  std::size_t next = 0;
  for (std::size_t start = 0; start < accepted; start += batch) {
    const std::size_t end = std::min(accepted, start + batch);
    for (std::size_t i = start; i < end; ++i) {
      // A full connection passes its turn (and the rest of the round) on.
      while (plan.connections[next].size() >= options.per_connection) next = (next + 1) % count;
      plan.connections[next].push_back(instruments[i]);
    }
    next = (next + 1) % count;
  }
  return plan;
}

namespace {

struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  std::string path;
};

std::optional<Endpoint> parse_feed_url(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  Endpoint e;
  if (parsed->scheme() == "ws") {
    e.tls = false;
  } else if (parsed->scheme() != "wss") {
    return std::nullopt;
  }
  e.host = parsed->host();
  if (e.host.empty()) return std::nullopt;
  e.port = parsed->has_port() ? std::string(parsed->port()) : (e.tls ? "443" : "80");
  e.path = parsed->path().empty() ? "/" : std::string(parsed->encoded_path());
  return e;
}

std::string hex_prefix(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 64); ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

double seconds_since(Clock::time_point t, Clock::time_point now) {
  return std::chrono::duration<double>(now - t).count();
}

}  // namespace

class FeedConnection;

struct FeedClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, FeedOptions opts, PacketSink& sink)
      : io(io), options(std::move(opts)), sink(sink), watchdog(io), flush_timer(io), rng(std::random_device{}()) {
    endpoint = parse_feed_url(options.url);
    tls_ctx.emplace(net::make_client_tls_context(options.tls, tls_error));
  }

  std::string target() const {
    return endpoint->path + "?version=2&token=" + options.access_token + "&clientId=" + options.client_id +
           "&authType=2";
  }
  std::vector<std::string> secrets() const { return {options.access_token}; }

  void on_packets_delivered(Clock::time_point now, std::uint32_t ltt);
  // `n` more packets reached the sink: flush it now or arm the flush timer.
  void on_pushed(std::size_t n);
  void flush();
  void fatal(FeedHealth why, std::string message);
  void tick_watchdog();
  std::shared_ptr<FeedConnection> open_connection(std::vector<InstrumentKey> instruments);
  void close_if_empty(const std::shared_ptr<FeedConnection>& conn);

  asio::io_context& io;
  FeedOptions options;
  PacketSink& sink;
  std::optional<Endpoint> endpoint;
  boost::system::error_code tls_error;
  std::optional<asio::ssl::context> tls_ctx;
  asio::steady_timer watchdog;
  asio::steady_timer flush_timer;
  std::size_t unflushed = 0;  // packets pushed since the sink's last flush()
  bool flush_armed = false;
  std::mt19937_64 rng;
  util::LogLimiter log_limiter;

  std::vector<std::shared_ptr<FeedConnection>> connections;
  std::unordered_map<InstrumentKey, FeedConnection*> owner_of;
  int next_id = 1;
  bool stopping = false;
  FeedHealth fatal_health = FeedHealth::kStarting;  // kStarting = no fatal state
  std::string fatal_message;
  std::size_t rejected = 0;

  std::uint64_t frames = 0;
  std::uint64_t drops = 0;
  std::uint64_t text_frames = 0;
  std::uint64_t reconnects = 0;
  DecodeCounters decode;
  std::vector<Packet> scratch;

  // Clock skew: the smallest (local - LTT) seen in the current 30 s window;
  // the freshest trade gives the best estimate.
  std::optional<double> window_min_skew;
  std::optional<double> last_skew;
  Clock::time_point window_start = Clock::now();
};

// One WebSocket connection and its share of the instruments.
class FeedConnection : public std::enable_shared_from_this<FeedConnection> {
 public:
  FeedConnection(FeedClient::Impl& owner, int id, std::vector<InstrumentKey> instruments)
      : owner_(owner), id_(id), instruments_(std::move(instruments)), timer_(owner.io), pace_(owner.io) {}

  void connect() {
    state_ = ConnectionState::kConnecting;
    ++gen_;
    reset_streams();
    auto resolver = std::make_shared<tcp::resolver>(owner_.io);
    lowest().expires_after(owner_.options.connect_timeout);
    resolver->async_resolve(owner_.endpoint->host, owner_.endpoint->port,
                            [self = shared_from_this(), resolver, gen = gen_](beast::error_code ec,
                                                                              tcp::resolver::results_type r) {
                              if (gen == self->gen_) self->on_resolve(ec, std::move(r));
                            });
  }

  // Queues subscribe/unsubscribe messages for a delta (sent only while connected;
  // a reconnect resubscribes the whole set anyway).
  void add(std::span<const InstrumentKey> keys) {
    instruments_.insert(instruments_.end(), keys.begin(), keys.end());
    if (connected()) queue_requests(owner_.options.request_code, keys);
  }
  void remove(std::span<const InstrumentKey> keys) {
    std::erase_if(instruments_, [&](const InstrumentKey& k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); });
    if (connected()) queue_requests(owner_.options.request_code + 1, keys);
  }

  void restart(const std::string& why) {
    last_error_ = why;
    report_loss();
    close_socket();
    schedule_reconnect(std::chrono::milliseconds(0));
  }

  // Graceful close: disconnect request, WebSocket close, bounded by close_timeout.
  void shutdown() {
    const bool was_connected = connected();
    state_ = ConnectionState::kClosing;
    timer_.cancel();
    pace_.cancel();
    if (!was_connected) return finish_close();
    outbox_.clear();
    timer_.expires_after(owner_.options.close_timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->finish_close();
    });
    // One write at a time on a WebSocket: a subscription message still being
    // written sends the disconnect request when it completes.
    if (!write_in_flight_) send_disconnect();
  }

  void send_disconnect() {
    with_ws([&](auto& ws) {
      ws.async_write(asio::buffer(disconnect_), [self = shared_from_this()](beast::error_code, std::size_t) {
        self->with_ws([&](auto& s) {
          s.async_close(websocket::close_code::normal, [self](beast::error_code) { self->finish_close(); });
        });
      });
    });
  }

  bool stopped() const { return state_ == ConnectionState::kStopped; }
  bool connected() const { return state_ == ConnectionState::kSubscribing || state_ == ConnectionState::kStreaming; }
  std::size_t size() const { return instruments_.size(); }
  int id() const { return id_; }

  void check_stall(Clock::time_point now) {
    packets_per_second_ = static_cast<double>(packets_ - packets_at_last_check_);
    packets_at_last_check_ = packets_;
    if (state_ != ConnectionState::kStreaming) return;
    if (owner_.options.market_open && !owner_.options.market_open()) return;
    if (now - last_data_ < owner_.options.stall_timeout) return;
    ++stalls_;
    spdlog::warn("feed connection {}: no data for {:.0f} s during market hours; reconnecting", id_,
                 seconds_since(last_data_, now));
    restart("stalled: no data during market hours");
  }

  ConnectionStatus status(Clock::time_point now) const {
    ConnectionStatus s;
    s.id = id_;
    s.state = state_;
    s.instruments = instruments_.size();
    s.packets = packets_;
    s.packets_per_second = packets_per_second_;
    if (packets_ > 0) s.last_packet_age_seconds = seconds_since(last_packet_, now);
    s.reconnects = reconnects_;
    s.stalls = stalls_;
    s.last_error = last_error_;
    return s;
  }

 private:
  using PlainWs = websocket::stream<beast::tcp_stream>;
  using TlsWs = websocket::stream<net::TlsFrameStream>;

  template <class F>
  void with_ws(F&& f) {
    if (tls_ws_) {
      f(*tls_ws_);
    } else {
      f(*plain_ws_);
    }
  }

  beast::tcp_stream& lowest() {
    return tls_ws_ ? beast::get_lowest_layer(*tls_ws_) : beast::get_lowest_layer(*plain_ws_);
  }

  void reset_streams() {
    tls_ws_.reset();
    plain_ws_.reset();
    buffer_.clear();
    outbox_.clear();
    writing_ = false;
    write_in_flight_ = false;
    if (owner_.endpoint->tls) {
      tls_ws_ = std::make_unique<TlsWs>(owner_.io, *owner_.tls_ctx);
    } else {
      plain_ws_ = std::make_unique<PlainWs>(owner_.io);
    }
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec);
    lowest().async_connect(results, [self = shared_from_this(), gen = gen_](beast::error_code cec, const tcp::endpoint&) {
      if (gen == self->gen_) self->on_connect(cec);
    });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail("connect", ec);
    if (!tls_ws_) return ws_handshake();
    if (owner_.tls_error) return fail("tls setup (CA file)", owner_.tls_error);
    beast::error_code sni_ec;
    net::TlsStream& tls = tls_ws_->next_layer().next_layer();
    if (!net::prepare_tls_stream(tls, owner_.endpoint->host, sni_ec)) return fail("tls sni", sni_ec);
    tls.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this(), gen = gen_](beast::error_code hec) {
      if (gen != self->gen_) return;
      if (hec) return self->fail("tls handshake", hec);
      self->ws_handshake();
    });
  }

  void ws_handshake() {
    lowest().expires_never();
    with_ws([&](auto& ws) {
      websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
      timeouts.handshake_timeout = owner_.options.connect_timeout;
      ws.set_option(timeouts);
      ws.read_message_max(1u << 20);
      ws.async_handshake(owner_.endpoint->host, owner_.target(),
                         [self = shared_from_this(), gen = gen_](beast::error_code ec) {
                           if (gen == self->gen_) self->on_handshake(ec);
                         });
    });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail("websocket handshake", ec);
    state_ = ConnectionState::kSubscribing;
    connected_at_ = Clock::now();
    last_data_ = connected_at_;
    spdlog::info("feed connection {}: connected to {}, subscribing {} instruments", id_,
                 util::redact(owner_.options.url), instruments_.size());
    queue_requests(owner_.options.request_code, instruments_);
    read();
  }

  void queue_requests(int code, std::span<const InstrumentKey> keys) {
    for (auto& msg : encode_subscribe(code, keys, owner_.options.per_message)) outbox_.push_back(std::move(msg));
    if (!writing_) write_next();
  }

  void write_next() {
    if (outbox_.empty()) {
      writing_ = false;
      if (state_ == ConnectionState::kSubscribing) state_ = ConnectionState::kStreaming;
      return;
    }
    writing_ = true;
    current_ = std::move(outbox_.front());
    outbox_.pop_front();
    write_in_flight_ = true;
    with_ws([&](auto& ws) {
      ws.text(true);
      ws.async_write(asio::buffer(current_), [self = shared_from_this(), gen = gen_](beast::error_code ec, std::size_t) {
        if (gen != self->gen_) return;
        self->write_in_flight_ = false;
        if (ec) return;  // the read side notices failures and reconnects
        if (self->state_ == ConnectionState::kClosing) return self->send_disconnect();
        self->pace_.expires_after(self->owner_.options.message_interval);
        self->pace_.async_wait([self](beast::error_code tec) {
          if (!tec && self->connected()) self->write_next();
        });
      });
    });
  }

  void read() {
    with_ws([&](auto& ws) {
      ws.async_read(buffer_, [self = shared_from_this(), gen = gen_](beast::error_code ec, std::size_t) {
        if (gen == self->gen_) self->on_read(ec);
      });
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail("read", ec);
    if (!handle_message()) return;
    // Messages already received and decrypted are read here, without a trip
    // through the reactor each; the async read resumes once none is left.
    while (tls_ws_ && connected() && tls_ws_->next_layer().message_buffered()) {
      tls_ws_->read(buffer_, ec);
      if (ec) return fail("read", ec);
      if (!handle_message()) return;
    }
    read();
  }

  // The message in buffer_. Returns false when a disconnect packet ended this connection's reading.
  bool handle_message() {
    const bool text = tls_ws_ ? tls_ws_->got_text() : plain_ws_->got_text();
    const auto data = buffer_.cdata();
    const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(data.data()), data.size());
    if (text) {
      ++owner_.text_frames;
      log_limited("text", fmt::format("feed connection {}: unexpected text frame ({} bytes): {}", id_, bytes.size(),
                                      util::redact(std::string(bytes.begin(), bytes.begin() + std::min<std::size_t>(bytes.size(), 200)))));
    } else if (!handle_binary(bytes)) {
      return false;  // a disconnect packet took over
    }
    buffer_.consume(buffer_.size());
    return true;
  }

  // Returns false when a disconnect packet ended this connection's reading.
  bool handle_binary(std::span<const std::uint8_t> bytes) {
    ++owner_.frames;
    if (owner_.options.on_frame) owner_.options.on_frame(id_, bytes);
    auto& packets = owner_.scratch;
    packets.clear();
    const FrameResult result = decode_frame(bytes, packets, owner_.decode);
    if (result.first_error) {
      log_limited(std::string("decode-") + std::string(to_string(*result.first_error)),
                  fmt::format("feed connection {}: {} packet at offset {} in a {}-byte frame: {}", id_,
                              to_string(*result.first_error), result.error_offset, bytes.size(), hex_prefix(bytes)));
    }
    const auto now = Clock::now();
    if (!packets.empty()) last_data_ = now;
    std::size_t pushed = 0;
    for (const Packet& p : packets) {
      if (const auto* d = std::get_if<DisconnectBody>(&p.body)) {
        owner_.on_pushed(pushed);
        on_disconnect_packet(d->reason);
        return false;
      }
      ++packets_;
      ++pushed;
      last_packet_ = now;
      if (!owner_.sink.push(p)) ++owner_.drops;
      if (const auto* t = std::get_if<TickerBody>(&p.body)) owner_.on_packets_delivered(now, t->ltt);
      if (const auto* q = std::get_if<QuoteBody>(&p.body)) owner_.on_packets_delivered(now, q->ltt);
    }
    owner_.on_pushed(pushed);
    return true;
  }

  void on_disconnect_packet(std::uint16_t reason) {
    const std::string text = fmt::format("{} ({})", describe_disconnect(reason), reason);
    last_error_ = text;
    report_loss();
    close_socket();
    if (is_fatal_disconnect(reason)) {
      const FeedHealth health = reason == 807 ? FeedHealth::kTokenExpired
                                : reason == 806 ? FeedHealth::kNotSubscribed
                                                : FeedHealth::kAuthFailed;
      return owner_.fatal(health, text);
    }
    if (reason == 805) {
      spdlog::error("feed connection {}: Dhan says too many connections/requests (805): the 5-connection budget "
                    "is exceeded (another app using the same client id?); backing off {} s",
                    id_, owner_.options.budget_backoff.count() / 1000);
      return schedule_reconnect(owner_.options.budget_backoff);
    }
    spdlog::warn("feed connection {}: server disconnected: {}", id_, text);
    schedule_backoff();
  }

  void fail(const char* stage, beast::error_code ec) {
    if (state_ == ConnectionState::kClosing || state_ == ConnectionState::kStopped || state_ == ConnectionState::kBackoff) {
      return;
    }
    last_error_ = fmt::format("{}: {}", stage, ec.message());
    log_limited(std::string("fail-") + stage, fmt::format("feed connection {}: {}", id_, util::redact(last_error_, owner_.secrets())));
    report_loss();
    close_socket();
    schedule_backoff();
  }

  void schedule_backoff() {
    if (connected_at_ != Clock::time_point{} && Clock::now() - connected_at_ >= owner_.options.stable_after) attempt_ = 0;
    connected_at_ = {};
    schedule_reconnect(backoff_delay(attempt_++, owner_.options.backoff_base, owner_.options.backoff_cap, owner_.rng));
  }

  void schedule_reconnect(std::chrono::milliseconds delay) {
    if (owner_.stopping || owner_.fatal_health != FeedHealth::kStarting) {
      state_ = ConnectionState::kStopped;
      return;
    }
    state_ = ConnectionState::kBackoff;
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->state_ != ConnectionState::kBackoff) return;
      ++self->reconnects_;
      ++self->owner_.reconnects;
      self->connect();
    });
  }

  void report_loss() {
    if (connected() && owner_.options.on_connection_lost) owner_.options.on_connection_lost();
  }

  void close_socket() {
    pace_.cancel();
    beast::error_code ignored;
    if (tls_ws_ || plain_ws_) lowest().socket().close(ignored);
    writing_ = false;  // a write in flight completes with an error and clears write_in_flight_
    outbox_.clear();
  }

  void finish_close() {
    if (state_ != ConnectionState::kClosing) return;
    timer_.cancel();
    close_socket();
    state_ = ConnectionState::kStopped;
  }

  void log_limited(const std::string& key, const std::string& line) {
    if (auto suppressed = owner_.log_limiter.admit(key, Clock::now())) {
      if (*suppressed > 0) {
        spdlog::warn("{} (+{} similar suppressed)", line, *suppressed);
      } else {
        spdlog::warn("{}", line);
      }
    }
  }

  FeedClient::Impl& owner_;
  int id_;
  std::vector<InstrumentKey> instruments_;
  std::unique_ptr<PlainWs> plain_ws_;
  std::unique_ptr<TlsWs> tls_ws_;
  beast::flat_buffer buffer_;
  asio::steady_timer timer_;  // backoff and close deadline
  asio::steady_timer pace_;   // subscription pacing
  std::deque<std::string> outbox_;
  std::string current_;
  bool writing_ = false;          // sending the outbox (a write or the pause after it)
  bool write_in_flight_ = false;  // an async_write of the outbox has not completed
  const std::string disconnect_ = encode_disconnect();

  ConnectionState state_ = ConnectionState::kConnecting;
  unsigned gen_ = 0;  // bumps per connection attempt; completions of older attempts are ignored
  unsigned attempt_ = 0;
  Clock::time_point connected_at_{};
  Clock::time_point last_data_{};
  Clock::time_point last_packet_{};
  std::uint64_t packets_ = 0;
  std::uint64_t packets_at_last_check_ = 0;
  double packets_per_second_ = 0;
  std::uint64_t reconnects_ = 0;
  std::uint64_t stalls_ = 0;
  std::string last_error_;
};

void FeedClient::Impl::on_packets_delivered(Clock::time_point now, std::uint32_t ltt) {
  const auto local_utc = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const double skew = static_cast<double>(market::ist_from_utc(local_utc.count()) - ltt_to_ist(ltt));
  if (!window_min_skew || skew < *window_min_skew) window_min_skew = skew;
  if (now - window_start >= std::chrono::seconds(30)) {
    last_skew = window_min_skew;
    window_min_skew.reset();
    window_start = now;
    if (last_skew && (*last_skew > 5 || *last_skew < -5)) {
      if (log_limiter.admit("clock-skew", now)) {
        spdlog::warn("local clock differs from exchange time by {:.0f} s: check NTP (bad clocks break auth and "
                     "candle timing)", *last_skew);
      }
    }
  }
}

void FeedClient::Impl::on_pushed(std::size_t n) {
  unflushed += n;
  if (unflushed == 0) return;
  if (unflushed >= options.flush_batch || stopping) return flush();  // stopping: no timer runs any more
  if (flush_armed) return;
  flush_armed = true;
  flush_timer.expires_after(options.flush_delay);
  flush_timer.async_wait([weak = weak_from_this()](beast::error_code ec) {
    const auto self = weak.lock();
    if (ec || !self || self->stopping) return;
    self->flush_armed = false;
    if (self->unflushed > 0) self->flush();
  });
}

void FeedClient::Impl::flush() {
  unflushed = 0;
  sink.flush();
}

void FeedClient::Impl::fatal(FeedHealth why, std::string message) {
  if (fatal_health != FeedHealth::kStarting) return;
  fatal_health = why;
  fatal_message = message;
  spdlog::error("feed stopped: {}. {}", message,
                why == FeedHealth::kTokenExpired
                    ? "Generate a new access token in Dhan, update DHAN_ACCESS_TOKEN (env or .env) and send SIGHUP "
                      "or restart."
                    : "Check DHAN_CLIENT_ID / DHAN_ACCESS_TOKEN and that your Dhan account has the Data API.");
  for (auto& c : connections) c->shutdown();
}

void FeedClient::Impl::tick_watchdog() {
  watchdog.expires_after(std::chrono::seconds(1));
  watchdog.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopping) return;
    const auto now = Clock::now();
    for (auto& c : self->connections) c->check_stall(now);
    self->tick_watchdog();
  });
}

std::shared_ptr<FeedConnection> FeedClient::Impl::open_connection(std::vector<InstrumentKey> instruments) {
  auto conn = std::make_shared<FeedConnection>(*this, next_id++, std::move(instruments));
  connections.push_back(conn);
  return conn;
}

void FeedClient::Impl::close_if_empty(const std::shared_ptr<FeedConnection>& conn) {
  if (conn->size() > 0) return;
  spdlog::info("feed connection {}: no instruments left, closing it", conn->id());
  conn->shutdown();
  std::erase(connections, conn);
}

FeedClient::FeedClient(asio::io_context& io, FeedOptions options, PacketSink& sink)
    : impl_(std::make_shared<Impl>(io, std::move(options), sink)) {
  const auto& o = impl_->options;
  if (!impl_->endpoint) throw std::invalid_argument("feed.url must be a ws:// or wss:// URL, got " + util::redact(o.url));
  if (o.max_connections < 1 || o.max_connections > 5) throw std::invalid_argument("feed connections must be 1..5");
  if (o.per_message < 1 || o.per_connection < 1) throw std::invalid_argument("feed limits must be positive");
  if (!impl_->endpoint->tls) {
    spdlog::warn("feed.url uses plain ws:// ({}): acceptable for local testing only", util::redact(o.url));
  }
}

FeedClient::~FeedClient() {
  impl_->stopping = true;
  impl_->watchdog.cancel();
  impl_->flush_timer.cancel();
}

void FeedClient::start(std::span<const InstrumentKey> instruments) {
  SubscriptionPlan plan = plan_subscriptions(instruments, impl_->options);
  impl_->rejected = plan.rejected.size();
  if (!plan.rejected.empty()) {
    spdlog::error("feed: {} instruments exceed Dhan's limit of {} connections x {} instruments; {} not subscribed",
                  instruments.size(), impl_->options.max_connections, impl_->options.per_connection,
                  plan.rejected.size());
  }
  spdlog::info("feed: {} instruments over {} connection(s), request code {}, {} per message, rounds of {}",
               instruments.size() - plan.rejected.size(), plan.connections.size(), impl_->options.request_code,
               impl_->options.per_message, impl_->options.batch_size);
  for (auto& keys : plan.connections) {
    auto conn = impl_->open_connection({});
    conn->add(keys);
    for (const auto& k : keys) impl_->owner_of[k] = conn.get();
    conn->connect();
  }
  impl_->tick_watchdog();
}

void FeedClient::add(std::span<const InstrumentKey> instruments) {
  auto& impl = *impl_;
  std::map<FeedConnection*, std::vector<InstrumentKey>> groups;
  std::vector<std::shared_ptr<FeedConnection>> opened;
  for (const auto& key : instruments) {
    if (impl.owner_of.contains(key)) continue;
    FeedConnection* target = nullptr;
    for (auto& c : impl.connections) {
      const std::size_t load = c->size() + groups[c.get()].size();
      if (load < impl.options.per_connection && (!target || load < target->size() + groups[target].size())) {
        target = c.get();
      }
    }
    if (!target && impl.connections.size() < impl.options.max_connections) {
      opened.push_back(impl.open_connection({}));
      target = opened.back().get();
    }
    if (!target) {
      ++impl.rejected;
      continue;
    }
    groups[target].push_back(key);
    impl.owner_of[key] = target;
  }
  for (auto& [conn, keys] : groups) {
    if (!keys.empty()) conn->add(keys);
  }
  for (auto& conn : opened) conn->connect();
}

void FeedClient::remove(std::span<const InstrumentKey> instruments) {
  auto& impl = *impl_;
  std::map<FeedConnection*, std::vector<InstrumentKey>> groups;
  for (const auto& key : instruments) {
    const auto it = impl.owner_of.find(key);
    if (it == impl.owner_of.end()) continue;
    groups[it->second].push_back(key);
    impl.owner_of.erase(it);
  }
  for (auto& [conn, keys] : groups) {
    conn->remove(keys);
    for (auto& c : impl.connections) {
      if (c.get() == conn) {
        impl.close_if_empty(c);
        break;
      }
    }
  }
}

void FeedClient::set_credentials(std::string client_id, std::string access_token) {
  auto& impl = *impl_;
  impl.options.client_id = std::move(client_id);
  impl.options.access_token = std::move(access_token);
  impl.fatal_health = FeedHealth::kStarting;
  impl.fatal_message.clear();
  spdlog::info("feed: credentials reloaded; reconnecting {} connection(s)", impl.connections.size());
  for (auto& c : impl.connections) c->restart("reconnecting with new credentials");
}

void FeedClient::stop(std::function<void()> done) {
  auto impl = impl_;
  impl->stopping = true;
  impl->watchdog.cancel();
  impl->flush_timer.cancel();
  if (impl->unflushed > 0) impl->flush();
  for (auto& c : impl->connections) c->shutdown();
  auto timer = std::make_shared<asio::steady_timer>(impl->io);
  const auto deadline = Clock::now() + impl->options.close_timeout + std::chrono::milliseconds(200);
  auto poll = std::make_shared<std::function<void()>>();
  *poll = [impl, timer, deadline, poll, done = std::move(done)]() mutable {
    const bool all_stopped = std::all_of(impl->connections.begin(), impl->connections.end(),
                                         [](const auto& c) { return c->stopped(); });
    if (all_stopped || Clock::now() >= deadline) {
      done();
      *poll = nullptr;  // breaks the self-reference
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([poll](beast::error_code) { if (*poll) (*poll)(); });
  };
  (*poll)();
}

FeedStatus FeedClient::status() const {
  const auto& impl = *impl_;
  FeedStatus s;
  const auto now = Clock::now();
  bool all_streaming = !impl.connections.empty();
  for (const auto& c : impl.connections) {
    s.connections.push_back(c->status(now));
    s.instruments += c->size();
    s.packets += s.connections.back().packets;
    all_streaming = all_streaming && s.connections.back().state == ConnectionState::kStreaming;
  }
  s.rejected_instruments = impl.rejected;
  s.frames = impl.frames;
  s.drops = impl.drops;
  s.text_frames = impl.text_frames;
  s.reconnects = impl.reconnects;
  s.decode = impl.decode;
  s.clock_skew_seconds = impl.last_skew;
  if (impl.fatal_health != FeedHealth::kStarting) {
    s.health = impl.fatal_health;
    s.message = impl.fatal_message;
  } else if (impl.stopping) {
    s.health = FeedHealth::kStopped;
  } else if (all_streaming) {
    s.health = FeedHealth::kOk;
  } else if (s.reconnects > 0) {
    s.health = FeedHealth::kDegraded;
    s.message = "some feed connections are reconnecting";
  }
  return s;
}

}  // namespace fno::dhan
