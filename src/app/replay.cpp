#include "app/replay.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <thread>
#include <unordered_set>

#include "app/alert_service.hpp"
#include "app/engine.hpp"
#include "app/scanner_app.hpp"
#include "dhan/codec.hpp"
#include "dhan/instruments_csv.hpp"
#include "dhan/instruments_download.hpp"
#include "record/recording_reader.hpp"
#include "sim/universe.hpp"
#include "util/clock.hpp"
#include "util/redact.hpp"

namespace fno::app {

namespace {

namespace json = boost::json;

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::size_t kQueueCapacity = 1 << 16;
constexpr auto kStoreFlushTimeout = std::chrono::seconds(30);
constexpr auto kEngineWait = std::chrono::microseconds(50);

}  // namespace

RecordingMetadata parse_recording_metadata(const std::string& text) {
  RecordingMetadata m;
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return m;
  if (const auto* mode = v.as_object().if_contains("mode"); mode && mode->is_string()) m.demo = *mode == "demo";
  if (const auto* open = v.as_object().if_contains("always_open"); open && open->is_bool()) m.always_open = open->get_bool();
  return m;
}

market::IstSeconds ist_of(std::int64_t receive_ns) { return market::ist_from_utc(receive_ns / kNsPerSecond); }

std::shared_ptr<const dhan::InstrumentTable> load_instruments(const Config& config, bool demo) {
  if (demo) return std::make_shared<const dhan::InstrumentTable>(dhan::parse_master_text(sim::default_universe_csv()).table);
  std::vector<std::string> warnings;
  const auto section = config.sections.contains("instruments") ? config.sections.at("instruments").as_object() : json::object{};
  try {
    auto loaded = dhan::MasterSource(dhan::parse_instruments_config(section, warnings)).load(util::ist_now());
    return std::make_shared<const dhan::InstrumentTable>(std::move(loaded.master.table));
  } catch (const std::exception& e) {
    spdlog::warn("instrument master unavailable ({}): alerts name security ids", util::redact(e.what()));
    return std::make_shared<const dhan::InstrumentTable>();
  }
}

namespace {

// Every instrument the recording carries packets for, so the scanner knows
// them before the first packet (the live run subscribed them up front).
std::vector<market::InstrumentKey> recorded_instruments(const std::filesystem::path& file) {
  record::RecordingReader reader(file);
  std::unordered_set<market::InstrumentKey> seen;
  std::vector<market::InstrumentKey> keys;
  std::vector<dhan::Packet> packets;
  dhan::DecodeCounters counters;
  while (auto frame = reader.next()) {
    packets.clear();
    dhan::decode_frame(frame->bytes, packets, counters);
    for (const auto& p : packets) {
      if (seen.insert(p.key()).second) keys.push_back(p.key());
    }
  }
  return keys;
}

// Feeds one recording into an engine, keeping packets and timer steps in order.
class ReplayDriver {
 public:
  ReplayDriver(Engine& engine, AlertService& alerts) : engine_(engine), alerts_(alerts) {}

  void feed(const record::RecordedFrame& frame, ReplayResult& result) {
    const market::IstSeconds now = ist_of(frame.receive_ns);
    if (now > timer_) step([this, now](scan::Scanner& s) { timer(s, now); });
    timer_ = std::max(timer_, now);
    if (frame.is_gap()) return step([](scan::Scanner& s) { s.on_feed_gap(); });
    packets_.clear();
    dhan::decode_frame(frame.bytes, packets_, counters_);
    for (const auto& packet : packets_) {
      if (std::holds_alternative<dhan::DisconnectBody>(packet.body)) continue;  // the gap marker follows it
      if (++in_flight_ >= kQueueCapacity / 2) wait_for_engine(kQueueCapacity / 4);
      engine_.push(packet);
      ++result.packets;
    }
  }

  void finish() {
    const market::IstSeconds end = timer_ + kFinalTimerLead;
    step([this, end](scan::Scanner& s) { timer(s, end); });
  }

 private:
  void timer(scan::Scanner& s, market::IstSeconds now) {
    auto closed = s.on_timer(now);
    if (!closed.empty()) alerts_.on_signals(std::move(closed));
  }

  // Runs `command` on the engine after every packet pushed so far, and waits
  // for it, so later packets come after it too.
  template <class F>
  void step(F command) {
    wait_for_engine(0);
    engine_.query([&command](scan::Scanner& s) {
      command(s);
      return true;
    }).get();
  }

  void wait_for_engine(std::size_t depth) {
    while (engine_.stats().queue_depth > depth) std::this_thread::sleep_for(kEngineWait);
    in_flight_ = depth;
  }

  Engine& engine_;
  AlertService& alerts_;
  market::IstSeconds timer_ = 0;
  std::size_t in_flight_ = 0;  // upper bound of the engine's queue depth
  std::vector<dhan::Packet> packets_;
  dhan::DecodeCounters counters_;
};

// Sleeps so that recorded time passes `speed` times faster than wall time.
class Pacer {
 public:
  explicit Pacer(std::optional<double> speed) : speed_(speed) {}
  void wait_for(std::int64_t receive_ns) {
    if (!speed_) return;
    if (!started_) {
      started_ = true;
      first_ns_ = receive_ns;
      start_ = std::chrono::steady_clock::now();
    }
    const auto offset = std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(receive_ns - first_ns_) / *speed_));
    std::this_thread::sleep_until(start_ + offset);
  }

 private:
  std::optional<double> speed_;
  bool started_ = false;
  std::int64_t first_ns_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::filesystem::path default_replay_db(const std::filesystem::path& file) {
  return "replay-" + file.stem().string() + ".db";
}

ReplayResult replay_recording(const ReplayOptions& options) {
  record::RecordingReader reader(options.file);
  const RecordingMetadata metadata = parse_recording_metadata(reader.metadata());
  const auto instruments = load_instruments(options.config, metadata.demo);
  auto scanner = std::make_unique<scan::Scanner>(scanner_config(options.config, metadata.always_open));
  for (const auto& key : recorded_instruments(options.file)) {
    const auto index = instruments->find(key);
    scanner->add_instrument(key, index ? std::string(instruments->at(*index).trading_symbol) : std::to_string(key.security_id),
                            index ? instruments->at(*index).tick_size : 0.05);
  }
  alerts::StoreOptions store_options;
  store_options.db_path = options.db_path;
  AlertService alerts(store_options, instruments, {});
  // The engine's own wall-clock timer must not close candles: time 0 closes nothing.
  EngineHooks hooks;
  hooks.on_signals = [&alerts](std::vector<scan::Signal> s) { alerts.on_signals(std::move(s)); };
  hooks.clock = [] { return market::IstSeconds{0}; };
  Engine engine(std::move(scanner), kQueueCapacity, std::move(hooks));
  engine.start();

  ReplayResult result;
  ReplayDriver driver(engine, alerts);
  Pacer pacer(options.speed);
  std::optional<market::IstSeconds> skip_until;
  while (auto frame = reader.next()) {
    if (options.from && !skip_until) skip_until = market::day_start(ist_of(frame->receive_ns)) + *options.from;
    if (skip_until && ist_of(frame->receive_ns) < *skip_until) {
      ++result.skipped;
      continue;
    }
    pacer.wait_for(frame->receive_ns);
    driver.feed(*frame, result);
    ++result.frames;
  }
  driver.finish();
  engine.stop();
  if (!alerts.store().flush(kStoreFlushTimeout)) spdlog::warn("alert store did not flush within {} s", kStoreFlushTimeout.count());
  result.alerts = alerts.store().status().committed;
  result.damage = reader.error();
  return result;
}

}  // namespace fno::app
