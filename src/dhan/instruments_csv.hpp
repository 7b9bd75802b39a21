// instruments_csv.hpp
//
// Parses Dhan's instrument master CSV (compact `SEM_*` header or the detailed
// `EXCH_ID,SEGMENT,SECURITY_ID,...` header) into an InstrumentTable.
//
// Columns are found by header name, never by position. Accepted quirks: UTF-8
// BOM, LF or CRLF, RFC-4180 quoting (also newlines inside quotes), empty or
// missing trailing fields, live number formats (`25.0`, `5.0000`, `-0.01000`)
// and re-saved ones (plain integers), expiry as `2024-10-24 14:30:00`,
// `27-01-2026 14:30`, `27/11/36`, `2026-01-27` (`0001-01-01` = none). Tick
// size is converted from paise to rupees. Exchange test contracts (`NSETEST`)
// are excluded. A bad row is counted under its reason and skipped, never
// fatal; a missing required column throws MasterFormatError naming it.
//
// Reads the file in bounded chunks (no whole-file copy). No logging, no
// clock; callers log the report. Safe to call from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "dhan/instruments.hpp"

namespace fno::dhan {

class MasterFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MasterParseReport {
  std::size_t rows = 0;            // data rows seen (blank lines not counted)
  std::size_t accepted = 0;        // rows in the table
  std::size_t test_contracts = 0;  // NSETEST rows excluded on purpose
  std::map<std::string, std::size_t> rejected;  // reason -> count, e.g. "bad_expiry"

  std::size_t rejected_total() const;
  // "682 rows, 662 accepted, 18 test contracts excluded, rejected: duplicate_key=2"
  std::string summary() const;
};

struct ParsedMaster {
  InstrumentTable table;
  MasterParseReport report;
};

// Throws MasterFormatError (missing column, no header) or
// std::system_error (file unreadable).
ParsedMaster parse_master_file(const std::filesystem::path& path);
ParsedMaster parse_master_text(std::string_view csv);

}  // namespace fno::dhan
