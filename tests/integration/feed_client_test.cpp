// The real feed client against the real simulator over wss:// on loopback:
// connection planning and batching at scale, reconnect after drops, the
// stall watchdog, disconnect codes (805 / 807), garbage frames, credential
// rollover and clean shutdown. Both run on one io_context thread, as in the
// binary; the test thread only reads status through posted calls.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <thread>

#include "dhan/feed_client.hpp"
#include "sim/simulator.hpp"

namespace fno::dhan {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr const char* kClient = "1000000001";           // obviously fake
constexpr const char* kToken = "fake-feed-test-token";  // obviously fake
constexpr auto kFno = static_cast<std::uint8_t>(Segment::kNseFno);

market::InstrumentKey synthetic_key(std::size_t i) { return {kFno, static_cast<std::uint32_t>(100000 + i)}; }

// Counts what reaches the engine side; called on the network thread.
class RecordingSink final : public PacketSink {
 public:
  bool push(const Packet& packet) override {
    std::lock_guard lock(mutex_);
    ++packets_;
    ++unflushed_;
    if (packet.code == ResponseCode::kQuote) seen_.insert(packet.key());
    return true;
  }
  void flush() override {
    std::lock_guard lock(mutex_);
    ++flushes_;
    largest_batch_ = std::max(largest_batch_, unflushed_);
    unflushed_ = 0;
  }
  struct Flushes {
    std::uint64_t flushes, largest_batch, unflushed;
  };
  Flushes flushes() const {
    std::lock_guard lock(mutex_);
    return {flushes_, largest_batch_, unflushed_};
  }
  std::size_t distinct_quoted() const {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }
  std::uint64_t packets() const {
    std::lock_guard lock(mutex_);
    return packets_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<market::InstrumentKey> seen_;
  std::uint64_t packets_ = 0;
  std::uint64_t unflushed_ = 0;  // pushed since the last flush()
  std::uint64_t flushes_ = 0;
  std::uint64_t largest_batch_ = 0;
};

std::vector<sim::SimInstrument> synthetic_universe(std::size_t n) {
  std::vector<sim::SimInstrument> out;
  for (std::size_t i = 0; i < n; ++i) {
    sim::SimInstrument s;
    s.key = synthetic_key(i);
    s.symbol = "SYN" + std::to_string(i) + "-Jan2026-FUT";
    s.instrument = "FUTSTK";
    s.lot_size = 10;
    out.push_back(std::move(s));
  }
  return out;
}

// Simulator + feed client on one network thread for the test's lifetime.
class Harness {
 public:
  // Runs `f` on the network thread and returns its result.
  template <class F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&] { task(); });
    return result.get();
  }
  explicit Harness(std::size_t instruments, double ticks_per_second = 2.0, bool coalesce_writes = false) {
    sim::SimulatorOptions so;
    so.coalesce_writes = coalesce_writes;
    so.tls = true;
    so.always_open = true;
    so.client_id = kClient;
    so.access_token = kToken;
    so.ticks_per_second = ticks_per_second;
    so.instruments = synthetic_universe(instruments);
    sim_.emplace(io_, std::move(so));
    for (const auto& s : synthetic_universe(instruments)) keys_.push_back(s.key);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Harness() {
    if (client_) stop_client();
    on_io([this] { sim_->stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  FeedOptions options() const {
    FeedOptions o;
    o.url = sim_->feed_url();
    o.tls.ca_file = sim_->ca_file();
    o.client_id = kClient;
    o.access_token = kToken;
    o.message_interval = 5ms;
    o.backoff_base = 50ms;
    o.backoff_cap = 400ms;
    o.stall_timeout = 60s;
    return o;
  }

  void start(FeedOptions options) {
    on_io([&] {
      client_.emplace(io_, std::move(options), sink_);
      client_->start(keys_);
    });
  }
  void stop_client() {
    std::promise<void> done;
    asio::post(io_, [&] { client_->stop([&] { done.set_value(); }); });
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready) << "stop() must finish within its timeout";
    on_io([&] { client_.reset(); });
  }
  FeedStatus status() {
    return on_io([&] { return client_->status(); });
  }
  // Polls `pred` until it holds or `limit` passes.
  template <class Pred>
  bool eventually(Pred pred, std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return pred();
  }
  bool streaming_all() {
    const auto s = status();
    if (s.connections.empty()) return false;
    for (const auto& c : s.connections) {
      if (c.state != ConnectionState::kStreaming) return false;
    }
    return sim_->counters().subscriptions == keys_.size();
  }

  sim::Simulator& sim() { return *sim_; }
  RecordingSink& sink() { return sink_; }
  FeedClient& client() { return *client_; }
  std::size_t size() const { return keys_.size(); }

 private:
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::optional<sim::Simulator> sim_;
  std::vector<market::InstrumentKey> keys_;
  RecordingSink sink_;
  std::optional<FeedClient> client_;
  std::thread thread_;
};

TEST(FeedClientSim, TwelveThousandInstrumentsUseThreeConnectionsEachSubscribedOnce) {
  Harness h(12000, 0.5);
  auto options = h.options();
  options.message_interval = 2ms;
  h.start(options);
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }, 60s));

  const auto counters = h.sim().counters();
  EXPECT_EQ(counters.connections_open, 3u);
  EXPECT_EQ(counters.connections_accepted, 3u) << "no connection was refused or retried";
  EXPECT_EQ(counters.subscriptions, 12000u);
  EXPECT_EQ(counters.disconnects_sent, 0u) << "an over-limit message would have drawn 804";
  EXPECT_LE(counters.largest_subscribe_message, 100u);
  EXPECT_GE(counters.subscribe_messages, 120u);

  // Every instrument streams: sum over connections == union == 12,000, so
  // none is on two connections.
  EXPECT_TRUE(h.eventually([&] { return h.sink().distinct_quoted() == 12000; }, 60s))
      << h.sink().distinct_quoted() << " of 12000 instruments quoted";
  const auto status = h.status();
  ASSERT_EQ(status.connections.size(), 3u);
  std::size_t total = 0;
  for (const auto& c : status.connections) {
    EXPECT_LE(c.instruments, 5000u);
    total += c.instruments;
  }
  EXPECT_EQ(total, 12000u);
  EXPECT_EQ(status.health, FeedHealth::kOk);
}

// The engine is woken once per batch of packets, not per packet: flush()
// follows the simulator's per-tick bursts, a batch never exceeds
// flush_batch (one packet per frame here), and stop() flushes the rest.
TEST(FeedClientSim, PacketsReachTheSinkInFlushedBatches) {
  Harness h(2000, 2.0);
  auto options = h.options();
  options.message_interval = 1ms;
  options.flush_delay = 2ms;
  options.flush_batch = 64;
  h.start(options);
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }, 60s));
  ASSERT_TRUE(h.eventually([&] { return h.sink().packets() > 10000; }, 60s)) << h.sink().packets() << " packets";
  h.stop_client();
  const auto f = h.sink().flushes();
  const auto packets = h.sink().packets();
  EXPECT_EQ(f.unflushed, 0u) << "stop() flushes what is left";
  EXPECT_GT(f.flushes, 0u);
  EXPECT_LT(f.flushes, packets / 4) << "one flush per packet is no batching";
  EXPECT_LE(f.largest_batch, 64u);
  EXPECT_GT(f.largest_batch, 1u);
}

// A server that writes through a buffer (many frames per TLS record and TCP
// segment, frames split across records) streams like one that writes each
// frame on its own, and the simulator's buffer reaches the socket to its last
// frame once the market goes quiet.
TEST(FeedClientSim, FramesCoalescedIntoLargeWritesAllArrive) {
  Harness h(2000, 5.0, /*coalesce_writes=*/true);
  h.start(h.options());
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }, 60s));
  ASSERT_TRUE(h.eventually([&] { return h.sink().packets() > 20000; }, 60s)) << h.sink().packets() << " packets";
  h.sim().stall(true);
  std::uint64_t last = 0;
  ASSERT_TRUE(h.eventually([&] {
    const auto now = h.sink().packets();
    const bool quiet = now == last && now == h.sim().counters().packets_sent;
    last = now;
    return quiet;
  })) << h.sink().packets() << " packets received, " << h.sim().counters().packets_sent << " sent";

  const auto status = h.status();
  const auto counters = h.sim().counters();
  EXPECT_EQ(h.sink().distinct_quoted(), h.size());
  EXPECT_EQ(std::accumulate(status.decode.errors.begin(), status.decode.errors.end(), std::uint64_t{0}), 0u);
  EXPECT_EQ(status.reconnects, 0u);
  EXPECT_EQ(counters.connections_accepted, 1u);
  EXPECT_GE(status.frames, 20 * counters.feed_writes)
      << status.frames << " frames in " << counters.feed_writes << " writes: not coalesced";
}

TEST(FeedClientSim, SubscriptionMessagesArePaced) {
  Harness h(500);
  auto options = h.options();
  options.message_interval = 200ms;
  h.start(options);
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));
  const auto counters = h.sim().counters();
  EXPECT_EQ(counters.subscribe_messages, 5u);
  // Measured on arrival, so allow the server half the interval of jitter;
  // an unpaced client lands its five messages within microseconds.
  EXPECT_GE(counters.min_subscribe_gap_us, 100'000u);
}

TEST(FeedClientSim, DroppedConnectionReconnectsAndResubscribesEverything) {
  Harness h(300);
  h.start(h.options());
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));
  const auto before = h.sim().counters().connections_accepted;

  h.sim().drop_connections();
  ASSERT_TRUE(h.eventually([&] { return h.sim().counters().connections_accepted > before && h.streaming_all(); }));
  const auto status = h.status();
  EXPECT_GE(status.reconnects, 1u);
  EXPECT_EQ(h.sim().counters().subscriptions, 300u) << "exactly the lost connection's instruments, once each";
  const auto packets = h.sink().packets();
  EXPECT_TRUE(h.eventually([&] { return h.sink().packets() > packets + 100; })) << "data flows again";
}

TEST(FeedClientSim, StallWatchdogReconnectsDuringMarketHours) {
  Harness h(50);
  auto options = h.options();
  options.stall_timeout = 1s;
  h.start(options);
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));
  const auto before = h.sim().counters().connections_accepted;

  h.sim().stall(true);
  ASSERT_TRUE(h.eventually([&] { return h.status().connections.at(0).stalls >= 1; }));
  EXPECT_TRUE(h.eventually([&] { return h.sim().counters().connections_accepted > before; }));
  h.sim().stall(false);
  EXPECT_TRUE(h.eventually([&] { return h.streaming_all(); }));
}

TEST(FeedClientSim, SilenceOutsideMarketHoursIsNormal) {
  Harness h(50);
  auto options = h.options();
  options.stall_timeout = 300ms;
  options.market_open = [] { return false; };
  h.start(options);
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));
  h.sim().stall(true);
  std::this_thread::sleep_for(1500ms);  // five stall timeouts of silence
  const auto status = h.status();
  EXPECT_EQ(status.connections.at(0).stalls, 0u);
  EXPECT_EQ(h.sim().counters().connections_accepted, 1u);
}

TEST(FeedClientSim, Disconnect805BacksOffLongInsteadOfRetryingFast) {
  Harness h(50);
  auto options = h.options();
  options.budget_backoff = 120s;
  h.start(options);
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));

  h.sim().send_disconnect(805);
  ASSERT_TRUE(h.eventually([&] { return h.status().connections.at(0).state == ConnectionState::kBackoff; }));
  // With a 50 ms base a normal backoff would have reconnected many times by now.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(h.sim().counters().connections_accepted, 1u);
  const auto status = h.status();
  EXPECT_EQ(status.connections.at(0).state, ConnectionState::kBackoff);
  EXPECT_NE(status.connections.at(0).last_error.find("805"), std::string::npos) << status.connections.at(0).last_error;
}

TEST(FeedClientSim, Disconnect807StopsWithTokenExpiredUntilNewCredentials) {
  Harness h(50);
  h.start(h.options());
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));

  h.sim().send_disconnect(807);
  ASSERT_TRUE(h.eventually([&] { return h.status().health == FeedHealth::kTokenExpired; }));
  std::this_thread::sleep_for(1s);  // 20 base backoffs: no reconnect storm
  EXPECT_EQ(h.sim().counters().connections_accepted, 1u);
  const auto status = h.status();
  EXPECT_EQ(status.health, FeedHealth::kTokenExpired);
  EXPECT_FALSE(status.message.empty());
  EXPECT_EQ(status.message.find(kToken), std::string::npos);

  // The daily rollover: new credentials reconnect without a restart.
  h.on_io([&] { h.client().set_credentials(kClient, kToken); });
  EXPECT_TRUE(h.eventually([&] { return h.streaming_all(); }));
  EXPECT_EQ(h.status().health, FeedHealth::kOk);
}

TEST(FeedClientSim, WrongTokenIsAuthFailureWithoutRetries) {
  Harness h(20);
  auto options = h.options();
  options.access_token = "wrong-fake-token";
  h.start(options);
  ASSERT_TRUE(h.eventually([&] {
    const auto health = h.status().health;
    return health == FeedHealth::kAuthFailed || health == FeedHealth::kTokenExpired;
  }));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(h.sim().counters().connections_accepted, 1u);
  EXPECT_GE(h.sim().counters().auth_failures, 1u);
}

TEST(FeedClientSim, GarbageAndTruncatedFramesAreCountedAndStreamingContinues) {
  Harness h(50);
  h.start(h.options());
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));

  for (int i = 0; i < 3; ++i) {
    h.sim().send_garbage();
    h.sim().send_truncated();
  }
  ASSERT_TRUE(h.eventually([&] {
    const auto d = h.status().decode;
    return std::accumulate(d.errors.begin(), d.errors.end(), std::uint64_t{0}) >= 6;
  })) << "every bad frame is counted";
  const auto packets = h.sink().packets();
  EXPECT_TRUE(h.eventually([&] { return h.sink().packets() > packets + 50; }));
  EXPECT_EQ(h.sim().counters().connections_accepted, 1u) << "bad frames do not cost the connection";
}

TEST(FeedClientSim, RuntimeAddAndRemoveSendDeltas) {
  Harness h(400);
  auto options = h.options();
  h.start(options);
  // Subscribe only half first: start() took all 400, so remove 200 and add them back.
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));
  std::vector<market::InstrumentKey> half;
  for (std::size_t i = 0; i < 200; ++i) half.push_back(synthetic_key(i));
  h.on_io([&] { h.client().remove(half); });
  EXPECT_TRUE(h.eventually([&] { return h.sim().counters().subscriptions == 200; }));
  h.on_io([&] { h.client().add(half); });
  EXPECT_TRUE(h.eventually([&] { return h.sim().counters().subscriptions == 400; }));
  EXPECT_EQ(h.sim().counters().connections_accepted, 1u) << "deltas reuse the open connection";
}

TEST(FeedClientSim, StopSendsDisconnectRequestAndClosesPromptly) {
  Harness h(50);
  h.start(h.options());
  ASSERT_TRUE(h.eventually([&] { return h.streaming_all(); }));
  h.stop_client();
  EXPECT_TRUE(h.eventually([&] { return h.sim().counters().connections_open == 0; }, 5s));
}

}  // namespace
}  // namespace fno::dhan
