#include "web/alert_csv.hpp"

#include <fmt/format.h>

#include "web/api_json.hpp"

namespace fno::web {

std::string alert_csv_header() {
  return "id,time_ist,symbol,underlying,segment,security_id,strategy,kind,price,reason,numbers\r\n";
}

std::string csv_cell(std::string_view text) {
  std::string cell;
  if (!text.empty() && (text.front() == '=' || text.front() == '+' || text.front() == '-' || text.front() == '@')) {
    cell += '\'';
  }
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (const char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

void append_alert_csv(std::string& out, const alerts::Alert& a) {
  fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{},{}\r\n", a.id,
                 csv_cell(alerts::format_ist_ms(a.time_ms)), csv_cell(a.trading_symbol), csv_cell(a.underlying),
                 csv_cell(segment_text(a.instrument.segment)), a.instrument.security_id, csv_cell(a.strategy),
                 scan::to_string(a.kind), a.price, csv_cell(a.reason), csv_cell(alerts::numbers_to_json(a.numbers)));
}

}  // namespace fno::web
