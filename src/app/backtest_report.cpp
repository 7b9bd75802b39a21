#include "app/backtest_report.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "alerts/csv_export.hpp"
#include "alerts/telegram_message.hpp"
#include "dhan/codec.hpp"
#include "market/calendar.hpp"
#include "util/atomic_file.hpp"
#include "web/api.hpp"

namespace fno::app {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxSummaryBytes = 64ULL << 20;
constexpr std::size_t kMaxListed = 500;
constexpr std::size_t kHtmlSignalRows = 500;
constexpr const char* kSummaryFile = "summary.json";

json::value optional_number(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

// Prices as the exchange quotes them: strategies see float32 candles (as the
// feed sends them), whose doubles carry noise past the 4th decimal.
double price(double p) { return std::round(p * 1e4) / 1e4; }
std::optional<double> price(const std::optional<double>& p) {
  return p ? std::optional<double>(price(*p)) : std::nullopt;
}

// At most kMaxSummarySignals signals, evenly spread over all of them (so every
// run and the whole period show), in their order.
std::vector<const BacktestSignal*> sample(const BacktestSummary& s) {
  std::vector<const BacktestSignal*> out;
  const std::size_t n = s.signals.size();
  const std::size_t kept = std::min(n, kMaxSummarySignals);
  for (std::size_t i = 0; i < kept; ++i) out.push_back(&s.signals[i * n / kept]);
  return out;
}

std::string segment_name(std::uint8_t segment) {
  return std::string(dhan::segment_name(static_cast<dhan::Segment>(segment)));
}

json::object score_json(const scan::StrategyScore& s) {
  return json::object{{"strategy", s.strategy},
                      {"signals", s.signals},
                      {"evaluated", s.evaluated},
                      {"hits", s.hits},
                      {"hit_rate", optional_number(s.hit_rate())},
                      {"avg_move_pct", optional_number(s.avg_move_pct())},
                      {"avg_win_pct", optional_number(s.avg_win_pct())},
                      {"avg_loss_pct", optional_number(s.avg_loss_pct())}};
}

json::object signal_json(const BacktestSignal& s) {
  const scan::Signal& sig = s.outcome.signal;
  const bool evaluated = s.outcome.evaluated();
  return json::object{{"run", s.run},
                      {"time", sig.candle_time},
                      {"symbol", s.symbol},
                      {"segment", segment_name(sig.instrument.segment)},
                      {"security_id", sig.instrument.security_id},
                      {"strategy", sig.strategy},
                      {"kind", scan::to_string(sig.kind)},
                      {"price", price(sig.price)},
                      {"later_price", optional_number(price(s.outcome.later_price))},
                      {"move_pct", optional_number(s.outcome.move_pct)},
                      {"hit", evaluated ? json::value(s.outcome.hit()) : json::value(nullptr)},
                      {"missing", evaluated ? json::value(nullptr) : json::value(scan::to_string(s.outcome.missing))},
                      {"reason", sig.reason}};
}

std::string percent(const std::optional<double>& v, double scale = 1.0) {
  return v ? fmt::format("{:.2f}%", *v * scale) : std::string("–");
}

std::string params_text(const scan::ParamCombo& combo) {
  return combo.empty() ? std::string("(configured)") : json::serialize(scan::to_json(combo));
}

// Signals over time (x) against their move at the horizon (y).
std::string signal_chart(const std::vector<const BacktestSignal*>& shown) {
  constexpr double kW = 960, kH = 300, kPad = 40;
  if (shown.empty()) return "<p class=\"muted\">No signals.</p>";
  market::IstSeconds t0 = shown[0]->outcome.signal.candle_time, t1 = t0;
  double lo = 0, hi = 0;
  for (const auto* signal : shown) {
    const auto& o = signal->outcome;
    t0 = std::min(t0, o.signal.candle_time);
    t1 = std::max(t1, o.signal.candle_time);
    if (o.move_pct) {
      lo = std::min(lo, *o.move_pct);
      hi = std::max(hi, *o.move_pct);
    }
  }
  if (hi - lo < 1e-9) hi = lo + 1;
  const auto x = [&](market::IstSeconds t) {
    return t1 == t0 ? kW / 2 : kPad + (kW - 2 * kPad) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  };
  const auto y = [&](double m) { return kH - kPad - (kH - 2 * kPad) * (m - lo) / (hi - lo); };
  std::string svg = fmt::format(
      "<svg viewBox=\"0 0 {0} {1}\" width=\"100%\" role=\"img\" aria-label=\"signals by time and move\">"
      "<line x1=\"{2}\" y1=\"{3:.1f}\" x2=\"{4}\" y2=\"{3:.1f}\" class=\"axis\"/>"
      "<text x=\"4\" y=\"{5:.1f}\">{6:.2f}%</text><text x=\"4\" y=\"{7:.1f}\">{8:.2f}%</text>"
      "<text x=\"{2}\" y=\"{1}\">{9}</text><text x=\"{4}\" y=\"{1}\" text-anchor=\"end\">{10}</text>",
      kW, kH - 4, kPad, y(0), kW - kPad, y(hi) + 4, hi, y(lo) + 4, lo, alerts::html_escape(market::format_ist(t0)),
      alerts::html_escape(market::format_ist(t1)));
  for (const auto* shown_signal : shown) {
    const auto& sig = *shown_signal;
    const auto& o = sig.outcome;
    const char* cls = !o.evaluated() ? "open" : o.hit() ? "hit" : "miss";
    const std::string title =
        fmt::format("{} {} {} {} @ {:.2f}: {}", market::format_ist(o.signal.candle_time), sig.symbol, o.signal.strategy,
                    scan::to_string(o.signal.kind), o.signal.price, percent(o.move_pct));
    fmt::format_to(std::back_inserter(svg),
                   "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" class=\"{}\"><title>{}</title></circle>",
                   x(o.signal.candle_time), y(o.move_pct.value_or(0)), cls, alerts::html_escape(title));
  }
  return svg + "</svg>";
}

}  // namespace

json::object summary_json(const BacktestSummary& s) {
  json::array strategies;
  for (const auto& id : s.strategies) strategies.emplace_back(id);
  json::array runs;
  for (const auto& run : s.runs) {
    json::array per_strategy;
    for (const auto& score : run.scores) per_strategy.push_back(score_json(score));
    runs.push_back(json::object{{"params", scan::to_json(run.params)}, {"per_strategy", std::move(per_strategy)}});
  }
  json::array signals;
  const auto shown = sample(s);
  for (const auto* signal : shown) signals.push_back(signal_json(*signal));
  json::object out{{"id", s.id},
                   {"created", s.created},
                   {"strategy", std::move(strategies)},
                   {"from", s.from},
                   {"to", s.to},
                   {"horizon_minutes", s.horizon_minutes},
                   {"source", s.source},
                   {"instruments", s.instruments},
                   {"candles", s.candles},
                   {"runs", std::move(runs)},
                   {"signals_total", s.signals.size()},
                   {"signals_truncated", shown.size() < s.signals.size()},
                   {"signals", std::move(signals)}};
  if (!s.recording_file.empty()) out["recording_file"] = s.recording_file;
  return out;
}

std::string signals_csv(const BacktestSummary& s) {
  std::string out =
      "run,params,time_ist,symbol,segment,security_id,strategy,kind,price,reason,later_price,move_pct,hit,missing\r\n";
  for (const auto& row : s.signals) {
    const auto& o = row.outcome;
    const auto& sig = o.signal;
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n", row.run,
                   alerts::csv_cell(json::serialize(scan::to_json(s.runs.at(row.run).params))),
                   market::format_ist(sig.candle_time), alerts::csv_cell(row.symbol),
                   segment_name(sig.instrument.segment), sig.instrument.security_id, alerts::csv_cell(sig.strategy),
                   scan::to_string(sig.kind), price(sig.price), alerts::csv_cell(sig.reason),
                   o.later_price ? fmt::format("{}", price(*o.later_price)) : "",
                   o.move_pct ? fmt::format("{:.4f}", *o.move_pct) : "",
                   o.evaluated() ? (o.hit() ? "true" : "false") : "", scan::to_string(o.missing));
  }
  return out;
}

std::string summary_html(const BacktestSummary& s) {
  const auto esc = [](std::string_view t) { return alerts::html_escape(t); };
  std::string strategies;
  for (const auto& id : s.strategies) strategies += (strategies.empty() ? "" : ", ") + id;
  std::string html = fmt::format(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Backtest {0}</title>"
      "<style>body{{background:#0d1117;color:#c9d1d9;font:14px system-ui,sans-serif;margin:24px}}"
      "h1{{font-size:20px}}table{{border-collapse:collapse;margin:12px 0}}td,th{{border-bottom:1px solid #30363d;"
      "padding:4px 10px;text-align:right}}th{{color:#8b949e}}td.l,th.l{{text-align:left}}.muted{{color:#8b949e}}"
      "svg{{background:#161b22;border:1px solid #30363d}}svg text{{fill:#8b949e;font-size:11px}}"
      ".axis{{stroke:#30363d}}.hit{{fill:#3fb950}}.miss{{fill:#f85149}}.open{{fill:none;stroke:#8b949e}}</style>"
      "</head><body><h1>Backtest {0}</h1><p>{1} &middot; {2} to {3} IST &middot; horizon {4} min &middot; source "
      "{5} &middot; {6} instruments, {7} candles &middot; created {8}</p>",
      esc(s.id), esc(strategies), esc(s.from), esc(s.to), s.horizon_minutes,
      esc(s.recording_file.empty() ? s.source : s.source + " " + s.recording_file), s.instruments, s.candles,
      esc(s.created));
  html +=
      "<h2>Runs</h2><table><tr><th class=\"l\">run</th><th class=\"l\">params</th><th class=\"l\">strategy</th>"
      "<th>signals</th><th>evaluated</th><th>hits</th><th>hit rate</th><th>avg move</th><th>avg win</th>"
      "<th>avg loss</th></tr>";
  for (std::size_t r = 0; r < s.runs.size(); ++r) {
    for (const auto& score : s.runs[r].scores) {
      fmt::format_to(std::back_inserter(html),
                     "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td>"
                     "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                     r, esc(params_text(s.runs[r].params)), esc(score.strategy), score.signals, score.evaluated,
                     score.hits, percent(score.hit_rate(), 100.0), percent(score.avg_move_pct()),
                     percent(score.avg_win_pct()), percent(score.avg_loss_pct()));
    }
  }
  html +=
      "</table><h2>Signals</h2><p class=\"muted\">Move at the horizon, signed by direction: green hit, red miss, "
      "hollow not evaluated.</p>";
  const auto shown = sample(s);
  html += signal_chart(shown);
  if (shown.size() < s.signals.size()) {
    html += fmt::format("<p class=\"muted\">The chart shows an even sample of {} of them.</p>", shown.size());
  }
  const std::size_t rows = std::min(s.signals.size(), kHtmlSignalRows);
  html += fmt::format("<p class=\"muted\">{} signals{}; signals.csv has them all.</p>", s.signals.size(),
                      rows < s.signals.size() ? fmt::format(", the first {} listed", rows) : "");
  html +=
      "<table><tr><th>run</th><th class=\"l\">time IST</th><th class=\"l\">symbol</th><th class=\"l\">strategy</th>"
      "<th class=\"l\">kind</th><th>price</th><th>later</th><th>move</th><th class=\"l\">reason</th></tr>";
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& o = s.signals[i].outcome;
    fmt::format_to(std::back_inserter(html),
                   "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>"
                   "<td class=\"l\">{}</td><td>{:.2f}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
                   s.signals[i].run, esc(market::format_ist(o.signal.candle_time)), esc(s.signals[i].symbol),
                   esc(o.signal.strategy), scan::to_string(o.signal.kind), o.signal.price,
                   o.later_price ? fmt::format("{:.2f}", *o.later_price) : esc(scan::to_string(o.missing)),
                   percent(o.move_pct), esc(o.signal.reason));
  }
  return html + "</table></body></html>\n";
}

void write_backtest(const BacktestSummary& summary, const fs::path& dir) {
  fs::create_directories(dir);
  util::replace_atomically(dir / "signals.csv", signals_csv(summary));
  util::replace_atomically(dir / "summary.html", summary_html(summary));
  // Last: a directory is listed once its summary.json exists.
  util::replace_atomically(dir / kSummaryFile, json::serialize(summary_json(summary)) + "\n");
}

std::optional<json::object> load_backtest(const fs::path& dir, std::string_view id) {
  if (!web::valid_backtest_id(id)) return std::nullopt;
  const fs::path file = dir / std::string(id) / kSummaryFile;
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec || size > kMaxSummaryBytes) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code parse_ec;
  json::value v = json::parse(text.str(), parse_ec);
  if (parse_ec || !v.is_object()) {
    spdlog::warn("backtest {}: {} is not a JSON object; skipped", std::string(id), file.string());
    return std::nullopt;
  }
  return std::move(v.as_object());
}

json::array list_backtests(const fs::path& dir) {
  std::vector<json::object> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string id = it->path().filename().string();
    if (!web::valid_backtest_id(id) || !it->is_directory(ec)) continue;
    auto summary = load_backtest(dir, id);
    if (!summary) continue;
    summary->erase("signals");
    (*summary)["id"] = id;
    found.push_back(std::move(*summary));
  }
  const auto text = [](const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  std::sort(found.begin(), found.end(), [&](const json::object& a, const json::object& b) {
    return std::pair(text(a, "created"), text(a, "id")) > std::pair(text(b, "created"), text(b, "id"));
  });
  json::array out;
  for (std::size_t i = 0; i < found.size() && i < kMaxListed; ++i) out.push_back(std::move(found[i]));
  return out;
}

}  // namespace fno::app
