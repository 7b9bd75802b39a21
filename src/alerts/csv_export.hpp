// csv_export.hpp
//
// Streams a filtered alert query as CSV: RFC 4180 (comma separated, CRLF
// line ends, quotes doubled inside quoted cells), UTF-8, one header row, IST
// timestamps. Text cells that a spreadsheet would run as a formula (starting
// with =, +, -, @, tab or CR) are prefixed with a single quote. Memory stays
// constant whatever the row count: rows are read one at a time and handed to
// the sink in chunks. Runs on the caller's thread with the caller's reader.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "alerts/reader.hpp"

namespace fno::alerts {

inline constexpr std::string_view kCsvHeader =
    "id,time_ist,trading_symbol,underlying,strategy,kind,price,reason,numbers,candle_time_ist,segment,security_id\r\n";

// One text cell, neutralised and quoted as needed.
std::string csv_cell(std::string_view text);

struct CsvExportResult {
  std::uint64_t rows = 0;
  bool complete = false;  // false when the sink asked to stop
};

// `sink` receives consecutive pieces of the file (at least `chunk_bytes`
// each except the last) and returns false to abort, e.g. when the HTTP
// client went away. Throws SQLite::Exception on database errors.
CsvExportResult export_csv(AlertReader& reader, const AlertFilter& filter,
                           const std::function<bool(std::string_view)>& sink, std::size_t chunk_bytes = 64 * 1024);

}  // namespace fno::alerts
