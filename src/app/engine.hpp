// engine.hpp
//
// The engine thread (DESIGN.md "Threads"): owns the Scanner. Consumes decoded
// feed packets from a bounded SPSC ring (it is the feed's PacketSink: the
// network thread pushes, a full ring is a counted drop), runs commands other
// threads post (universe changes, history batches, queries), closes candles
// from the wall clock, hands signals to `on_signals`, and publishes snapshot
// deltas at most every `publish_interval` to `on_delta` and to a board other
// threads read, plus each charted instrument's newly closed candle. The hooks run on the engine thread and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dhan/codec.hpp"
#include "dhan/feed_client.hpp"
#include "market/calendar.hpp"
#include "scan/scanner.hpp"
#include "util/spsc_ring.hpp"

namespace fno::app {

struct EngineHooks {
  std::function<void(std::vector<scan::Signal>)> on_signals;
  std::function<void(const scan::SnapshotDelta&)> on_delta;
  // IST wall seconds now; the system clock unless a test/replay injects one.
  std::function<market::IstSeconds()> clock;
  // Live charts: the instruments some client charts right now (asked at each
  // publish; keep it cheap) and where each one's newly closed candle goes,
  // as the chart series whose last point is that candle.
  std::function<std::vector<market::InstrumentKey>()> charted = {};
  std::function<void(market::InstrumentKey, const scan::ChartSeries&)> on_chart_candle = {};
};

struct EngineStats {
  std::uint64_t packets = 0;
  std::uint64_t drops = 0;  // ring full
  std::uint64_t commands = 0;
  std::uint64_t command_drops = 0;
  std::uint64_t publishes = 0;
  std::size_t queue_depth = 0;
  scan::ScannerCounters scanner;
  std::size_t instruments = 0;
};

// The latest rows, for API readers on other threads. Keeps the delta rows
// as published (no strings copied on the engine thread) and builds the
// SnapshotRows a reader asks for outside the lock.
class SnapshotBoard {
 public:
  void apply(const scan::SnapshotDelta& delta);
  std::vector<scan::SnapshotRow> rows() const;
  std::optional<scan::SnapshotRow> row(market::InstrumentKey key) const;
  std::size_t size() const;
  // Bumped by every apply(): readers cache rows() until it moves.
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::uint64_t> version_{0};
  mutable std::mutex mutex_;
  std::unordered_map<market::InstrumentKey, scan::DeltaRow> rows_;
};

class Engine final : public dhan::PacketSink {
 public:
  Engine(std::unique_ptr<scan::Scanner> scanner, std::size_t queue_capacity, EngineHooks hooks,
         std::chrono::milliseconds publish_interval = std::chrono::milliseconds(100));
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void start();
  // Drains what is queued, publishes once more, joins the thread.
  void stop();

  // Network thread (the only producer). push() queues; flush() wakes the
  // engine thread if it sleeps (an unflushed packet waits for the
  // engine's idle poll, 5 ms at most).
  bool push(const dhan::Packet& packet) override;
  void flush() override;

  // Any thread. Runs `command` on the engine thread; false when the bounded
  // command queue is full (counted).
  bool post(std::function<void(scan::Scanner&)> command);
  // Any thread. Like post(), but never refused: for commands the caller
  // bounds itself (one history batch per instrument), which must not be lost.
  void post_always(std::function<void(scan::Scanner&)> command);
  // Any thread. Runs `query` on the engine thread and returns its result.
  template <class F>
  auto query(F&& query) -> std::future<decltype(query(std::declval<scan::Scanner&>()))>;

  const SnapshotBoard& board() const { return board_; }
  EngineStats stats() const;

 private:
  void run();
  // Queues `command` unless `limit` commands already wait (then a counted drop).
  bool enqueue(std::function<void(scan::Scanner&)> command, std::size_t limit);
  bool drain_commands();
  std::size_t drain_packets();
  void handle(const dhan::Packet& packet);
  void publish();
  void publish_charts();
  void refresh_stats();

  std::unique_ptr<scan::Scanner> scanner_;
  util::SpscRing<dhan::Packet> ring_;
  EngineHooks hooks_;
  std::chrono::milliseconds publish_interval_;
  SnapshotBoard board_;

  std::mutex mutex_;  // guards commands_ and the sleep handshake
  std::condition_variable wake_;
  std::deque<std::function<void(scan::Scanner&)>> commands_;
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;

  std::atomic<std::uint64_t> drops_{0};
  std::atomic<std::uint64_t> command_drops_{0};
  std::uint64_t packets_ = 0;  // engine thread
  std::uint64_t commands_run_ = 0;
  std::uint64_t publishes_ = 0;
  std::uint64_t published_version_ = 0;
  std::unordered_map<market::InstrumentKey, market::IstSeconds> charted_last_;  // last candle pushed per chart
  mutable std::mutex stats_mutex_;
  EngineStats stats_;  // copy refreshed by the engine thread at publish time
};

template <class F>
auto Engine::query(F&& query) -> std::future<decltype(query(std::declval<scan::Scanner&>()))> {
  using Result = decltype(query(std::declval<scan::Scanner&>()));
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  const bool queued = post([promise, q = std::forward<F>(query)](scan::Scanner& s) mutable {
    promise->set_value(q(s));
  });
  if (!queued) promise->set_exception(std::make_exception_ptr(std::runtime_error("engine command queue full")));
  return future;
}

}  // namespace fno::app
