#include "web/api_json.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <charconv>

#include "dhan/codec.hpp"
#include "web/json_text.hpp"

namespace fno::web {

namespace json = boost::json;

namespace {

constexpr std::int64_t kMsPerSecond = 1000;

std::int64_t utc_ms(market::IstSeconds ist) { return market::utc_from_ist(ist) * kMsPerSecond; }

}  // namespace

json::value opt(const std::optional<double>& value) { return value ? json::value(*value) : json::value(nullptr); }

std::string segment_text(std::uint8_t segment) {
  const auto name = dhan::segment_name(static_cast<dhan::Segment>(segment));
  return name.empty() ? std::to_string(segment) : std::string(name);
}

std::optional<std::uint8_t> parse_segment(std::string_view text) {
  if (const auto named = dhan::segment_from_name(text)) return static_cast<std::uint8_t>(*named);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value > 255) return std::nullopt;
  return static_cast<std::uint8_t>(value);
}

json::object instrument_json(market::InstrumentKey key) {
  return {{"segment", segment_text(key.segment)}, {"security_id", key.security_id}};
}

void write_row_json(const ScannerRow& scanner_row, RowText& out) {
  const auto& r = scanner_row.row;
  std::string& s = out.json;
  s.clear();
  out.member_ends.clear();
  // Opens member `name` ("name": with its separator); the caller appends the value.
  const auto member = [&](std::string_view name) {
    if (!out.member_ends.empty()) out.member_ends.back() = static_cast<std::uint32_t>(s.size());
    s += out.member_ends.empty() ? '{' : ',';
    s += '"';
    s += name;
    s += "\":";
    out.member_ends.push_back(0);
  };
  const auto text = [&](std::string_view name, std::string_view value) {
    member(name);
    append_json_string(s, value);
  };
  const auto number = [&](std::string_view name, const std::optional<double>& value) {
    member(name);
    append_json_number(s, value);
  };
  const auto count = [&](std::string_view name, const auto& value) {
    member(name);
    if (value) append_json_number(s, static_cast<std::uint64_t>(*value));
    else s += "null";
  };
  text("segment", segment_text(r.key.segment));
  count("security_id", std::optional<std::uint32_t>(r.key.security_id));
  text("symbol", r.symbol);
  text("underlying", scanner_row.underlying);
  text("type", scanner_row.type);
  count("version", std::optional<std::uint64_t>(r.version));
  number("ltp", r.ltp);
  number("prev_close", r.prev_close);
  number("change_pct", r.change_pct);
  count("day_volume", r.day_volume);
  count("open_interest", r.open_interest);
  number("resistance", r.resistance);
  number("distance_to_breakout_pct", r.distance_to_breakout_pct);
  number("ema_short", r.ema_short);
  number("ema_long", r.ema_long);
  number("average_volume", r.average_volume);
  member("last_candle_ms");
  if (r.last_candle) append_json_number(s, utc_ms(*r.last_candle));
  else s += "null";
  member("readiness");
  s += '[';
  for (std::size_t i = 0; i < r.readiness.size(); ++i) {
    const auto& ready = r.readiness[i];
    s += i == 0 ? "{\"strategy\":" : ",{\"strategy\":";
    append_json_string(s, ready.strategy);
    s += ready.ready ? ",\"ready\":true,\"candles\":" : ",\"ready\":false,\"candles\":";
    append_json_number(s, static_cast<std::uint64_t>(ready.candles));
    s += ",\"needed\":";
    append_json_number(s, static_cast<std::uint64_t>(ready.needed));
    s += '}';
  }
  s += ']';
  member("last_signal");
  if (const auto& signal = r.last_signal) {
    s += "{\"strategy\":";
    append_json_string(s, signal->strategy);
    s += ",\"kind\":";
    append_json_string(s, scan::to_string(signal->kind));
    s += ",\"price\":";
    append_json_number(s, signal->price);
    s += ",\"time_ms\":";
    append_json_number(s, utc_ms(signal->time));
    s += ",\"reason\":";
    append_json_string(s, signal->reason);
    s += '}';
  } else {
    s += "null";
  }
  out.member_ends.back() = static_cast<std::uint32_t>(s.size());
  s += '}';
}

json::object alert_json(const alerts::Alert& alert) {
  json::object numbers;
  for (const auto& [name, value] : alert.numbers) numbers[name] = value;
  json::object out{{"id", alert.id},
                   {"time_ms", alert.time_ms},
                   {"time_ist", alerts::format_ist_ms(alert.time_ms)},
                   {"created_ms", alert.created_ms}};
  out["segment"] = segment_text(alert.instrument.segment);
  out["security_id"] = alert.instrument.security_id;
  out["symbol"] = alert.trading_symbol;
  out["underlying"] = alert.underlying;
  out["strategy"] = alert.strategy;
  out["kind"] = scan::to_string(alert.kind);
  out["price"] = alert.price;
  out["reason"] = alert.reason;
  out["numbers"] = std::move(numbers);
  out["candle_time_ms"] = utc_ms(alert.candle_time);
  return out;
}

json::object candle_json(const market::Candle& c) {
  return {{"time", market::utc_from_ist(c.start)}, {"open", c.open},   {"high", c.high},
          {"low", c.low},                         {"close", c.close}, {"volume", c.volume_known ? json::value(c.volume) : json::value(nullptr)},
          {"partial", c.partial}};
}

json::object watchlist_json(const Watchlist& list) {
  json::array items;
  for (const auto& item : list.items) {
    json::object entry = instrument_json(item.key);
    entry["symbol"] = item.symbol;
    items.push_back(std::move(entry));
  }
  return {{"id", list.id}, {"name", list.name}, {"items", std::move(items)}};
}

json::object instrument_info_json(const InstrumentInfo& info) {
  json::object out = instrument_json(info.key);
  out["symbol"] = info.symbol;
  out["name"] = info.name;
  out["underlying"] = info.underlying;
  out["type"] = info.type;
  out["expiry"] = info.expiry ? json::value(*info.expiry) : json::value(nullptr);
  out["strike"] = opt(info.strike);
  out["option_type"] = info.option_type ? json::value(*info.option_type) : json::value(nullptr);
  out["lot_size"] = info.lot_size;
  return out;
}

Health assess(const StatusReport& report) {
  Health health{"ok", report.reasons};
  if (!report.scanner_can_work) {
    health.status = "down";
    return health;
  }
  const auto feed = report.feed.health;
  if (feed != dhan::FeedHealth::kOk && feed != dhan::FeedHealth::kStarting) {
    std::string reason = "feed " + std::string(dhan::to_string(feed));
    if (!report.feed.message.empty()) reason += ": " + report.feed.message;
    health.reasons.push_back(std::move(reason));
  }
  if (report.store.degraded) health.reasons.push_back("alert store degraded: " + report.store.error);
  if (!health.reasons.empty()) health.status = "degraded";
  return health;
}

namespace {

json::object feed_json(const dhan::FeedStatus& feed) {
  json::array connections;
  for (const auto& c : feed.connections) {
    connections.push_back(json::object{{"id", c.id},
                                       {"state", dhan::to_string(c.state)},
                                       {"instruments", c.instruments},
                                       {"packets", c.packets},
                                       {"packets_per_second", c.packets_per_second},
                                       {"last_packet_age_seconds", opt(c.last_packet_age_seconds)},
                                       {"reconnects", c.reconnects},
                                       {"stalls", c.stalls},
                                       {"last_error", c.last_error}});
  }
  return {{"health", dhan::to_string(feed.health)},
          {"message", feed.message},
          {"instruments", feed.instruments},
          {"rejected_instruments", feed.rejected_instruments},
          {"packets", feed.packets},
          {"drops", feed.drops},
          {"reconnects", feed.reconnects},
          {"connections", std::move(connections)}};
}

}  // namespace

json::object status_json(const StatusReport& report, const WebFigures& web) {
  const Health health = assess(report);
  json::array reasons;
  for (const auto& reason : health.reasons) reasons.emplace_back(reason);
  json::object queues;
  for (const auto& [name, drops] : report.queue_drops) queues[name + "_drops"] = drops;
  queues["push_drops"] = web.push_drops;
  json::object out{{"status", health.status},
                   {"reasons", std::move(reasons)},
                   {"version", report.version},
                   {"mode", report.mode},
                   {"uptime_seconds", report.uptime_seconds},
                   {"server_time_ms", report.server_time_ms},
                   {"active_symbols", report.active_symbols}};
  out["alerts"] = json::object{{"total", report.alerts_total}, {"today", report.alerts_today}};
  out["market"] = json::object{{"open", report.market.open},
                               {"next_open_ist", report.market.next_open_ist},
                               {"next_close_ist", report.market.next_close_ist}};
  out["feed"] = feed_json(report.feed);
  out["history"] = json::object{{"done", report.history.done},
                                {"total", report.history.total},
                                {"failed", report.history.failed},
                                {"eta_seconds", opt(report.history.eta_seconds)}};
  if (report.replay) {
    out["replay"] = json::object{{"file", report.replay->file},
                                 {"frames", report.replay->frames},
                                 {"packets", report.replay->packets},
                                 {"finished", report.replay->finished}};
  }
  out["instrument_master"] = json::object{{"age_seconds", opt(report.instrument_master_age_seconds)},
                                          {"rows", report.instrument_rows}};
  out["queues"] = std::move(queues);
  out["store"] = json::object{{"degraded", report.store.degraded}, {"error", report.store.error}};
  // Healthy: nothing failed or was dropped since start (the dashboard's status light).
  const auto& tg = report.telegram;
  const bool tg_healthy = tg.enabled && tg.failed == 0 && tg.dropped == 0;
  std::string tg_error = tg.disabled_reason;
  if (tg_error.empty() && !tg_healthy && tg.enabled) tg_error = fmt::format("{} failed, {} dropped", tg.failed, tg.dropped);
  out["telegram"] = json::object{{"enabled", tg.enabled}, {"healthy", tg_healthy}, {"sent", tg.sent},
                                 {"failed", tg.failed}, {"queued", tg.queued},
                                 {"error", tg_error.empty() ? json::value(nullptr) : json::value(tg_error)}};
  out["web"] = json::object{{"ws_clients", web.ws_clients}, {"socketio_clients", web.socketio_clients}};
  return out;
}

std::string error_body(const ApiError& error) {
  json::object detail{{"code", error.code}, {"message", error.message}};
  if (!error.field.empty()) detail["field"] = error.field;
  return json::serialize(json::object{{"error", std::move(detail)}});
}

}  // namespace fno::web
