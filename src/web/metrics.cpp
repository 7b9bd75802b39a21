#include "web/metrics.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "dhan/codec.hpp"

namespace fno::web {

namespace {

// DecodeCounters::packets order (codec.hpp).
constexpr std::array<std::string_view, dhan::DecodeCounters::kKinds> kPacketKinds = {
    "index", "ticker", "quote", "oi", "prev_close", "market_status", "full", "disconnect"};
constexpr std::array<dhan::DecodeError, 3> kDecodeErrors = {
    dhan::DecodeError::kTruncated, dhan::DecodeError::kBadLength, dhan::DecodeError::kUnknownCode};
constexpr std::array<dhan::ConnectionState, 6> kConnectionStates = {
    dhan::ConnectionState::kConnecting, dhan::ConnectionState::kSubscribing, dhan::ConnectionState::kStreaming,
    dhan::ConnectionState::kBackoff,    dhan::ConnectionState::kClosing,     dhan::ConnectionState::kStopped};

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <class T>
  void sample(std::string_view name, T value) {
    fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
  }
  template <class T>
  void sample(std::string_view name, std::string_view label, std::string_view label_value, T value) {
    fmt::format_to(std::back_inserter(out_), "{}{{{}=\"{}\"}} {}\n", name, label, escape_label(label_value), value);
  }
  std::string& raw() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void write_feed(Writer& w, const dhan::FeedStatus& feed) {
  w.family("fno_feed_packets_total", "counter", "Decoded feed packets by kind.");
  for (std::size_t i = 0; i < kPacketKinds.size(); ++i) {
    w.sample("fno_feed_packets_total", "kind", kPacketKinds[i], feed.decode.packets[i]);
  }
  w.family("fno_feed_decode_errors_total", "counter", "Feed frames with decode errors by reason.");
  for (const auto error : kDecodeErrors) {
    w.sample("fno_feed_decode_errors_total", "reason", dhan::to_string(error), feed.decode.error_count(error));
  }
  w.family("fno_feed_drops_total", "counter", "Decoded packets the engine queue refused.");
  w.sample("fno_feed_drops_total", feed.drops);
  w.family("fno_feed_reconnects_total", "counter", "Feed reconnects.");
  w.sample("fno_feed_reconnects_total", feed.reconnects);
  w.family("fno_feed_connection_state", "gauge", "1 for the current state of each feed connection.");
  for (const auto& c : feed.connections) {
    for (const auto state : kConnectionStates) {
      fmt::format_to(std::back_inserter(w.raw()), "fno_feed_connection_state{{connection=\"{}\",state=\"{}\"}} {}\n",
                     c.id, dhan::to_string(state), c.state == state ? 1 : 0);
    }
  }
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string prometheus_text(const StatusReport& report, const WebCounters& web) {
  Writer w;
  w.family("fno_build_info", "gauge", "Build and mode; always 1.");
  fmt::format_to(std::back_inserter(w.raw()), "fno_build_info{{version=\"{}\",mode=\"{}\"}} 1\n",
                 escape_label(report.version), escape_label(report.mode));
  w.family("fno_uptime_seconds", "gauge", "Seconds since start.");
  w.sample("fno_uptime_seconds", report.uptime_seconds);
  write_feed(w, report.feed);
  w.family("fno_signals_total", "counter", "Strategy signals emitted by the scanner.");
  for (const auto& [strategy, n] : report.scanner.signals_by_strategy) w.sample("fno_signals_total", "strategy", strategy, n);
  w.family("fno_signals_suppressed_total", "counter", "Signals suppressed by dedupe, cooldown or partial candles.");
  w.sample("fno_signals_suppressed_total", report.scanner.signals_suppressed);
  w.family("fno_alerts_total", "counter", "Alerts created since start.");
  for (const auto& [strategy, n] : report.alerts_by_strategy) w.sample("fno_alerts_total", "strategy", strategy, n);
  w.family("fno_queue_drops_total", "counter", "Items dropped by bounded queues.");
  for (const auto& [queue, n] : report.queue_drops) w.sample("fno_queue_drops_total", "queue", queue, n);
  w.sample("fno_queue_drops_total", "queue", "store", report.store.dropped);
  w.family("fno_history_instruments", "gauge", "History warm-up progress.");
  w.sample("fno_history_instruments", "state", "done", report.history.done);
  w.sample("fno_history_instruments", "state", "total", report.history.total);
  w.sample("fno_history_instruments", "state", "failed", report.history.failed);
  w.family("fno_store_commit_seconds", "gauge", "Alert store commit latency.");
  if (report.store_commit_p50_seconds) w.sample("fno_store_commit_seconds", "quantile", "0.5", *report.store_commit_p50_seconds);
  if (report.store_commit_p99_seconds) w.sample("fno_store_commit_seconds", "quantile", "0.99", *report.store_commit_p99_seconds);
  w.family("fno_web_clients", "gauge", "Connected live-push clients.");
  w.sample("fno_web_clients", "kind", "ws", web.clients.ws_clients);
  w.sample("fno_web_clients", "kind", "socketio", web.clients.socketio_clients);
  w.family("fno_web_push_drops_total", "counter", "Live-push messages not delivered as sent.");
  w.sample("fno_web_push_drops_total", "reason", "coalesced", web.push_drops_coalesced);
  w.sample("fno_web_push_drops_total", "reason", "snapshot", web.push_snapshots);
  w.sample("fno_web_push_drops_total", "reason", "closed_slow", web.push_closed_slow);
  w.sample("fno_web_push_drops_total", "reason", "inbox_full", web.push_inbox_drops);
  w.family("fno_web_responses_total", "counter", "HTTP responses by status class.");
  w.sample("fno_web_responses_total", "status", "2xx", web.responses_2xx);
  w.sample("fno_web_responses_total", "status", "3xx", web.responses_3xx);
  w.sample("fno_web_responses_total", "status", "4xx", web.responses_4xx);
  w.sample("fno_web_responses_total", "status", "5xx", web.responses_5xx);
  return w.take();
}

}  // namespace fno::web
