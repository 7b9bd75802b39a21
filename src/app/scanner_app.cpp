#include "app/scanner_app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <future>

#include <unistd.h>

#include "alerts/reader.hpp"
#include "alerts/telegram.hpp"
#include "app/alert_service.hpp"
#include "app/api_backend.hpp"
#include "app/dashboard.hpp"
#include "app/engine.hpp"
#include "app/exit_codes.hpp"
#include "app/network_thread.hpp"
#include "app/systemd_notify.hpp"
#include "app/version.hpp"
#include "dhan/codec.hpp"
#include "dhan/feed_client.hpp"
#include "dhan/history_loader.hpp"
#include "dhan/instrument_search.hpp"
#include "dhan/instruments_csv.hpp"
#include "dhan/instruments_download.hpp"
#include "dhan/universe.hpp"
#include "market/calendar.hpp"
#include "net/http_client.hpp"
#include "record/recorder.hpp"
#include "sim/simulator.hpp"
#include "util/clock.hpp"
#include "util/redact.hpp"

namespace fno::app {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr auto kStopTimeout = std::chrono::seconds(5);
constexpr auto kStoreOpenTimeout = std::chrono::seconds(10);
// Demo warm-up: one day of simulated minutes at a local rate, so the first
// scripted breakout (20 s after start) meets ready strategies.
constexpr std::size_t kDemoHistoryRate = 100;

}  // namespace

market::MarketCalendar nse_calendar(const Config& config) {
  const auto it = config.market.sessions.find("NSE_FNO");
  const market::SessionHours hours = it == config.market.sessions.end() ? market::SessionHours{} : it->second;
  return market::MarketCalendar(hours, config.market.holidays);
}

scan::ScannerConfig scanner_config(const Config& c, bool always_open) {
  scan::ScannerConfig s;
  s.lookback = c.lookback;
  s.ema_short = c.ema_short;
  s.ema_long = c.ema_long;
  s.volume_factor = c.volume_factor;
  s.price_threshold = c.price_threshold;
  s.holidays = c.market.holidays;
  s.always_open = always_open;
  for (const auto& [name, hours] : c.market.sessions) {
    const auto segment = dhan::segment_from_name(name);
    if (!segment) throw ConfigError("config.json: market.sessions." + name + " is not a Dhan exchange segment name");
    s.sessions[static_cast<std::uint8_t>(*segment)] = hours;
  }
  for (const auto& [id, sc] : c.strategies) s.strategies[id] = scan::StrategySettings{sc.enabled, sc.params};
  return s;
}

namespace {

// Stored in each recording's header: what a replay needs to rebuild this run's scanner.
std::string recording_metadata(bool demo, bool always_open, const Config& config) {
  return json::serialize(json::object{{"app", "fno-scanner"},
                                      {"version", kVersion},
                                      {"mode", demo ? "demo" : "live"},
                                      {"always_open", always_open},
                                      {"request_code", config.request_code}});
}

// Startup failed after the engine started: stop what runs, report a runtime failure.
int shutdown_early(NetworkThread& net, Engine& engine, AlertService& alerts) {
  engine.stop();
  alerts.store().flush(kStopTimeout);
  net.io().stop();
  net.join();
  return kExitRuntime;
}

}  // namespace

int run_scanner(const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const Config& config = options.config;
  const market::MarketCalendar calendar = nse_calendar(config);
  const bool demo = options.mode == Mode::kDemo;
  spdlog::info("fno-scanner {} starting in {} mode (config {})", kVersion, demo ? "DEMO" : "LIVE", options.config_path);
  const auto now = util::ist_now();
  const bool market_open = calendar.is_open(now);
  spdlog::info("market {} (IST {}), next {} at {}", market_open ? "open" : "closed", market::format_ist(now),
               market_open ? "close" : "open",
               market::format_ist(market_open ? calendar.next_close(now) : calendar.next_open(now)));

  NetworkThread net;
  std::unique_ptr<sim::Simulator> simulator;
  dhan::FeedOptions feed_options;
  feed_options.url = config.feed.url;
  feed_options.client_id = options.credentials.dhan_client_id;
  feed_options.access_token = options.credentials.dhan_access_token;
  feed_options.tls.ca_file = config.feed.ca_file;
  std::string master_url;
  bool always_open = false;
  if (demo) {
    sim::SimulatorOptions sim_options;
    sim_options.tls = true;
    sim_options.always_open = always_open = !market_open;
    sim_options.seed = static_cast<std::uint64_t>(now);
    sim_options.scenario = sim::demo_scenario(sim::default_universe(), 240, sim::demo_first_step(now));
    sim_options.rest_requests_per_second = kDemoHistoryRate;
    simulator = net.call([&] { return std::make_unique<sim::Simulator>(net.io(), sim_options); });
    feed_options.url = simulator->feed_url();
    feed_options.tls.ca_file = simulator->ca_file();
    feed_options.client_id = "DEMO";
    feed_options.access_token = "demo-token";
    master_url = simulator->master_url();
    spdlog::info("DEMO: built-in Dhan simulator on {} ({}); scripted breakouts every minute{}", simulator->feed_url(),
                 simulator->rest_base_url(), always_open ? "; market simulated as open outside NSE hours" : "");
  }

  // Instrument master (cached, refreshed daily with a conditional GET) -> universe.
  std::vector<std::string> master_warnings;
  dhan::MasterSourceConfig master_config = dhan::parse_instruments_config(
      config.sections.contains("instruments") ? config.sections.at("instruments").as_object() : json::object{},
      master_warnings);
  for (const auto& w : master_warnings) spdlog::warn("{}", w);
  if (demo) {
    master_config.url = master_url;
    master_config.tls = feed_options.tls;
    master_config.cache_path = std::filesystem::temp_directory_path() / ("fno-demo-master-" + std::to_string(::getpid()) + ".csv");
  }
  dhan::LoadedMaster loaded;
  try {
    loaded = dhan::MasterSource(master_config).load(now);
  } catch (const std::exception& e) {
    spdlog::error("instrument master unavailable: {}", util::redact(e.what()));
    return kExitRuntime;
  }
  auto& parsed = loaded.master;
  spdlog::info("instrument master: {} via {} ({}){}", util::redact(master_config.url),
               dhan::source_name(loaded.status.source), parsed.report.summary(),
               loaded.status.last_error.empty() ? "" : "; last check failed: " + loaded.status.last_error);
  auto instruments = std::make_shared<const dhan::InstrumentTable>(std::move(parsed.table));
  std::vector<std::string> universe_warnings;
  const auto universe_section = config.sections.contains("universe") ? config.sections.at("universe").as_object() : json::object{};
  const auto universe_config = dhan::parse_universe_config(universe_section, universe_warnings);
  dhan::UniverseSelector selector(instruments, universe_config);
  for (const auto& w : universe_warnings) spdlog::warn("{}", w);
  // The simulator serves exactly the demo universe (real contracts whose
  // expiries may have passed), so demo mode scans all of it, or only the
  // configured `universe.underlyings` (the rest stay addable via watchlists).
  std::vector<market::InstrumentKey> universe;
  if (demo) {
    for (std::size_t i = 0; i < instruments->size(); ++i) {
      const auto instrument = instruments->at(i);
      if (universe_config.underlyings.empty() ||
          universe_config.underlyings.contains(std::string(instrument.underlying))) {
        universe.push_back(instrument.key);
      }
    }
  } else {
    universe = selector.select(now, {});
  }
  spdlog::info("universe: {} instruments selected", universe.size());

  // Scanner + engine + alerts. Listeners reach the dashboard and Telegram through
  // pointers set once those exist (the store may commit before).
  auto scanner = std::make_unique<scan::Scanner>(scanner_config(config, always_open));
  for (const auto& key : universe) {
    const auto instrument = instruments->at(*instruments->find(key));
    scanner->add_instrument(key, std::string(instrument.trading_symbol), instrument.tick_size);
  }
  Dashboard dashboard;
  std::atomic<alerts::TelegramNotifier*> telegram{nullptr};
  const bool telegram_on = options.credentials.has_telegram();
  alerts::StoreOptions store_options;
  store_options.db_path = config.db_path;
  if (telegram_on) store_options.channels.push_back(alerts::kTelegramChannel);
  AlertService alert_service(store_options, instruments,
                             {dashboard.alert_listener(), [&](const alerts::CommittedAlert& c) {
                                if (auto* t = telegram.load()) t->on_committed(c);
                              }});
  EngineHooks hooks = dashboard.engine_hooks();
  hooks.on_signals = [&](std::vector<scan::Signal> s) { alert_service.on_signals(std::move(s)); };
  Engine engine(std::move(scanner), static_cast<std::size_t>(config.feed.queue_capacity), std::move(hooks));
  engine.start();

  // Telegram (optional): resumes rows left pending by an earlier run.
  net::HttpClient http(net.io(), {});
  std::unique_ptr<alerts::TelegramNotifier> notifier;
  if (telegram_on) {
    const auto section = config.sections.contains("telegram") ? config.sections.at("telegram").as_object() : json::object{};
    notifier = net.call([&] {
      return std::make_unique<alerts::TelegramNotifier>(
          net.io(), http, alerts::parse_telegram_options(section), options.credentials.telegram_token,
          options.credentials.telegram_chat_id,
          [&](const alerts::NotificationUpdate& u) { alert_service.store().update_notification(u); });
    });
    // The store creates the schema on its own thread: a fresh database has no outbox table until it is open.
    if (alert_service.store().wait_open(kStoreOpenTimeout)) {
      alerts::AlertReader pending_reader(config.db_path);
      for (auto& row : pending_reader.pending_notifications(alerts::kTelegramChannel, 1000)) {
        notifier->enqueue(std::move(row));
      }
    } else {
      spdlog::warn("alert store not usable: Telegram notifications left pending resume at the next start");
    }
    telegram = notifier.get();
    spdlog::info("Telegram alerts on (chat {})", options.credentials.telegram_chat_id);
  } else {
    spdlog::info("Telegram alerts off (set TELEGRAM_TOKEN and TELEGRAM_CHAT_ID to enable)");
  }

  // Feed.
  feed_options.request_code = config.request_code;
  feed_options.batch_size = static_cast<std::size_t>(config.batch_size);
  feed_options.max_connections = static_cast<std::size_t>(config.feed.connections);
  feed_options.per_message = static_cast<std::size_t>(config.feed.instruments_per_message);
  feed_options.message_interval = std::chrono::milliseconds(config.feed.message_interval_ms);
  feed_options.stall_timeout = std::chrono::seconds(config.feed.stall_timeout_seconds);
  feed_options.budget_backoff = std::chrono::seconds(config.feed.budget_backoff_seconds);
  feed_options.market_open = [calendar, always_open] { return always_open || calendar.is_open(util::ist_now()); };
  feed_options.on_connection_lost = [&engine] { engine.post([](scan::Scanner& s) { s.on_feed_gap(); }); };
  std::unique_ptr<dhan::FeedClient> feed;
  std::unique_ptr<record::Recorder> recorder;
  if (config.record.enabled) {
    recorder = std::make_unique<record::Recorder>(config.record, recording_metadata(demo, always_open, config));
    recorder->start();
    feed_options.on_frame = [r = recorder.get()](int connection, std::span<const std::uint8_t> frame) {
      r->on_frame(static_cast<std::uint32_t>(connection), frame);
    };
    feed_options.on_connection_lost = [lost = feed_options.on_connection_lost, r = recorder.get()] {
      r->on_gap();
      lost();
    };
    spdlog::info("recording the feed to {} (record.max_bytes {} per file)", config.record.writer.dir.string(),
                 config.record.writer.max_bytes);
  }

  // SIGINT/SIGTERM stop the run. Caught from before the dashboard answers, so
  // a stop that comes while the feed and history are still starting (a
  // client that saw /api/status, systemd) is graceful too.
  std::promise<int> signalled;
  asio::signal_set signals(net.io(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) signalled.set_value(signal);
  });

  // Web: API backend + server (refuses a non-loopback bind without DASHBOARD_TOKEN).
  BackendParts parts;
  parts.config = config;
  parts.config_path = options.config_path;
  parts.mode = demo ? "demo" : "live";
  parts.engine = &engine;
  parts.alerts = &alert_service;
  parts.instruments = instruments;
  parts.search = std::make_shared<const dhan::InstrumentSearch>(instruments);
  parts.calendar = always_open ? market::MarketCalendar::always_open() : calendar;
  parts.started = started;
  if (const auto age = loaded.status.age_seconds(now)) parts.master_age_seconds = static_cast<double>(*age);
  parts.recorder = recorder.get();
  parts.telegram = notifier.get();
  parts.settings_schema = parse_config("{}").schema;
  for (const auto& [name, set] : options.credentials.which_set()) parts.secrets_set[name] = set;
  parts.on_watchlist_change = [&](std::vector<market::InstrumentKey> added, std::vector<market::InstrumentKey> removed) {
    asio::post(net.io(), [&, added, removed] {
      if (!feed) return;
      feed->add(added);
      feed->remove(removed);
    });
    engine.post([instruments, added, removed](scan::Scanner& s) {
      for (const auto& key : removed) s.remove_instrument(key);
      for (const auto& key : added) {
        if (const auto index = instruments->find(key)) {
          const auto i = instruments->at(*index);
          s.add_instrument(key, std::string(i.trading_symbol), i.tick_size);
        }
      }
    });
  };
  AppBackend backend(std::move(parts));
  const auto web_options = dashboard_options(config, options.credentials.dashboard_token, demo ? "demo" : "live");
  if (const auto error = dashboard.start(web_options, backend)) {
    spdlog::error("{}", *error);
    return shutdown_early(net, engine, alert_service);
  }

  feed = net.call([&] {
    auto client = std::make_unique<dhan::FeedClient>(net.io(), feed_options, engine);
    client->start(universe);
    return client;
  });

  // History warm-up runs alongside the live feed; batches go to the engine.
  dhan::HistoryOptions history_options =
      dhan::parse_history_options(config.sections.contains("history") ? config.sections.at("history").as_object()
                                                                      : json::object{});
  history_options.hist_days = config.hist_days;
  history_options.fetch_concurrency = config.fetch_concurrency;
  history_options.client_id = feed_options.client_id;
  history_options.access_token = feed_options.access_token;
  history_options.calendar = always_open ? market::MarketCalendar::always_open() : calendar;
  if (demo) {
    history_options.base_url = simulator->rest_base_url();
    history_options.hist_days = std::min(config.hist_days, 1);
    history_options.requests_per_second = kDemoHistoryRate;
    history_options.cache_path.clear();
  } else if (history_options.cache_path.empty()) {
    history_options.cache_path = beside_db(config, "history_cache.db");
  }
  net::HttpClient rest_http(net.io(), feed_options.tls);
  std::vector<dhan::HistoryRequest> history_requests;
  for (const auto& key : universe) history_requests.push_back({key, instruments->type(*instruments->find(key))});
  auto history = net.call([&] {
    auto loader = std::make_unique<dhan::HistoryLoader>(
        net.io(), rest_http, history_options,
        dhan::HistoryCallbacks{
            .on_candles =
                [&engine](market::InstrumentKey key, std::vector<market::Candle> candles) {
                  // One batch per instrument: a warm cache delivers them all at once.
                  engine.post_always([key, c = std::move(candles)](scan::Scanner& s) { s.on_history(key, c); });
                },
            .on_done = [] { spdlog::info("history warm-up finished"); },
            .on_fatal = [](const std::string& why) {
              spdlog::error("history warm-up stopped: {}; strategies warm up from live candles", why);
            }});
    loader->start(history_requests, now);
    return loader;
  });

  // Network-thread housekeeping: feed status for the API, systemd watchdog.
  const SystemdNotifier systemd = SystemdNotifier::from_env(process_env);
  asio::steady_timer housekeeping(net.io());
  std::function<void()> tick = [&] {
    backend.set_feed_status(feed->status());
    const dhan::HistoryProgress p = history->progress();
    backend.set_history_progress({p.done, p.total, p.failed, p.eta_seconds});
    systemd.ping();
    housekeeping.expires_after(std::chrono::seconds(1));
    housekeeping.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  };
  asio::post(net.io(), tick);
  systemd.ready(demo ? "scanning (demo)" : "scanning");

  // SIGHUP: reload credentials (daily token rollover).
  asio::signal_set reload(net.io(), SIGHUP);
  std::function<void()> wait_reload = [&] {
    reload.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (demo) {
        spdlog::info("SIGHUP: demo mode has no credentials to reload");
      } else {
        std::vector<std::string> problems;
        const Credentials fresh = reload_credentials(".env", process_env, problems);
        for (const auto& p : problems) spdlog::warn("{}", p);
        if (fresh.has_dhan()) {
          feed->set_credentials(fresh.dhan_client_id, fresh.dhan_access_token);
        } else {
          spdlog::error("SIGHUP: DHAN_CLIENT_ID / DHAN_ACCESS_TOKEN not found; keeping the current ones");
        }
      }
      wait_reload();
    });
  };
  asio::post(net.io(), wait_reload);

  const int signal = signalled.get_future().get();
  spdlog::info("received signal {}, shutting down", signal);
  systemd.stopping();
  std::promise<void> stopped;
  net.call([&] {
    feed->stop([&] { stopped.set_value(); });
    return 0;
  });
  stopped.get_future().get();
  net.call([&] {
    housekeeping.cancel();
    reload.cancel();
    return 0;
  });
  dashboard.stop();
  engine.stop();
  if (!alert_service.store().flush(kStopTimeout)) spdlog::warn("alert store did not flush within {} s", kStopTimeout.count());
  telegram = nullptr;
  dashboard.close();
  net.call([&] {
    if (notifier) notifier->stop();
    history.reset();
    feed.reset();
    simulator.reset();
    http.close_idle();
    rest_http.close_idle();
    return 0;
  });
  if (recorder) {
    recorder->stop();  // the feed is gone: no producer left
    const record::RecorderStatus r = recorder->status();
    spdlog::info("recorder: {} frames, {} dropped (queue full), {} capped, {} bytes in {} file(s){}", r.frames, r.drops,
                 r.writer.capped_frames, r.writer.file_bytes, r.writer.files,
                 r.writer.last_error.empty() ? "" : "; last error: " + r.writer.last_error);
  }
  net.io().stop();
  net.join();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace fno::app
