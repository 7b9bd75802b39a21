#include "app/replay.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <unordered_set>

#include "app/alert_service.hpp"
#include "app/api_backend.hpp"
#include "app/dashboard.hpp"
#include "app/engine.hpp"
#include "app/network_thread.hpp"
#include "app/scanner_app.hpp"
#include "dhan/codec.hpp"
#include "dhan/instrument_search.hpp"
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
// How often a paced replay looks for a stop signal while it waits for recorded time.
constexpr auto kPaceSlice = std::chrono::milliseconds(100);
// Frames between progress reports to the dashboard.
constexpr std::uint64_t kProgressEvery = 256;

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
    engine_.flush();
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
    engine_.flush();
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
  // Returns early when `stop` is set.
  void wait_for(std::int64_t receive_ns, const std::atomic<bool>& stop) {
    if (!speed_) return;
    if (!started_) {
      started_ = true;
      first_ns_ = receive_ns;
      start_ = std::chrono::steady_clock::now();
    }
    const auto offset = std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(receive_ns - first_ns_) / *speed_));
    const auto until = start_ + offset;
    while (!stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_until(std::min(until, std::chrono::steady_clock::now() + kPaceSlice));
    }
  }

 private:
  std::optional<double> speed_;
  bool started_ = false;
  std::int64_t first_ns_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// `replay --web`: the dashboard on the replay's engine and store, fed the
// replay's progress, and the stop signal it waits for once the file ended.
class ReplayWebFront {
 public:
  ReplayWebFront() : signals_(net_.io(), SIGINT, SIGTERM) {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("received signal {}, stopping the replay", signal);
      stop_ = true;
      stopped_.set_value();
    });
  }
  ~ReplayWebFront() { close(); }
  ReplayWebFront(const ReplayWebFront&) = delete;
  ReplayWebFront& operator=(const ReplayWebFront&) = delete;

  Dashboard& dashboard() { return dashboard_; }
  const std::atomic<bool>& stop_requested() const { return stop_; }

  // Throws DashboardError when the server cannot listen.
  void start(BackendParts parts, const web::WebOptions& options) {
    backend_ = std::make_unique<AppBackend>(std::move(parts));
    if (const auto error = dashboard_.start(options, *backend_)) throw DashboardError(*error);
    bind_ = options.bind;
  }

  void progress(const std::string& file, const ReplayResult& result, std::size_t instruments, bool finished) {
    if (!backend_) return;
    // The recording is this run's feed: healthy while it plays and after a
    // clean end (the badge says it ended), degraded when it is damaged.
    dhan::FeedStatus feed;
    feed.health = result.damage.empty() ? dhan::FeedHealth::kOk : dhan::FeedHealth::kDegraded;
    if (!result.damage.empty()) feed.message = "damaged recording: " + result.damage;
    feed.instruments = instruments;
    feed.frames = result.frames;
    feed.packets = result.packets;
    backend_->set_feed_status(std::move(feed));
    backend_->set_replay_progress({file, result.frames, result.packets, finished});
  }

  void wait_for_stop() {
    spdlog::info("replay finished; the dashboard keeps serving it at http://{}:{}/ until SIGINT/SIGTERM (Ctrl-C)",
                 bind_, dashboard_.port());
    stopped_future_.wait();
  }

  // Stops the server (then nothing publishes to it).
  void stop() { dashboard_.stop(); }

  // After the engine and the store stopped: the server, the signal wait and the network thread go.
  void close() {
    if (closed_) return;
    closed_ = true;
    dashboard_.stop();
    dashboard_.close();
    net_.call([this] {
      signals_.cancel();
      return 0;
    });
    net_.io().stop();  // open client connections would keep it running
    net_.join();
  }

 private:
  NetworkThread net_;
  Dashboard dashboard_;
  std::unique_ptr<AppBackend> backend_;
  boost::asio::signal_set signals_;
  std::atomic<bool> stop_{false};
  std::promise<void> stopped_;
  std::future<void> stopped_future_ = stopped_.get_future();
  std::string bind_;
  bool closed_ = false;
};

// What the dashboard of a replay serves: the replay's engine, store and
// instruments, read-only, with the recorded run's market calendar.
BackendParts replay_backend_parts(const ReplayOptions& options, bool always_open, Engine& engine, AlertService& alerts,
                                  std::shared_ptr<const dhan::InstrumentTable> instruments) {
  BackendParts parts;
  parts.config = options.config;
  parts.config.db_path = options.db_path.string();
  parts.mode = "replay";
  parts.read_only = "this dashboard shows a replay of " + options.file.string() +
                    ": watchlists and settings change only in a scanner run";
  parts.engine = &engine;
  parts.alerts = &alerts;
  parts.search = std::make_shared<const dhan::InstrumentSearch>(instruments);
  parts.instruments = std::move(instruments);
  parts.calendar = always_open ? market::MarketCalendar::always_open() : nse_calendar(options.config);
  parts.started = std::chrono::steady_clock::now();
  parts.settings_schema = parse_config("{}").schema;
  return parts;
}

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
  const std::size_t instrument_count = scanner->size();
  auto web = options.web ? std::make_unique<ReplayWebFront>() : nullptr;
  alerts::StoreOptions store_options;
  store_options.db_path = options.db_path;
  std::vector<AlertService::Listener> listeners;
  if (web) listeners.push_back(web->dashboard().alert_listener());
  AlertService alerts(store_options, instruments, std::move(listeners));
  // The engine's own wall-clock timer must not close candles: time 0 closes nothing.
  EngineHooks hooks = web ? web->dashboard().engine_hooks() : EngineHooks{};
  hooks.on_signals = [&alerts](std::vector<scan::Signal> s) { alerts.on_signals(std::move(s)); };
  hooks.clock = [] { return market::IstSeconds{0}; };
  Engine engine(std::move(scanner), kQueueCapacity, std::move(hooks));
  engine.start();
  if (web) {
    try {
      web->start(replay_backend_parts(options, metadata.always_open, engine, alerts, instruments),
                 dashboard_options(options.config, options.web->dashboard_token, "replay"));
    } catch (const DashboardError&) {
      engine.stop();
      alerts.store().flush(kStoreFlushTimeout);
      throw;
    }
  }

  ReplayResult result;
  if (web) web->progress(options.file.string(), result, instrument_count, false);
  const std::atomic<bool> never{false};
  const std::atomic<bool>& stop = web ? web->stop_requested() : never;
  ReplayDriver driver(engine, alerts);
  Pacer pacer(options.speed);
  std::optional<market::IstSeconds> skip_until;
  while (auto frame = reader.next()) {
    if (options.from && !skip_until) skip_until = market::day_start(ist_of(frame->receive_ns)) + *options.from;
    if (skip_until && ist_of(frame->receive_ns) < *skip_until) {
      ++result.skipped;
      continue;
    }
    pacer.wait_for(frame->receive_ns, stop);
    if (stop) {
      result.interrupted = true;
      break;
    }
    driver.feed(*frame, result);
    ++result.frames;
    if (web && result.frames % kProgressEvery == 0) {
      web->progress(options.file.string(), result, instrument_count, false);
    }
  }
  driver.finish();
  // Without a dashboard the engine is done; with one it keeps answering chart queries.
  if (!web) engine.stop();
  if (!alerts.store().flush(kStoreFlushTimeout)) spdlog::warn("alert store did not flush within {} s", kStoreFlushTimeout.count());
  result.alerts = alerts.store().status().committed;
  result.damage = reader.error();
  if (web) web->progress(options.file.string(), result, instrument_count, true);
  if (options.on_finished) options.on_finished(result);
  if (web) {
    if (!result.interrupted) web->wait_for_stop();
    web->stop();
    engine.stop();
    web->close();
  }
  return result;
}

}  // namespace fno::app
