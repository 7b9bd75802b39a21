#include "sim/simulator.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "dhan/codec.hpp"
#include "sim/coalescing_stream.hpp"
#include "sim/market_model.hpp"
#include "sim/rest_api.hpp"
#include "sim/send_log.hpp"
#include "sim/tls_cert.hpp"
#include "util/clock.hpp"
#include "util/redact.hpp"

namespace fno::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kHttpReadTimeout = std::chrono::seconds(30);
constexpr std::size_t kMaxRequestBody = 1u << 20;
constexpr std::size_t kMaxClientMessage = 1u << 20;
// A scripted move's alert falls within 6 minutes of its step (EMA cross: dip 3, rally up to 3).
constexpr double kSendLogWatchSeconds = 420;
// A near tie is no ground truth: the scanner sees float32 prices and the push lands near, not on, its target.
constexpr double kTieMargin = 0.001;
// A scripted breakout closes at most this far above resistance.
constexpr double kMaxBreakoutPush = 1.05;
// A breakout's push ends kPushMargin seconds before its minute does and
// lasts at least kMinPushSeconds: a push over a minute boundary would close
// one candle part-way up (above resistance, short of the trend filter), and
// the next candle's "previous close <= resistance" would then refuse it.
constexpr double kMinPushSeconds = 15, kPushMargin = 3, kBreakoutPushSeconds = 40;
// Beyond the 1 MiB a feed client reads per message (fno-scanner's read_message_max).
constexpr std::size_t kOversizedFrame = (1u << 20) + (64u << 10);

struct AtomicCounters {
  std::atomic<std::uint64_t> connections_accepted{0}, connections_open{0}, auth_failures{0}, subscriptions{0},
      packets_sent{0}, frames_dropped{0}, disconnects_sent{0}, rest_requests{0}, rest_in_flight{0},
      rest_rate_limited{0}, subscribe_messages{0}, largest_subscribe_message{0},
      min_subscribe_gap_us{SimulatorCounters::kNoGap}, breakouts_skipped{0}, feed_writes{0};
};

void raise_to(std::atomic<std::uint64_t>& a, std::uint64_t v) {
  for (auto cur = a.load(); v > cur && !a.compare_exchange_weak(cur, v);) {
  }
}
void lower_to(std::atomic<std::uint64_t>& a, std::uint64_t v) {
  for (auto cur = a.load(); v < cur && !a.compare_exchange_weak(cur, v);) {
  }
}

std::vector<std::uint8_t> packet_bytes(const dhan::Packet& p) {
  std::vector<std::uint8_t> out;
  dhan::encode(p, out);
  return out;
}

std::vector<std::uint8_t> disconnect_bytes(std::uint16_t code) {
  return packet_bytes({dhan::ResponseCode::kDisconnect, dhan::Segment::kNseFno, 0, dhan::DisconnectBody{code}});
}

// Plain and TLS streams close the same way for our purposes: no TLS
// close_notify (clients must cope with abrupt closes anyway).
void close_socket(beast::tcp_stream& s) {
  boost::system::error_code ec;
  s.socket().shutdown(tcp::socket::shutdown_both, ec);
  s.socket().close(ec);
}
void close_socket(beast::ssl_stream<beast::tcp_stream>& s) { close_socket(beast::get_lowest_layer(s)); }

}  // namespace

// What the simulator needs from a feed connection, whatever its stream type.
class FeedConnection {
 public:
  virtual ~FeedConnection() = default;
  virtual void on_market(const std::vector<std::size_t>& traded) = 0;
  virtual void send_disconnect_and_close(std::uint16_t code) = 0;
  virtual void send_raw(std::vector<std::uint8_t> frame) = 0;
  virtual void drop() = 0;
};

struct Simulator::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, SimulatorOptions options);
  ~Impl();

  void start();
  void stop();
  // 0 when the query string authenticates; else the disconnect reason to send.
  std::uint16_t authenticate(std::string_view target, std::string& client_id) const;
  void register_connection(const std::string& client_id, const std::shared_ptr<FeedConnection>& connection);
  web::Response handle_rest(const web::Request& req);
  web::Response status_reply(const web::Request& req) const;
  template <typename F>
  void for_each_connection(F&& f);

  market::IstSeconds sim_now() const;
  double sim_elapsed() const;
  void schedule_tick();
  void on_tick();
  void run_scenario(double elapsed, market::IstSeconds now);
  void run_step(const ScenarioStep& step, market::IstSeconds now, double elapsed);
  // A fault step now, outside the scenario (tests' send_garbage and the like).
  void run_fault(Action action);
  void log_sends(double elapsed);
  // The lowest close at which EMA short ends above EMA long (options.rules,
  // with the tie margin) once that candle closes, as the breakout rule
  // requires; nullopt when no close can (short period not shorter).
  std::optional<double> trend_floor(std::size_t i) const;
  void accept();

  asio::io_context& io;
  SimulatorOptions options;
  MarketModel model;
  RestApi rest;
  AtomicCounters counters;
  std::optional<ssl::context> tls;
  std::string ca_path;
  tcp::acceptor acceptor;
  asio::steady_timer tick_timer;
  SteadyClock::time_point real_start = SteadyClock::now();
  SteadyClock::time_point last_tick = real_start;
  market::IstSeconds sim_start = 0;
  bool stopped = false;

  std::map<std::string, std::deque<std::weak_ptr<FeedConnection>>> by_client;  // oldest first
  bool stalled = false;
  double stall_until = 0;  // sim elapsed seconds; 0 = until resumed
  std::chrono::milliseconds write_delay{0};
  double slow_until = 0;
  std::chrono::milliseconds rest_delay{0};  // kRestSlow
  double rest_slow_until = 0;
  double rest_limit_until = 0;  // kRestLimit; the configured limit comes back after it

  std::vector<ScenarioStep> steps;  // sorted by `at`
  std::size_t next_step = 0;
  std::vector<std::pair<double, std::size_t>> rallies;  // EMA-cross second legs: (at, instrument)
  std::vector<ScenarioStep> deferred;                   // breakouts too late in their minute, moved to the next
  mutable std::mutex expected_mutex;
  std::vector<ExpectedAlert> expected;
  std::vector<std::size_t> traded;  // reused per tick
  std::ofstream send_log_file;
  std::optional<SendLog> send_log;
  // This step's send-log entries by instrument, for the connections to carry
  // to the write of the frame holding each packet (log_sends).
  std::unordered_map<market::InstrumentKey, SendLog::Send> stepped_sends;
};

namespace {

template <class Stream>
class FeedSession : public FeedConnection, public std::enable_shared_from_this<FeedSession<Stream>> {
 public:
  FeedSession(std::shared_ptr<Simulator::Impl> sim, Stream&& stream)
      : sim_(std::move(sim)),
        ws_(std::move(stream), sim_->options.coalesce_writes, sim_->counters.feed_writes),
        ping_timer_(ws_.get_executor()),
        delay_timer_(ws_.get_executor()) {}

  void accept(http::request<http::string_body> req) {
    websocket::stream_base::timeout timeout{std::chrono::seconds(30), websocket::stream_base::none(), false};
    ws_.set_option(timeout);
    ws_.read_message_max(kMaxClientMessage);
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { last_rx_ = SteadyClock::now(); });
    std::string target(req.target());
    ws_.next_layer().set_owner(this->weak_from_this());
    ws_.async_accept(req, [self = this->shared_from_this(), target](beast::error_code ec) {
      self->on_accept(ec, target);
    });
  }

  void on_market(const std::vector<std::size_t>& traded) override {
    if (closing_ || finished_ || subs_.empty()) return;
    for (const std::size_t i : traded) {
      const auto key = sim_->model.instrument(i).key;
      const auto it = subs_.find(key);
      if (it == subs_.end()) continue;
      if (const auto send = sim_->stepped_sends.find(key); send != sim_->stepped_sends.end()) {
        pending_.sends.push_back(send->second);  // rides with the frame its packet goes in
      }
      send_for_mode(i, it->second);
    }
    flush_frame();
  }

  void send_disconnect_and_close(std::uint16_t code) override {
    if (closing_ || finished_) return;
    closing_ = true;
    while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
    queue_.push_back({disconnect_bytes(code), 1, {}});
    ++sim_->counters.disconnects_sent;
    if (!writing_) do_write();
  }

  void send_raw(std::vector<std::uint8_t> frame) override {
    if (closing_ || finished_) return;
    enqueue(std::move(frame), 0);
  }

  void drop() override {
    close_socket(ws_.next_layer().next_layer());
    finish();
  }

 private:
  struct Sub {
    int mode = 17;
    std::uint32_t last_oi = 0;
  };
  struct Frame {
    std::vector<std::uint8_t> bytes;
    std::size_t packets = 0;
    std::vector<SendLog::Send> sends;  // send-log entries stamped when this frame's write begins
  };

  void on_accept(beast::error_code ec, const std::string& target) {
    if (ec) return;
    ++sim_->counters.connections_accepted;
    ++sim_->counters.connections_open;
    accepted_ = true;
    last_rx_ = SteadyClock::now();
    const std::uint16_t reason = sim_->authenticate(target, client_id_);
    do_read();
    if (reason != 0) {
      ++sim_->counters.auth_failures;
      send_disconnect_and_close(reason);
      return;
    }
    sim_->register_connection(client_id_, this->shared_from_this());
    schedule_keepalive();
  }

  void do_read() {
    ws_.async_read(rx_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      finish();
      return;
    }
    last_rx_ = SteadyClock::now();
    if (ws_.got_text()) handle_request(beast::buffers_to_string(rx_.data()));
    // Binary frames from a client carry nothing we use (the SDK's stray v1 header).
    rx_.consume(rx_.size());
    do_read();
  }

  void handle_request(const std::string& text) {
    const auto parsed = dhan::parse_client_request(text);
    if (!parsed.request) {
      enqueue(disconnect_bytes(814), 1);
      return;
    }
    const auto& req = *parsed.request;
    if (req.request_code == static_cast<int>(dhan::RequestCode::kDisconnect)) {
      closing_ = true;
      if (!writing_) close_gracefully();
    } else if (dhan::is_subscribe(req.request_code)) {
      subscribe(req);
    } else if (dhan::is_unsubscribe(req.request_code)) {
      for (const auto& key : req.instruments) {
        if (subs_.erase(key) != 0) --sim_->counters.subscriptions;
      }
    } else {
      enqueue(disconnect_bytes(814), 1);
    }
  }

  void subscribe(const dhan::ClientRequest& req) {
    const auto& opt = sim_->options;
    count_subscribe_message(req.instruments.size());
    std::size_t fresh = 0;
    for (const auto& key : req.instruments) fresh += subs_.count(key) == 0 ? 1 : 0;
    if (req.instruments.size() > opt.max_instruments_per_message ||
        subs_.size() + fresh > opt.max_instruments_per_connection) {
      send_disconnect_and_close(804);
      return;
    }
    for (const auto& key : req.instruments) {
      auto [it, inserted] = subs_.try_emplace(key);
      it->second.mode = req.request_code;
      if (inserted) ++sim_->counters.subscriptions;
      if (const auto i = sim_->model.index_of(key)) {
        it->second.last_oi = sim_->model.state(*i).open_interest;
        append(sim_->model.prev_close_packet(*i));
      }
    }
    flush_frame();
  }

  // What tests check about a client's pacing and batching.
  void count_subscribe_message(std::size_t instruments) {
    auto& c = sim_->counters;
    ++c.subscribe_messages;
    raise_to(c.largest_subscribe_message, instruments);
    const auto now = SteadyClock::now();
    if (last_subscribe_) {
      const auto gap = std::chrono::duration_cast<std::chrono::microseconds>(now - *last_subscribe_).count();
      lower_to(c.min_subscribe_gap_us, static_cast<std::uint64_t>(gap));
    }
    last_subscribe_ = now;
  }

  void send_for_mode(std::size_t i, Sub& sub) {
    const auto& model = sim_->model;
    if (sub.mode == static_cast<int>(dhan::RequestCode::kSubscribeTicker)) {
      append(model.ticker_packet(i));
    } else if (sub.mode == static_cast<int>(dhan::RequestCode::kSubscribeQuote)) {
      append(model.quote_packet(i));
      const auto oi = model.state(i).open_interest;
      const bool derivative = model.instrument(i).key.segment == static_cast<std::uint8_t>(dhan::Segment::kNseFno);
      if (derivative && oi != sub.last_oi) {
        sub.last_oi = oi;
        append(model.oi_packet(i));
      }
    } else {
      append(model.full_packet(i));
    }
  }

  void append(const dhan::Packet& packet) {
    if (sim_->stalled) return;
    dhan::encode(packet, pending_.bytes);
    if (++pending_.packets >= sim_->options.packets_per_frame) flush_frame();
  }

  void flush_frame() {
    if (pending_.packets == 0) {
      pending_.sends.clear();  // their packets were never appended (stalled)
      return;
    }
    Frame frame = std::move(pending_);
    pending_ = Frame{};
    enqueue(std::move(frame));
  }

  void enqueue(std::vector<std::uint8_t> bytes, std::size_t packets) { enqueue(Frame{std::move(bytes), packets, {}}); }

  void enqueue(Frame frame) {
    if (queue_.size() >= sim_->options.max_queued_frames) {
      ++sim_->counters.frames_dropped;
      return;
    }
    queue_.push_back(std::move(frame));
    if (!writing_) do_write();
  }

  void do_write() {
    if (finished_) return;
    if (queue_.empty()) {
      ws_.next_layer().hold(false);
      if (closing_) close_gracefully();
      return;
    }
    ws_.next_layer().hold(true);
    writing_ = true;
    if (sim_->write_delay.count() > 0) {
      delay_timer_.expires_after(sim_->write_delay);
      delay_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->write_front();
      });
      return;
    }
    write_front();
  }

  void write_front() {
    if (finished_) {  // dropped while a write delay was pending
      writing_ = false;
      return;
    }
    ws_.binary(true);
    const auto wall_us = queue_.front().sends.empty() ? 0 : util::utc_now_us();
    ws_.async_write(asio::buffer(queue_.front().bytes),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    for (const auto& send : queue_.front().sends) sim_->send_log->on_written(send, wall_us);
    queue_.front().sends.clear();
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (finished_) {  // dropped mid-write: finish() kept the frame being written until now
      queue_.clear();
      return;
    }
    if (ec) {
      finish();
      return;
    }
    sim_->counters.packets_sent += queue_.front().packets;
    queue_.pop_front();
    do_write();
  }

  void close_gracefully() {
    if (close_started_ || finished_) return;
    close_started_ = true;
    ping_timer_.cancel();
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](beast::error_code) { self->finish(); });
  }

  void schedule_keepalive() {
    const auto period = std::min(sim_->options.ping_interval, sim_->options.idle_timeout / 4);
    ping_timer_.expires_after(std::max(period, std::chrono::milliseconds(10)));
    ping_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_keepalive();
    });
  }

  void on_keepalive() {
    if (finished_ || close_started_) return;
    const auto now = SteadyClock::now();
    if (now - last_rx_ > sim_->options.idle_timeout) {
      spdlog::info("sim: dropping feed client {} silent for {} ms", client_id_, sim_->options.idle_timeout.count());
      drop();
      return;
    }
    if (!ping_in_flight_ && now - last_ping_ >= sim_->options.ping_interval) {
      ping_in_flight_ = true;
      last_ping_ = now;
      ws_.async_ping({}, [self = this->shared_from_this()](beast::error_code) { self->ping_in_flight_ = false; });
    }
    schedule_keepalive();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    if (accepted_) --sim_->counters.connections_open;
    sim_->counters.subscriptions -= subs_.size();
    subs_.clear();
    // The frame being written must outlive the write: on_write releases it.
    queue_.erase(writing_ && !queue_.empty() ? queue_.begin() + 1 : queue_.begin(), queue_.end());
    ping_timer_.cancel();
    delay_timer_.cancel();
  }

  std::shared_ptr<Simulator::Impl> sim_;
  websocket::stream<CoalescingStream<Stream>> ws_;
  asio::steady_timer ping_timer_;
  asio::steady_timer delay_timer_;
  beast::flat_buffer rx_;
  std::deque<Frame> queue_;
  Frame pending_;
  std::unordered_map<market::InstrumentKey, Sub> subs_;
  std::string client_id_;
  SteadyClock::time_point last_rx_{};
  SteadyClock::time_point last_ping_{};
  std::optional<SteadyClock::time_point> last_subscribe_;
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_started_ = false;
  bool finished_ = false;
  bool ping_in_flight_ = false;
};

// One HTTP connection: REST requests until it upgrades to the feed.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(std::shared_ptr<Simulator::Impl> sim, Stream&& stream)
      : sim_(std::move(sim)), stream_(std::move(stream)), delay_timer_(stream_.get_executor()) {}

  void run() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBody);
    beast::get_lowest_layer(stream_).expires_after(kHttpReadTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      close_socket(stream_);
      return;
    }
    auto req = parser_->release();
    if (websocket::is_upgrade(req)) {
      beast::get_lowest_layer(stream_).expires_never();
      std::make_shared<FeedSession<Stream>>(sim_, std::move(stream_))->accept(std::move(req));
      return;
    }
    response_ = sim_->handle_rest(req);
    if (sim_->rest_delay.count() > 0) {  // a slow server: the reply leaves late, the socket stays open
      delay_timer_.expires_after(sim_->rest_delay);
      delay_timer_.async_wait([self = this->shared_from_this()](beast::error_code dec) {
        if (!dec) self->write_response();
      });
      return;
    }
    write_response();
  }

  void write_response() {
    http::async_write(stream_, response_, [self = this->shared_from_this()](beast::error_code wec, std::size_t) {
      self->on_write(wec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec || !response_.keep_alive()) {
      close_socket(stream_);
      return;
    }
    read();
  }

  std::shared_ptr<Simulator::Impl> sim_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  web::Response response_;
  asio::steady_timer delay_timer_;
};

std::string host_for_url(const std::string& bind) {
  if (bind == "0.0.0.0" || bind.empty()) return "127.0.0.1";
  if (bind == "::") return "[::1]";
  return bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
}

ScenarioStep fault_step(Action action, double at) {
  ScenarioStep step;
  step.action = action;
  step.at = at;
  return step;
}

market::IstSeconds wall_clock_ist() {
  const auto utc = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return market::ist_from_utc(utc.count());
}

}  // namespace

void Simulator::Impl::run_fault(Action action) {
  const double elapsed = sim_elapsed();
  run_step(fault_step(action, elapsed), sim_now(), elapsed);
}

Simulator::Impl::Impl(asio::io_context& io_context, SimulatorOptions opts)
    : io(io_context),
      options(std::move(opts)),
      model(options.instruments.empty() ? default_universe() : options.instruments,
            ModelOptions{options.seed, options.ticks_per_second}, options.start_time.value_or(wall_clock_ist())),
      rest(model, options.calendar,
           options.instruments.empty() ? std::string(default_universe_csv()) : to_master_csv(options.instruments),
           RestOptions{options.client_id, options.access_token, options.rest_requests_per_second}),
      acceptor(io_context),
      tick_timer(io_context) {
  sim_start = model.live_start();
  if (!options.send_log_path.empty()) {
    send_log_file.open(options.send_log_path, std::ios::trunc);
    if (!send_log_file) throw std::invalid_argument("cannot write " + options.send_log_path);
    send_log.emplace(send_log_file);
  }
  steps = options.scenario.steps;
  std::stable_sort(steps.begin(), steps.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  if (options.tls) {
    const SelfSignedCert cert = generate_self_signed_cert();
    tls.emplace(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls->use_certificate_chain(asio::buffer(cert.cert_pem));
    tls->use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
    std::random_device rd;
    ca_path = (std::filesystem::temp_directory_path() / ("fno-sim-ca-" + std::to_string(rd()) + ".pem")).string();
    std::ofstream(ca_path) << cert.cert_pem;
  }
  const tcp::endpoint endpoint(asio::ip::make_address(options.bind), options.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

Simulator::Impl::~Impl() {
  if (!ca_path.empty()) {
    std::error_code ec;
    std::filesystem::remove(ca_path, ec);
  }
}

void Simulator::Impl::start() {
  accept();
  schedule_tick();
}

void Simulator::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      // Like exchange feed servers: each packet's frame leaves at once, not
      // held back (Nagle) until the client acknowledges the previous one.
      beast::error_code ignored;
      if (!self->options.nagle) socket.set_option(tcp::no_delay(true), ignored);
      beast::tcp_stream stream(std::move(socket));
      if (self->tls) {
        auto tls_stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(std::move(stream), *self->tls);
        beast::get_lowest_layer(*tls_stream).expires_after(kHttpReadTimeout);
        tls_stream->async_handshake(ssl::stream_base::server, [self, tls_stream](beast::error_code hec) {
          if (hec) return;
          std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(self, std::move(*tls_stream))->run();
        });
      } else {
        std::make_shared<HttpSession<beast::tcp_stream>>(self, std::move(stream))->run();
      }
    }
    self->accept();
  });
}

void Simulator::Impl::stop() {
  if (stopped) return;
  stopped = true;
  boost::system::error_code ec;
  acceptor.close(ec);
  tick_timer.cancel();
  for_each_connection([](FeedConnection& c) { c.drop(); });
  by_client.clear();
}

std::uint16_t Simulator::Impl::authenticate(std::string_view target, std::string& client_id) const {
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) return 808;
  std::string version, token, auth_type;
  for (const auto& param : url->params()) {
    if (param.key == "version") version = param.value;
    if (param.key == "token") token = param.value;
    if (param.key == "clientId") client_id = param.value;
    if (param.key == "authType") auth_type = param.value;
  }
  if (version != "2" || auth_type != "2" || client_id.empty()) return 808;
  if (!options.client_id.empty() && client_id != options.client_id) return 808;
  if (token.empty() || (!options.access_token.empty() && token != options.access_token)) return 809;
  return 0;
}

void Simulator::Impl::register_connection(const std::string& client_id,
                                          const std::shared_ptr<FeedConnection>& connection) {
  auto& list = by_client[client_id];
  std::erase_if(list, [](const auto& weak) { return weak.expired(); });
  list.push_back(connection);
  while (list.size() > options.max_connections_per_client) {
    if (auto oldest = list.front().lock()) oldest->send_disconnect_and_close(805);
    list.pop_front();
  }
}

template <typename F>
void Simulator::Impl::for_each_connection(F&& f) {
  for (auto& [client, list] : by_client) {
    std::erase_if(list, [](const auto& weak) { return weak.expired(); });
    for (const auto& weak : list) {
      if (auto c = weak.lock()) f(*c);
    }
  }
}

web::Response Simulator::Impl::handle_rest(const web::Request& req) {
  if (req.target() == kStatusPath && req.method() == http::verb::get) return status_reply(req);
  ++counters.rest_requests;
  ++counters.rest_in_flight;
  const auto before = rest.rate_limited();
  web::Response res = rest.handle(req, SteadyClock::now());
  counters.rest_rate_limited += rest.rate_limited() - before;
  --counters.rest_in_flight;
  return res;
}

web::Response Simulator::Impl::status_reply(const web::Request& req) const {
  namespace json = boost::json;
  json::array alerts;
  {
    std::lock_guard lock(expected_mutex);
    for (const auto& a : expected) {
      alerts.push_back({{"segment", dhan::segment_name(static_cast<dhan::Segment>(a.instrument.segment))},
                        {"security_id", a.instrument.security_id},
                        {"strategy", a.strategy},
                        {"earliest", a.earliest},
                        {"latest", a.latest}});
    }
  }
  const auto& c = counters;
  const json::object body{
      {"sim_time", sim_now()},
      {"sim_time_ist", market::format_ist(sim_now())},
      {"elapsed_seconds", sim_elapsed()},
      {"market_open", options.always_open || options.calendar.is_open(sim_now())},
      {"counters",
       {{"connections_accepted", c.connections_accepted.load()},
        {"connections_open", c.connections_open.load()},
        {"auth_failures", c.auth_failures.load()},
        {"subscriptions", c.subscriptions.load()},
        {"packets_sent", c.packets_sent.load()},
        {"frames_dropped", c.frames_dropped.load()},
        {"disconnects_sent", c.disconnects_sent.load()},
        {"rest_requests", c.rest_requests.load()},
        {"rest_rate_limited", c.rest_rate_limited.load()},
        {"breakouts_skipped", c.breakouts_skipped.load()}}},
      {"expected_alerts", std::move(alerts)}};
  web::Response res{http::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(http::field::content_type, "application/json");
  res.body() = json::serialize(body);
  res.prepare_payload();
  return res;
}

double Simulator::Impl::sim_elapsed() const {
  return std::chrono::duration<double>(SteadyClock::now() - real_start).count() * options.speed;
}

market::IstSeconds Simulator::Impl::sim_now() const {
  return sim_start + static_cast<market::IstSeconds>(sim_elapsed());
}

void Simulator::Impl::schedule_tick() {
  tick_timer.expires_after(options.tick_interval);
  tick_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->stopped) self->on_tick();
  });
}

void Simulator::Impl::on_tick() {
  const auto real_now = SteadyClock::now();
  const double dt = std::chrono::duration<double>(real_now - last_tick).count() * options.speed;
  last_tick = real_now;
  const double elapsed = sim_elapsed();
  const market::IstSeconds now = sim_now();
  model.close_candles(now);  // scenario steps judge the candles a scanner has closed
  run_scenario(elapsed, now);
  if (options.always_open || options.calendar.is_open(now)) {
    traded.clear();
    model.advance(now, dt, traded);
    if (send_log) log_sends(elapsed);
    if (!traded.empty()) for_each_connection([&](FeedConnection& c) { c.on_market(traded); });
    stepped_sends.clear();
  }
  schedule_tick();
}

void Simulator::Impl::run_scenario(double elapsed, market::IstSeconds now) {
  if (stalled && stall_until > 0 && elapsed >= stall_until) stalled = false;
  if (write_delay.count() > 0 && slow_until > 0 && elapsed >= slow_until) write_delay = std::chrono::milliseconds(0);
  if (rest_delay.count() > 0 && rest_slow_until > 0 && elapsed >= rest_slow_until) rest_delay = std::chrono::milliseconds(0);
  if (rest_limit_until > 0 && elapsed >= rest_limit_until) {
    rest.set_requests_per_second(options.rest_requests_per_second);
    rest_limit_until = 0;
  }
  while (next_step < steps.size() && steps[next_step].at <= elapsed) run_step(steps[next_step++], now, elapsed);
  const auto later = std::stable_partition(deferred.begin(), deferred.end(),
                                           [&](const ScenarioStep& s) { return s.at <= elapsed; });
  const std::vector<ScenarioStep> due(deferred.begin(), later);
  deferred.erase(deferred.begin(), later);
  for (const auto& step : due) run_step(step, now, elapsed);
  for (auto it = rallies.begin(); it != rallies.end();) {
    if (it->first > elapsed) {
      ++it;
      continue;
    }
    const std::size_t i = it->second;
    model.push(i, model.state(i).ltp * 1.04, 3.0, 60);
    it = rallies.erase(it);
  }
}

// Stamped as the step hands its packets to the connections (`stepped_us`);
// each connection stamps `sent_us` when it begins writing the frame holding
// the packet, so a latency from it still covers the simulator's own TLS and
// socket write of that frame, not the step's frames queued before it.
void Simulator::Impl::log_sends(double elapsed) {
  send_log->expire(elapsed);
  if (send_log->empty()) return;
  const auto wall_us = util::utc_now_us();
  for (const std::size_t i : traded) {
    const auto key = model.instrument(i).key;
    if (auto send = send_log->on_step(key, dhan::ltt_to_ist(model.state(i).ltt), wall_us)) stepped_sends.emplace(key, *send);
  }
}

std::optional<double> Simulator::Impl::trend_floor(std::size_t i) const {
  const auto candles = model.recent_candles(i, 120, options.calendar);  // enough for the EMAs to forget their seed
  if (candles.empty()) return 0.0;
  const double a_fast = 2.0 / (options.rules.ema_short + 1), a_slow = 2.0 / (options.rules.ema_long + 1);
  double fast = candles.front().close, slow = fast;
  for (const auto& c : candles) {
    fast += a_fast * (c.close - fast);
    slow += a_slow * (c.close - slow);
  }
  // fast + a_fast (c - fast) > m (slow + a_slow (c - slow)), solved for c.
  const double m = 1 + kTieMargin;
  const double rate = a_fast - m * a_slow;
  if (rate <= 0) return std::nullopt;
  return (m * slow * (1 - a_slow) - fast * (1 - a_fast)) / rate;
}

void Simulator::Impl::run_step(const ScenarioStep& step, market::IstSeconds now, double elapsed) {
  spdlog::info("sim: scenario step at {:.0f}s: {}", step.at, to_string(step.action));
  switch (step.action) {
    case Action::kBreakout:
    case Action::kEmaCross: {
      const auto i = model.index_of(step.instrument);
      if (!i) return;
      ExpectedAlert alert{step.instrument, "breakout", market::minute_start(now), market::minute_start(now) + 120};
      if (step.action == Action::kBreakout) {
        const double left_in_minute = static_cast<double>(60 - ((now % 60) + 60) % 60);
        if (left_in_minute - kPushMargin < kMinPushSeconds) {
          ScenarioStep later = step;
          later.at = elapsed + left_in_minute + 1;
          deferred.push_back(later);
          spdlog::info("sim: breakout on {} moved to the next minute", step.instrument.security_id);
          return;
        }
        // The lookback window the breakout candle will be judged by, the last closed candle included.
        const auto window = model.recent_candles(*i, options.rules.lookback, options.calendar);
        if (crossed_before(window, kTieMargin)) {
          // The cross already happened (without volume): no candle can cross again, so there is no ground truth.
          spdlog::info("sim: breakout on {} skipped: its last candle closed above its resistance",
                       step.instrument.security_id);
          ++counters.breakouts_skipped;
          return;
        }
        double level = model.state(*i).ltp;
        for (const auto& c : window) {
          level = std::max({level, c.high, (c.high + c.low + c.close) / 3.0});
        }
        // 1 % over resistance, or as far as the trend filter needs (EMA short
        // reacts faster, so a bigger push turns it), within what breakouts do.
        const auto trend = trend_floor(*i);
        const double target = std::max(level * 1.01, trend.value_or(0) * (1 + 2 * kTieMargin));
        if (!trend || target > level * kMaxBreakoutPush) {
          spdlog::info("sim: breakout on {} skipped: its EMAs would not confirm within a {:.0f} % push",
                       step.instrument.security_id, (kMaxBreakoutPush - 1) * 100);
          ++counters.breakouts_skipped;
          return;
        }
        model.push(*i, target, step.volume_multiplier, std::min(kBreakoutPushSeconds, left_in_minute - kPushMargin));
      } else {
        model.push(*i, model.state(*i).ltp * 0.98, 1.0, 180);
        rallies.emplace_back(step.at + 180, *i);
        alert = {step.instrument, "ema_cross", market::minute_start(now) + 180, market::minute_start(now) + 360};
      }
      if (send_log)
        send_log->watch(step.instrument, dhan::ltt_to_ist(model.state(*i).ltt), step.at + kSendLogWatchSeconds);
      std::lock_guard lock(expected_mutex);
      expected.push_back(alert);
      return;
    }
    case Action::kStall:
      stalled = true;
      stall_until = step.duration > 0 ? step.at + step.duration : 0;
      return;
    case Action::kDrop: for_each_connection([](FeedConnection& c) { c.drop(); }); return;
    case Action::kGarbage: {
      std::mt19937 rng(static_cast<std::uint32_t>(step.at));
      std::vector<std::uint8_t> junk(37);
      for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
      for_each_connection([&](FeedConnection& c) { c.send_raw(junk); });
      return;
    }
    case Action::kTruncated: {
      auto bytes = packet_bytes(model.quote_packet(0));
      bytes.resize(bytes.size() / 2);
      for_each_connection([&](FeedConnection& c) { c.send_raw(bytes); });
      return;
    }
    case Action::kDisconnect:
      for_each_connection([&](FeedConnection& c) { c.send_disconnect_and_close(step.code); });
      return;
    case Action::kSlow:
      write_delay = std::chrono::milliseconds(step.delay_ms);
      slow_until = step.duration > 0 ? step.at + step.duration : 0;
      return;
    case Action::kOversized: {
      // Valid quote packets, but more of them in one frame than a client accepts.
      const auto packet = packet_bytes(model.quote_packet(0));
      std::vector<std::uint8_t> frame;
      frame.reserve(kOversizedFrame + packet.size());
      while (frame.size() < kOversizedFrame) frame.insert(frame.end(), packet.begin(), packet.end());
      for_each_connection([&](FeedConnection& c) { c.send_raw(frame); });
      return;
    }
    case Action::kRestSlow:
      rest_delay = std::chrono::milliseconds(step.delay_ms);
      rest_slow_until = step.duration > 0 ? step.at + step.duration : 0;
      return;
    case Action::kRestLimit:
      rest.set_requests_per_second(static_cast<std::size_t>(std::max(0.0, step.rate)));
      rest_limit_until = step.duration > 0 ? step.at + step.duration : 0;
      return;
  }
}

Simulator::Simulator(asio::io_context& io, SimulatorOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {
  impl_->start();
}

Simulator::~Simulator() { impl_->stop(); }

std::uint16_t Simulator::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string Simulator::feed_url() const {
  return std::string(impl_->tls ? "wss://" : "ws://") + host_for_url(impl_->options.bind) + ":" +
         std::to_string(port());
}

std::string Simulator::rest_base_url() const {
  return std::string(impl_->tls ? "https://" : "http://") + host_for_url(impl_->options.bind) + ":" +
         std::to_string(port()) + "/v2";
}

std::string Simulator::master_url() const {
  return std::string(impl_->tls ? "https://" : "http://") + host_for_url(impl_->options.bind) + ":" +
         std::to_string(port()) + std::string(kMasterPath);
}

std::string Simulator::status_url() const {
  return std::string(impl_->tls ? "https://" : "http://") + host_for_url(impl_->options.bind) + ":" +
         std::to_string(port()) + std::string(kStatusPath);
}

std::string Simulator::ca_file() const { return impl_->ca_path; }
bool Simulator::always_open() const { return impl_->options.always_open; }

SimulatorCounters Simulator::counters() const {
  const auto& c = impl_->counters;
  return {c.connections_accepted, c.connections_open, c.auth_failures,   c.subscriptions,
          c.packets_sent,         c.frames_dropped,   c.disconnects_sent, c.rest_requests,
          c.rest_in_flight,       c.rest_rate_limited, c.subscribe_messages, c.largest_subscribe_message,
          c.min_subscribe_gap_us, c.breakouts_skipped,  c.feed_writes};
}

std::vector<ExpectedAlert> Simulator::expected_alerts() const {
  std::lock_guard lock(impl_->expected_mutex);
  return impl_->expected;
}

void Simulator::drop_connections() {
  asio::post(impl_->io, [impl = impl_] { impl->for_each_connection([](FeedConnection& c) { c.drop(); }); });
}

void Simulator::stall(bool stalled) {
  asio::post(impl_->io, [impl = impl_, stalled] {
    impl->stalled = stalled;
    impl->stall_until = 0;
  });
}

void Simulator::send_garbage() {
  asio::post(impl_->io, [impl = impl_] { impl->run_fault(Action::kGarbage); });
}

void Simulator::send_truncated() {
  asio::post(impl_->io, [impl = impl_] { impl->run_fault(Action::kTruncated); });
}

void Simulator::send_disconnect(std::uint16_t code) {
  asio::post(impl_->io, [impl = impl_, code] {
    impl->for_each_connection([code](FeedConnection& c) { c.send_disconnect_and_close(code); });
  });
}

void Simulator::set_write_delay(std::chrono::milliseconds delay) {
  asio::post(impl_->io, [impl = impl_, delay] {
    impl->write_delay = delay;
    impl->slow_until = 0;
  });
}

void Simulator::stop() { impl_->stop(); }

}  // namespace fno::sim
