// scanner_query.hpp
//
// GET /api/scanner's server-side filters and sort (docs/API.md): parsed from
// the query string with field-naming errors, applied to the snapshot rows
// in place (the selection points into them). Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "web/backend.hpp"
#include "web/query.hpp"

namespace fno::web {

enum class RowState { kAny, kReady, kWarming, kSignalled };
enum class RowSort { kSymbol, kLtp, kChangePct, kDayVolume, kDistance, kLastSignal };

struct ScannerFilter {
  std::optional<std::uint8_t> segment;
  std::vector<std::string> types;  // upper-case; empty = any
  RowState state = RowState::kAny;
  std::string strategy;  // narrows `state` to one strategy
  std::optional<double> min_price;
  std::optional<double> max_price;
  std::optional<double> near_pct;
  std::string text;  // upper-cased substring of symbol or underlying
  RowSort sort = RowSort::kSymbol;
  bool descending = false;
  std::size_t limit = 500;
};

inline constexpr std::size_t kMaxScannerLimit = 5000;

Result<ScannerFilter> parse_scanner_filter(const Query& query);

struct ScannerSelection {
  std::size_t total = 0;                 // matches before the limit
  std::vector<const ScannerRow*> rows;   // into the rows selected from; sorted, at most `limit`
};

ScannerSelection select_rows(const std::vector<ScannerRow>& rows, const ScannerFilter& filter);

}  // namespace fno::web
