#include "record/recorder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace fno::record {

namespace {

constexpr auto kIdleWait = std::chrono::milliseconds(10);  // ~1,250 frames at peak; the ring holds 65,536
constexpr std::size_t kFramesPerTurn = 65536;  // bounds the time between periodic flushes

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Recorder::Recorder(RecordOptions options, std::string metadata)
    : options_(std::move(options)), metadata_(std::move(metadata)), ring_(options_.queue_capacity) {}

Recorder::~Recorder() { stop(); }

void Recorder::start() {
  thread_ = std::thread([this] { run(); });
}

void Recorder::stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
}

bool Recorder::on_frame(std::uint32_t connection, std::span<const std::uint8_t> bytes) {
  return on_frame(now_ns(), connection, bytes);
}

bool Recorder::on_frame(std::int64_t receive_ns, std::uint32_t connection, std::span<const std::uint8_t> bytes) {
  frames_.fetch_add(1, std::memory_order_relaxed);
  Slot slot;
  slot.receive_ns = receive_ns;
  slot.connection = connection;
  slot.size = static_cast<std::uint32_t>(bytes.size());
  if (bytes.size() <= kInline) {
    std::memcpy(slot.inline_bytes.data(), bytes.data(), bytes.size());
  } else {
    slot.large.assign(bytes.begin(), bytes.end());
  }
  if (ring_.try_push(slot)) return true;
  drops_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void Recorder::run() {
  WriterOptions writer_options = options_.writer;
  writer_options.metadata = metadata_;
  RecordingWriter writer(std::move(writer_options));
  auto next_flush = std::chrono::steady_clock::now() + options_.flush_interval;
  while (true) {
    const bool stopping = stop_.load();
    const std::size_t n = drain(writer);
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_flush || stopping) {
      writer.flush();
      publish(writer);
      next_flush = now + options_.flush_interval;
    }
    if (stopping) break;  // the drain above ran after stop_ was seen: nothing pushed before stop() is lost
    if (n == 0) std::this_thread::sleep_for(kIdleWait);
  }
  publish(writer);
}

std::size_t Recorder::drain(RecordingWriter& writer) {
  std::size_t n = 0;
  while (n < kFramesPerTurn) {
    auto slot = ring_.try_pop();
    if (!slot) break;
    const std::span<const std::uint8_t> bytes =
        slot->large.empty() ? std::span<const std::uint8_t>(slot->inline_bytes.data(), slot->size)
                            : std::span<const std::uint8_t>(slot->large);
    writer.append(FrameView{slot->receive_ns, slot->connection, bytes});
    ++n;
  }
  return n;
}

void Recorder::publish(const RecordingWriter& writer) {
  std::lock_guard lock(status_mutex_);
  writer_stats_ = writer.stats();
  file_ = writer.current_file().string();
}

RecorderStatus Recorder::status() const {
  RecorderStatus s;
  s.frames = frames_.load(std::memory_order_relaxed);
  s.drops = drops_.load(std::memory_order_relaxed);
  std::lock_guard lock(status_mutex_);
  s.writer = writer_stats_;
  s.file = file_;
  return s;
}

}  // namespace fno::record
