#include "app/backtest_sources.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <future>
#include <map>
#include <thread>

#include "app/replay.hpp"
#include "app/scanner_app.hpp"
#include "dhan/codec.hpp"
#include "dhan/history_cache.hpp"
#include "dhan/history_loader.hpp"
#include "dhan/universe.hpp"
#include "net/http_client.hpp"
#include "record/recording_reader.hpp"
#include "util/clock.hpp"
#include "web/auth.hpp"

namespace fno::app {

namespace {

namespace json = boost::json;

// Candles per instrument a source hands over at most (years of a 24-hour market).
constexpr std::size_t kMaxCandlesPerInstrument = std::size_t{1} << 22;

bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

std::optional<market::InstrumentKey> parse_key(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto segment = dhan::segment_from_name(text.substr(0, colon));
  const std::string_view id_text = text.substr(colon + 1);
  std::uint32_t id = 0;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (!segment || ec != std::errc{} || end != id_text.data() + id_text.size() || id == 0) return std::nullopt;
  return market::InstrumentKey{static_cast<std::uint8_t>(*segment), id};
}

// --instruments values -> keys; a symbol must be in the master.
std::vector<market::InstrumentKey> resolve(const std::vector<std::string>& names, const dhan::InstrumentTable& table) {
  std::vector<market::InstrumentKey> keys;
  for (const auto& name : names) {
    if (const auto key = parse_key(name)) {
      keys.push_back(*key);
      continue;
    }
    std::optional<market::InstrumentKey> found;
    for (std::size_t i = 0; i < table.size() && !found; ++i) {
      if (same_text(table.at(i).trading_symbol, name)) found = table.at(i).key;
    }
    if (!found) {
      throw std::invalid_argument(
          fmt::format("--instruments: '{}' is not a trading symbol in the instrument master (or give SEGMENT:ID, e.g. "
                      "NSE_FNO:49229)",
                      name));
    }
    keys.push_back(*found);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

scan::BacktestInstrument describe(market::InstrumentKey key, const dhan::InstrumentTable& table) {
  if (const auto i = table.find(key)) {
    const auto instrument = table.at(*i);
    return {key, std::string(instrument.trading_symbol), instrument.tick_size};
  }
  return {key, std::to_string(key.security_id), 0.05};
}

std::vector<market::Candle> in_window(std::vector<market::Candle> candles, const std::optional<dhan::IstRange>& w) {
  if (!w) return candles;
  std::erase_if(candles, [&](const market::Candle& c) { return c.start < w->from || c.start >= w->to; });
  return candles;
}

const json::object& section(const Config& config, const char* name) {
  static const json::object kEmpty;
  const auto* s = config.sections.if_contains(name);
  return s && s->is_object() ? s->get_object() : kEmpty;
}

dhan::HistoryOptions history_options(const Config& config) {
  try {
    return dhan::parse_history_options(section(config, "history"));
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("config.json: ") + e.what());
  }
}

SourcedCandles from_cache(const CandleQuery& q) {
  if (!q.window) throw std::invalid_argument("--from and --to are required for --source cache");
  dhan::HistoryOptions options = history_options(q.config);
  const std::filesystem::path path =
      options.cache_path.empty() ? beside_db(q.config, "history_cache.db") : options.cache_path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw std::runtime_error(
        fmt::format("history cache {} does not exist (the scanner fills it during its warm-up); or use --source rest",
                    path.string()));
  }
  const auto table = load_instruments(q.config, false);
  dhan::HistoryCache cache(path);
  const auto keys = q.instruments.empty() ? cache.instruments(*q.window) : resolve(q.instruments, *table);
  SourcedCandles out;
  for (const auto& key : keys) {
    auto candles = cache.newest(key, *q.window, kMaxCandlesPerInstrument);
    if (!candles.empty()) out.instruments.push_back({describe(key, *table), std::move(candles)});
  }
  return out;
}

bool loopback_url(const std::string& url) {
  const auto parsed = boost::urls::parse_uri(url);
  return parsed && web::is_loopback_bind(std::string(parsed->host()));
}

SourcedCandles from_rest(const CandleQuery& q) {
  if (!q.window) throw std::invalid_argument("--from and --to are required for --source rest");
  dhan::HistoryOptions options = history_options(q.config);
  const bool simulator = loopback_url(options.base_url);
  if (!q.credentials.has_dhan() && !simulator) {
    throw MissingCredentials("--source rest needs DHAN_CLIENT_ID and DHAN_ACCESS_TOKEN in the environment or .env");
  }
  options.client_id = q.credentials.has_dhan() ? q.credentials.dhan_client_id : "SIM";
  options.access_token = q.credentials.has_dhan() ? q.credentials.dhan_access_token : "sim-token";
  options.fetch_concurrency = q.config.fetch_concurrency;
  options.cache_path.clear();  // the live run's cache keeps its own window
  options.deliver_candles = kMaxCandlesPerInstrument;
  options.calendar = scan::candle_rules(scanner_config(q.config, false), 2).calendar;
  // The loader fetches hist_days back from "now": end the window at --to's
  // midnight (or the current minute) and reach one day before --from.
  const market::IstSeconds now = std::min(util::ist_now(), q.window->to);
  options.hist_days = static_cast<int>((market::day_start(now) - q.window->from) / market::kSecondsPerDay) + 1;

  const auto table = load_instruments(q.config, false);
  std::vector<market::InstrumentKey> keys;
  if (!q.instruments.empty()) {
    keys = resolve(q.instruments, *table);
  } else if (simulator) {
    for (std::size_t i = 0; i < table->size(); ++i) keys.push_back(table->at(i).key);
  } else {
    std::vector<std::string> warnings;
    dhan::UniverseSelector selector(table, dhan::parse_universe_config(section(q.config, "universe"), warnings));
    keys = selector.select(util::ist_now(), {});
  }
  std::vector<dhan::HistoryRequest> requests;
  for (const auto& key : keys) {
    const auto index = table->find(key);
    if (!index)
      throw std::invalid_argument(
          fmt::format("--instruments: {}:{} is not in the instrument master (the REST "
                      "request needs its instrument type)",
                      dhan::segment_name(static_cast<dhan::Segment>(key.segment)), key.security_id));
    requests.push_back({key, table->type(*index)});
  }

  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::thread network([&io] { io.run(); });
  std::map<market::InstrumentKey, std::vector<market::Candle>> fetched;
  std::promise<std::string> finished;  // empty: done; else the fatal reason
  net::HttpClient http(io, net::TlsOptions{q.config.feed.ca_file, true});
  std::unique_ptr<dhan::HistoryLoader> loader;
  boost::asio::post(io, [&] {
    loader = std::make_unique<dhan::HistoryLoader>(
        io, http, options,
        dhan::HistoryCallbacks{.on_candles = [&](market::InstrumentKey key,
                                                 std::vector<market::Candle> c) { fetched[key] = std::move(c); },
                               .on_done = [&] { finished.set_value(""); },
                               .on_fatal = [&](const std::string& why) { finished.set_value(why); }});
    loader->start(requests, now);
  });
  const std::string fatal = finished.get_future().get();
  std::promise<dhan::HistoryProgress> progress;
  boost::asio::post(io, [&] {
    progress.set_value(loader->progress());
    loader.reset();
    http.close_idle();
  });
  const dhan::HistoryProgress p = progress.get_future().get();
  guard.reset();
  network.join();
  if (!fatal.empty()) throw std::runtime_error("REST history stopped: " + fatal);
  if (p.failed > 0) spdlog::warn("REST history: {} of {} instruments failed (retries exhausted)", p.failed, p.total);

  SourcedCandles out;
  for (auto& [key, candles] : fetched) {
    auto kept = in_window(std::move(candles), q.window);
    if (!kept.empty()) out.instruments.push_back({describe(key, *table), std::move(kept)});
  }
  return out;
}

SourcedCandles from_recording(const CandleQuery& q) {
  record::RecordingReader reader(q.source.file);
  const RecordingMetadata metadata = parse_recording_metadata(reader.metadata());
  const auto table = load_instruments(q.config, metadata.demo);
  const std::vector<market::InstrumentKey> wanted = resolve(q.instruments, *table);
  scan::CandleCollector collector(scanner_config(q.config, metadata.always_open));
  std::vector<dhan::Packet> packets;
  dhan::DecodeCounters counters;
  market::IstSeconds timer = 0;
  while (auto frame = reader.next()) {
    const market::IstSeconds now = ist_of(frame->receive_ns);
    if (now > timer) collector.on_timer(now);
    timer = std::max(timer, now);
    if (frame->is_gap()) {
      collector.on_feed_gap();
      continue;
    }
    packets.clear();
    dhan::decode_frame(frame->bytes, packets, counters);
    for (const auto& packet : packets) {
      const auto key = packet.key();
      if (!wanted.empty() && !std::binary_search(wanted.begin(), wanted.end(), key)) continue;
      if (const auto tick = dhan::to_tick(packet)) collector.on_tick(*tick);
    }
  }
  collector.on_timer(timer + kFinalTimerLead);
  SourcedCandles out;
  out.always_open = metadata.always_open;
  out.damage = reader.error();
  for (const auto& [key, candles] : collector.candles()) {
    auto kept = in_window(candles, q.window);
    if (!kept.empty()) out.instruments.push_back({describe(key, *table), std::move(kept)});
  }
  return out;
}

}  // namespace

std::string CandleSource::name() const {
  switch (kind) {
    case Kind::kCache:
      return "cache";
    case Kind::kRest:
      return "rest";
    case Kind::kRecording:
      return "recording:" + file.string();
  }
  return "cache";
}

CandleSource parse_candle_source(std::string_view text) {
  if (text == "cache") return {CandleSource::Kind::kCache, {}};
  if (text == "rest") return {CandleSource::Kind::kRest, {}};
  constexpr std::string_view kRecording = "recording:";
  if (text.starts_with(kRecording) && text.size() > kRecording.size()) {
    return {CandleSource::Kind::kRecording, std::filesystem::path(text.substr(kRecording.size()))};
  }
  throw std::invalid_argument(fmt::format("--source must be cache, rest or recording:FILE, got '{}'", text));
}

std::size_t SourcedCandles::candle_count() const {
  std::size_t n = 0;
  for (const auto& i : instruments) n += i.candles.size();
  return n;
}

SourcedCandles load_candles(const CandleQuery& query) {
  switch (query.source.kind) {
    case CandleSource::Kind::kCache:
      return from_cache(query);
    case CandleSource::Kind::kRest:
      return from_rest(query);
    case CandleSource::Kind::kRecording:
      return from_recording(query);
  }
  return {};
}

}  // namespace fno::app
