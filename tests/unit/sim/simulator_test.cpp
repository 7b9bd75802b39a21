// The simulator over real loopback sockets: a small test-only Beast client
// (ws:// and wss://) subscribes and checks packet kinds and disconnect codes.
#include "sim/simulator.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <boost/json/parse.hpp>

#include <optional>
#include <thread>

#include "dhan/codec.hpp"
#include "sim/market_model.hpp"
#include "support/child_process.hpp"
#include "util/clock.hpp"

namespace fno::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr const char* kClient = "1000000001";  // obviously fake
constexpr const char* kToken = "fake-token";

// Runs the simulator on its own io_context thread for the test's lifetime.
class RunningSim {
 public:
  explicit RunningSim(SimulatorOptions options) {
    options.always_open = true;
    options.tick_interval = std::chrono::milliseconds(20);
    options.ticks_per_second = 20;
    sim_.emplace(io_, std::move(options));
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningSim() {
    asio::post(io_, [this] { sim_->stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  Simulator& operator*() { return *sim_; }
  Simulator* operator->() { return &*sim_; }

 private:
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::optional<Simulator> sim_;
  std::thread thread_;
};

// Minimal feed client; every read is bounded by a deadline.
template <class Stream>
class Client {
 public:
  template <typename... Args>
  explicit Client(Args&&... args) : ws_(io_, std::forward<Args>(args)...) {}

  void connect(std::uint16_t port, const std::string& client = kClient, const std::string& token = kToken) {
    tcp::resolver resolver(io_);
    asio::connect(beast::get_lowest_layer(ws_), resolver.resolve("127.0.0.1", std::to_string(port)));
    if constexpr (!std::is_same_v<Stream, tcp::socket>) ws_.next_layer().handshake(asio::ssl::stream_base::client);
    ws_.handshake("127.0.0.1", "/?version=2&token=" + token + "&clientId=" + client + "&authType=2");
  }
  void send(const std::string& text) {
    ws_.text(true);
    ws_.write(asio::buffer(text));
  }
  // Next binary frame decoded; nullopt on close/timeout.
  std::optional<std::vector<dhan::Packet>> read(std::chrono::seconds timeout = std::chrono::seconds(5)) {
    beast::flat_buffer buffer;
    std::optional<beast::error_code> result;
    ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run_for(timeout);
    if (!result) {
      beast::get_lowest_layer(ws_).close();
      io_.restart();
      io_.run_for(std::chrono::seconds(1));
      return std::nullopt;
    }
    if (*result) return std::nullopt;
    std::vector<dhan::Packet> out;
    const auto* data = static_cast<const std::uint8_t*>(buffer.data().data());
    dhan::decode_frame({data, buffer.size()}, out, counters);
    return out;
  }
  // Reads until a disconnect packet arrives; its reason, or 0.
  std::uint16_t await_disconnect() {
    for (int i = 0; i < 10000; ++i) {
      const auto frame = read();
      if (!frame) return 0;
      for (const auto& p : *frame) {
        if (const auto* d = std::get_if<dhan::DisconnectBody>(&p.body)) return d->reason;
      }
    }
    return 0;
  }

  dhan::DecodeCounters counters;

 private:
  asio::io_context io_;
  websocket::stream<Stream> ws_;
};

std::vector<market::InstrumentKey> first_keys(std::size_t n) {
  std::vector<market::InstrumentKey> keys;
  for (std::size_t i = 0; i < n && i < default_universe().size(); ++i) keys.push_back(default_universe()[i].key);
  return keys;
}

template <class Stream>
void expect_quote_stream(Client<Stream>& client, std::uint16_t port) {
  client.connect(port);
  const auto keys = first_keys(3);
  for (const auto& m : dhan::encode_subscribe(17, keys)) client.send(m);
  std::size_t prev_close = 0, quotes = 0;
  for (int i = 0; i < 500 && quotes < 6; ++i) {
    const auto frame = client.read();
    ASSERT_TRUE(frame.has_value());
    ASSERT_EQ(frame->size(), 1u);  // one packet per frame by default
    const auto& p = frame->front();
    EXPECT_NE(std::find(keys.begin(), keys.end(), p.key()), keys.end());
    if (p.code == dhan::ResponseCode::kPrevClose) ++prev_close;
    if (p.code == dhan::ResponseCode::kQuote) {
      EXPECT_EQ(prev_close, 3u) << "prev-close packets come first";
      ++quotes;
    }
    EXPECT_NE(p.code, dhan::ResponseCode::kTicker);
  }
  EXPECT_EQ(quotes, 6u);
  EXPECT_EQ(client.counters.total_packets(), client.counters.frames);
}

MinuteCandle candle(double high, double low, double close) { return {0, close, high, low, close, 100}; }

// What the ground truth skips must be what the breakout rule cannot signal.
TEST(Simulator, CrossedBeforeJudgesTheLastCloseAgainstTheWindowItEndsIn) {
  // The soak case: the window the forming candle is judged by starts after
  // an older high, and the last close is already above its resistance.
  const auto older_high = candle(1380, 1372, 1376);  // TP 1376
  const auto first = candle(1376, 1370, 1372);       // TP 1372.67
  const auto last = candle(1374, 1371, 1373.15);     // TP 1372.72
  EXPECT_TRUE(crossed_before({first, last}, 0.0)) << "1373.15 > 1372.72: no close can cross any more";
  EXPECT_FALSE(crossed_before({older_high, first, last}, 0.0)) << "inside a window holding the 1376 high it still can";
  // The last candle's own typical price counts: a close below it leaves room to cross.
  EXPECT_FALSE(crossed_before({candle(101, 99, 100), candle(108, 102, 103)}, 0.0));
  // Ties count as crossed (the scanner's double arithmetic may land either side).
  EXPECT_TRUE(crossed_before({candle(101, 99, 100), candle(100.5, 99.5, 99.95)}, 0.001));
  EXPECT_FALSE(crossed_before({}, 0.001));
}

TEST(Simulator, WsQuoteSubscriptionStreamsPrevCloseThenQuotes) {
  RunningSim sim(SimulatorOptions{});
  EXPECT_EQ(sim->feed_url(), "ws://127.0.0.1:" + std::to_string(sim->port()));
  Client<tcp::socket> client;
  expect_quote_stream(client, sim->port());
  EXPECT_GE(sim->counters().subscriptions, 3u);
}

TEST(Simulator, WssWithGeneratedCertificate) {
  SimulatorOptions options;
  options.tls = true;
  RunningSim sim(std::move(options));
  ASSERT_FALSE(sim->ca_file().empty());
  EXPECT_EQ(sim->feed_url().rfind("wss://", 0), 0u);
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(sim->ca_file());
  ctx.set_verify_mode(asio::ssl::verify_peer);
  Client<beast::ssl_stream<tcp::socket>> client(ctx);
  expect_quote_stream(client, sim->port());
}

TEST(Simulator, TickerModeSendsTickers) {
  RunningSim sim(SimulatorOptions{});
  Client<tcp::socket> client;
  client.connect(sim->port());
  for (const auto& m : dhan::encode_subscribe(15, first_keys(1))) client.send(m);
  bool ticker = false;
  for (int i = 0; i < 50 && !ticker; ++i) {
    const auto frame = client.read();
    ASSERT_TRUE(frame);
    ticker = frame->front().code == dhan::ResponseCode::kTicker;
  }
  EXPECT_TRUE(ticker);
}

TEST(Simulator, WrongTokenGets809AndWrongClientGets808) {
  SimulatorOptions options;
  options.client_id = kClient;
  options.access_token = kToken;
  RunningSim sim(std::move(options));
  Client<tcp::socket> bad_token;
  bad_token.connect(sim->port(), kClient, "other-token");
  EXPECT_EQ(bad_token.await_disconnect(), 809);
  Client<tcp::socket> bad_client;
  bad_client.connect(sim->port(), "999", kToken);
  EXPECT_EQ(bad_client.await_disconnect(), 808);
  EXPECT_EQ(sim->counters().auth_failures, 2u);
}

TEST(Simulator, MoreThanPerMessageLimitGets804) {
  RunningSim sim(SimulatorOptions{});
  Client<tcp::socket> client;
  client.connect(sim->port());
  const auto keys = first_keys(101);
  ASSERT_EQ(keys.size(), 101u);
  client.send(dhan::encode_subscribe(17, keys, 101).front());
  EXPECT_EQ(client.await_disconnect(), 804);
}

TEST(Simulator, MoreThanPerConnectionLimitGets804) {
  SimulatorOptions options;
  options.max_instruments_per_connection = 150;
  RunningSim sim(std::move(options));
  Client<tcp::socket> client;
  client.connect(sim->port());
  for (const auto& m : dhan::encode_subscribe(17, first_keys(151))) client.send(m);
  EXPECT_EQ(client.await_disconnect(), 804);
}

TEST(Simulator, SixthConnectionMakesOldestGet805) {
  RunningSim sim(SimulatorOptions{});
  std::vector<std::unique_ptr<Client<tcp::socket>>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<Client<tcp::socket>>());
    clients.back()->connect(sim->port());
  }
  EXPECT_EQ(clients.front()->await_disconnect(), 805);
}

TEST(Simulator, InjectedDisconnectCodeReachesClient) {
  RunningSim sim(SimulatorOptions{});
  Client<tcp::socket> client;
  client.connect(sim->port());
  for (const auto& m : dhan::encode_subscribe(17, first_keys(1))) client.send(m);
  ASSERT_TRUE(client.read());
  sim->send_disconnect(807);
  EXPECT_EQ(client.await_disconnect(), 807);
}

TEST(Simulator, OversizedStepSendsAFrameBeyondOneMebibyte) {
  SimulatorOptions options;
  options.scenario = parse_scenario(R"({"steps":[{"at":0.5,"action":"oversized"}]})");
  RunningSim sim(std::move(options));
  Client<tcp::socket> client;
  client.connect(sim->port());
  for (const auto& m : dhan::encode_subscribe(17, first_keys(1))) client.send(m);
  std::size_t largest = 0;
  for (int i = 0; i < 200 && largest <= (1u << 20); ++i) {
    const auto frame = client.read();
    ASSERT_TRUE(frame);
    if (frame->empty()) continue;
    std::vector<std::uint8_t> one;
    dhan::encode(frame->front(), one);
    largest = std::max(largest, frame->size() * one.size());
  }
  EXPECT_GT(largest, 1u << 20) << "more than a client's 1 MiB message limit";
}

// A simulator whose clock starts `into_minute` seconds into a minute, with
// one breakout step at its start on the first default instrument.
SimulatorOptions breakout_at_start(int into_minute, double speed) {
  SimulatorOptions options;
  options.start_time = market::minute_start(util::ist_now()) + into_minute;
  options.speed = speed;
  options.scenario = parse_scenario(R"({"steps":[{"at":0,"action":"breakout","security_id":")" +
                                    std::to_string(default_universe()[0].key.security_id) + R"("}]})");
  return options;
}

boost::json::value sim_status(const Simulator& sim) {
  const auto reply = test::http_get(sim.port(), std::string(kStatusPath));
  if (!reply || reply->status != 200) return nullptr;
  return boost::json::parse(reply->body);
}

std::size_t steps_taken(const boost::json::value& status) {
  return status.at("expected_alerts").as_array().size() +
         status.at("counters").at("breakouts_skipped").to_number<std::size_t>();
}

TEST(Simulator, StatusReportsTheGroundTruthOfTheStepsRun) {
  RunningSim sim(breakout_at_start(5, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a few ticks: the step has run
  const auto status = sim_status(*sim);
  ASSERT_TRUE(status.is_object());
  ASSERT_EQ(steps_taken(status), 1u) << "driven with ground truth, or skipped (already above resistance)";
  const auto& expected = status.at("expected_alerts").as_array();
  if (expected.empty()) return;
  EXPECT_EQ(expected[0].at("security_id").to_number<std::uint32_t>(), default_universe()[0].key.security_id);
  EXPECT_EQ(expected[0].at("strategy").as_string(), "breakout");
  EXPECT_LE(expected[0].at("earliest").as_int64(), status.at("sim_time").as_int64());
  EXPECT_EQ(expected[0].at("latest").as_int64() - expected[0].at("earliest").as_int64(), 120);
}

// A push must end inside its candle (one closed part-way up would make the
// next candle's "previous close <= resistance" refuse the breakout), so a
// step too late in a minute is driven in the next one.
TEST(Simulator, BreakoutLateInAMinuteIsDrivenInTheNext) {
  auto options = breakout_at_start(50, 20);
  const auto minute = market::minute_start(*options.start_time);
  RunningSim sim(std::move(options));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // 3 simulated seconds: still in the first minute
  const auto early = sim_status(*sim);
  ASSERT_TRUE(early.is_object());
  if (early.at("sim_time").as_int64() < minute + 60) {
    EXPECT_EQ(steps_taken(early), 0u) << "not driven this late";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // 20 more: into the next minute
  const auto later = sim_status(*sim);
  ASSERT_TRUE(later.is_object());
  ASSERT_EQ(steps_taken(later), 1u);
  const auto& expected = later.at("expected_alerts").as_array();
  if (!expected.empty()) {
    EXPECT_EQ(expected[0].at("earliest").as_int64(), minute + 60);
  }
}

TEST(Simulator, SilentClientIsDropped) {
  SimulatorOptions options;
  options.ping_interval = std::chrono::milliseconds(50);
  options.idle_timeout = std::chrono::milliseconds(200);
  RunningSim sim(std::move(options));
  Client<tcp::socket> client;
  client.connect(sim->port());
  // This client never reads, so it never answers pings: the simulator must close it.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(sim->counters().connections_open, 0u);
}

TEST(Simulator, DisconnectRequestAndStrayBinaryHeaderAreTolerated) {
  RunningSim sim(SimulatorOptions{});
  Client<tcp::socket> client;
  client.connect(sim->port());
  client.send(dhan::encode_disconnect());
  EXPECT_FALSE(client.read().has_value());  // clean close, no crash
}

}  // namespace
}  // namespace fno::sim
