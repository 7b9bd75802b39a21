#include "record/recorder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace fno::record {

namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 5> kKeys = {"enabled", "dir", "max_bytes", "queue_capacity",
                                                    "flush_interval_ms"};
constexpr std::uint64_t kMinMaxBytes = 1ULL << 20;
constexpr auto kIdleWait = std::chrono::milliseconds(2);
constexpr std::size_t kFramesPerTurn = 65536;  // bounds the time between periodic flushes

std::int64_t integer(const json::value& v, std::string_view key, std::int64_t min, std::int64_t max) {
  const auto* i = v.if_int64();
  const auto* u = v.if_uint64();
  const bool ok = (i && *i >= min && *i <= max) ||
                  (u && *u <= static_cast<std::uint64_t>(max) && static_cast<std::int64_t>(*u) >= min);
  if (!ok) {
    throw std::invalid_argument("config.json: record." + std::string(key) + " must be an integer in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return i ? *i : static_cast<std::int64_t>(*u);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RecordOptions parse_record_options(const json::object& section, std::vector<std::string>& warnings) {
  RecordOptions o;
  for (const auto& [key, value] : section) {
    if (key == "enabled") {
      if (!value.is_bool()) throw std::invalid_argument("config.json: record.enabled must be true or false");
      o.enabled = value.get_bool();
    } else if (key == "dir") {
      if (!value.is_string() || value.get_string().empty()) {
        throw std::invalid_argument("config.json: record.dir must be a non-empty path");
      }
      o.writer.dir = std::string(value.get_string());
    } else if (key == "max_bytes") {
      o.writer.max_bytes = static_cast<std::uint64_t>(
          integer(value, key, static_cast<std::int64_t>(kMinMaxBytes), std::numeric_limits<std::int64_t>::max()));
    } else if (key == "queue_capacity") {
      o.queue_capacity = static_cast<std::size_t>(integer(value, key, 1024, 1 << 22));
    } else if (key == "flush_interval_ms") {
      o.flush_interval = std::chrono::milliseconds(integer(value, key, 10, 60'000));
    } else if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      warnings.push_back("config.json: unknown key 'record." + std::string(key) + "' ignored");
    }
  }
  return o;
}

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
