#include "alerts/csv_export.hpp"

#include <fmt/format.h>

namespace fno::alerts {

namespace {

bool starts_like_formula(std::string_view text) {
  if (text.empty()) return false;
  switch (text.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r': return true;
    default: return false;
  }
}

void append_row(std::string& out, const Alert& a) {
  fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{},{},{}\r\n", a.id, format_ist_ms(a.time_ms),
                 csv_cell(a.trading_symbol), csv_cell(a.underlying), csv_cell(a.strategy), scan::to_string(a.kind),
                 a.price, csv_cell(a.reason), csv_cell(numbers_to_json(a.numbers)), market::format_ist(a.candle_time),
                 a.instrument.segment, a.instrument.security_id);
}

}  // namespace

std::string csv_cell(std::string_view text) {
  std::string cell;
  cell.reserve(text.size() + 3);
  if (starts_like_formula(text)) cell += '\'';
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

CsvExportResult export_csv(AlertReader& reader, const AlertFilter& filter,
                           const std::function<bool(std::string_view)>& sink, std::size_t chunk_bytes) {
  CsvExportResult result;
  std::string buffer;
  buffer.reserve(chunk_bytes + 1024);
  buffer += kCsvHeader;
  bool aborted = false;
  reader.for_each(filter, [&](const Alert& a) {
    append_row(buffer, a);
    ++result.rows;
    if (buffer.size() < chunk_bytes) return true;
    aborted = !sink(buffer);
    buffer.clear();
    return !aborted;
  });
  if (aborted) return result;
  result.complete = sink(buffer);
  return result;
}

}  // namespace fno::alerts
