#include "app/engine.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <limits>

#include "util/clock.hpp"

namespace fno::app {

namespace {

constexpr std::size_t kMaxCommands = 4096;
constexpr std::size_t kPacketsPerTurn = 4096;  // bounds command/timer latency under load
constexpr auto kTimerPeriod = std::chrono::milliseconds(250);
constexpr auto kIdleWait = std::chrono::milliseconds(5);

}  // namespace

void SnapshotBoard::apply(const scan::SnapshotDelta& delta) {
  std::lock_guard lock(mutex_);
  if (delta.full) rows_.clear();
  for (const auto& key : delta.removed) rows_.erase(key);
  for (const auto& row : delta.rows) rows_[row.key] = row;
  version_.fetch_add(1, std::memory_order_release);
}

std::vector<scan::SnapshotRow> SnapshotBoard::rows() const {
  std::vector<scan::DeltaRow> copied;
  {
    std::lock_guard lock(mutex_);
    copied.reserve(rows_.size());
    for (const auto& [key, row] : rows_) copied.push_back(row);
  }
  std::vector<scan::SnapshotRow> out;
  out.reserve(copied.size());
  for (const auto& row : copied) out.push_back(row.row());
  return out;
}

std::optional<scan::SnapshotRow> SnapshotBoard::row(market::InstrumentKey key) const {
  std::optional<scan::DeltaRow> copied;
  {
    std::lock_guard lock(mutex_);
    const auto it = rows_.find(key);
    if (it == rows_.end()) return std::nullopt;
    copied = it->second;
  }
  return copied->row();
}

std::size_t SnapshotBoard::size() const {
  std::lock_guard lock(mutex_);
  return rows_.size();
}

Engine::Engine(std::unique_ptr<scan::Scanner> scanner, std::size_t queue_capacity, EngineHooks hooks,
               std::chrono::milliseconds publish_interval)
    : scanner_(std::move(scanner)), ring_(queue_capacity), hooks_(std::move(hooks)), publish_interval_(publish_interval) {
  if (!hooks_.clock) hooks_.clock = util::ist_now;
}

Engine::~Engine() { stop(); }

void Engine::start() {
  thread_ = std::thread([this] { run(); });
  // Named so per-thread tools (top -H, perf, bench/load/run_load.py) can tell it apart.
  pthread_setname_np(thread_.native_handle(), "fno-engine");
}

void Engine::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  wake_.notify_one();
  thread_.join();
}

bool Engine::push(const dhan::Packet& packet) {
  if (!ring_.try_push(packet)) {
    drops_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void Engine::flush() {
  // Sequentially consistent with run()'s store and re-check: either it sees
  // the packets or this sees it asleep. Taking the mutex puts the notify
  // after its wait began, so it cannot fall between the re-check and the wait.
  std::atomic_thread_fence(std::memory_order_seq_cst);  // the ring's store before this load
  if (!sleeping_.load()) return;
  { std::lock_guard lock(mutex_); }
  wake_.notify_one();
}

bool Engine::post(std::function<void(scan::Scanner&)> command) { return enqueue(std::move(command), kMaxCommands); }

void Engine::post_always(std::function<void(scan::Scanner&)> command) {
  enqueue(std::move(command), std::numeric_limits<std::size_t>::max());
}

bool Engine::enqueue(std::function<void(scan::Scanner&)> command, std::size_t limit) {
  {
    std::lock_guard lock(mutex_);
    if (commands_.size() >= limit) {
      command_drops_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    commands_.push_back(std::move(command));
  }
  wake_.notify_one();
  return true;
}

void Engine::run() {
  auto next_timer = std::chrono::steady_clock::now();
  auto next_publish = next_timer;
  while (true) {
    const bool had_commands = drain_commands();
    const std::size_t packets = drain_packets();
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_timer) {
      auto closed = scanner_->on_timer(hooks_.clock());
      if (!closed.empty() && hooks_.on_signals) hooks_.on_signals(std::move(closed));
      next_timer = now + kTimerPeriod;
    }
    if (now >= next_publish) {
      publish();
      next_publish = now + publish_interval_;
    }
    if (stop_.load()) {
      drain_commands();
      drain_packets();
      publish();
      return;
    }
    if (packets == 0 && !had_commands) {
      std::unique_lock lock(mutex_);
      sleeping_.store(true);
      // Re-check after announcing sleep: a push between the drain and here must not be missed for long.
      if (commands_.empty() && ring_.size() == 0 && !stop_.load()) wake_.wait_for(lock, kIdleWait);
      sleeping_.store(false, std::memory_order_release);
    }
  }
}

bool Engine::drain_commands() {
  std::deque<std::function<void(scan::Scanner&)>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(commands_);
  }
  for (auto& command : batch) {
    command(*scanner_);
    ++commands_run_;
  }
  return !batch.empty();
}

std::size_t Engine::drain_packets() {
  std::size_t n = 0;
  while (n < kPacketsPerTurn) {
    auto packet = ring_.try_pop();
    if (!packet) break;
    handle(*packet);
    ++n;
  }
  packets_ += n;
  return n;
}

void Engine::handle(const dhan::Packet& packet) {
  if (const auto* prev = std::get_if<dhan::PrevCloseBody>(&packet.body)) {
    scanner_->on_prev_close(packet.key(), prev->prev_close);
    return;
  }
  const auto tick = dhan::to_tick(packet);
  if (!tick) return;
  auto fired = scanner_->on_tick(*tick);
  // Straight on, not at the end of the turn: at a minute boundary every
  // instrument's candle closes in one burst of packets, and holding the
  // signals until the burst's last packet made each alert wait for all of it.
  if (!fired.empty() && hooks_.on_signals) hooks_.on_signals(std::move(fired));
}

void Engine::publish() {
  if (scanner_->version() != published_version_) {
    const scan::SnapshotDelta delta = scanner_->changes_since(published_version_);
    published_version_ = delta.version;
    board_.apply(delta);
    if (hooks_.on_delta) hooks_.on_delta(delta);
    ++publishes_;
  }
  publish_charts();
  refresh_stats();
}

void Engine::publish_charts() {
  if (!hooks_.charted || !hooks_.on_chart_candle) return;
  std::unordered_map<market::InstrumentKey, market::IstSeconds> still_charted;
  for (const auto key : hooks_.charted()) {
    const auto row = scanner_->snapshot(key);
    if (!row || !row->last_candle) continue;
    still_charted[key] = *row->last_candle;
    const auto before = charted_last_.find(key);
    if (before != charted_last_.end() && before->second == *row->last_candle) continue;
    // The series is recomputed only for charted instruments, a handful at most.
    if (const auto series = scanner_->candles(key); series && !series->candles.empty()) {
      hooks_.on_chart_candle(key, *series);
    }
  }
  charted_last_ = std::move(still_charted);
}

void Engine::refresh_stats() {
  std::lock_guard lock(stats_mutex_);
  stats_.packets = packets_;
  stats_.commands = commands_run_;
  stats_.publishes = publishes_;
  stats_.scanner = scanner_->counters();
  stats_.instruments = scanner_->size();
}

EngineStats Engine::stats() const {
  std::lock_guard lock(stats_mutex_);
  EngineStats s = stats_;
  s.drops = drops_.load(std::memory_order_relaxed);
  s.command_drops = command_drops_.load(std::memory_order_relaxed);
  s.queue_depth = ring_.size();
  return s;
}

}  // namespace fno::app
