#include "web/scanner_query.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "web/api_json.hpp"

namespace fno::web {

namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split_upper(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    if (!item.empty()) out.push_back(upper(item));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<RowState> parse_state(std::string_view text) {
  if (text == "ready") return RowState::kReady;
  if (text == "warming") return RowState::kWarming;
  if (text == "signalled") return RowState::kSignalled;
  return std::nullopt;
}

std::optional<RowSort> parse_sort(std::string_view text) {
  if (text == "symbol") return RowSort::kSymbol;
  if (text == "ltp") return RowSort::kLtp;
  if (text == "change_pct") return RowSort::kChangePct;
  if (text == "day_volume") return RowSort::kDayVolume;
  if (text == "distance") return RowSort::kDistance;
  if (text == "last_signal") return RowSort::kLastSignal;
  return std::nullopt;
}

bool readiness_matches(const scan::SnapshotRow& row, const ScannerFilter& f, bool want_ready) {
  bool all_ready = true;
  for (const auto& r : row.readiness) {
    if (f.strategy.empty() || r.strategy == f.strategy) all_ready = all_ready && r.ready;
  }
  return all_ready == want_ready;
}

bool state_matches(const scan::SnapshotRow& row, const ScannerFilter& f) {
  switch (f.state) {
    case RowState::kAny:
      return true;
    case RowState::kReady:
      return readiness_matches(row, f, true);
    case RowState::kWarming:
      return readiness_matches(row, f, false);
    case RowState::kSignalled:
      return row.last_signal && (f.strategy.empty() || row.last_signal->strategy == f.strategy);
  }
  return false;
}

bool matches(const ScannerRow& sr, const ScannerFilter& f) {
  const auto& row = sr.row;
  if (f.segment && row.key.segment != *f.segment) return false;
  if (!f.types.empty() && std::find(f.types.begin(), f.types.end(), sr.type) == f.types.end()) return false;
  if ((f.min_price || f.max_price) && !row.ltp) return false;
  if (f.min_price && *row.ltp < *f.min_price) return false;
  if (f.max_price && *row.ltp > *f.max_price) return false;
  if (f.near_pct && (!row.distance_to_breakout_pct || *row.distance_to_breakout_pct > *f.near_pct)) return false;
  if (!f.text.empty() && upper(row.symbol).find(f.text) == std::string::npos &&
      upper(sr.underlying).find(f.text) == std::string::npos) {
    return false;
  }
  return state_matches(row, f);
}

// Sort key; rows without the value sort last in either direction.
std::optional<double> sort_value(const scan::SnapshotRow& row, RowSort sort) {
  switch (sort) {
    case RowSort::kLtp:
      return row.ltp;
    case RowSort::kChangePct:
      return row.change_pct;
    case RowSort::kDayVolume:
      return row.day_volume ? std::optional<double>(static_cast<double>(*row.day_volume)) : std::nullopt;
    case RowSort::kDistance:
      return row.distance_to_breakout_pct;
    case RowSort::kLastSignal:
      return row.last_signal ? std::optional<double>(static_cast<double>(row.last_signal->time)) : std::nullopt;
    case RowSort::kSymbol:
      break;
  }
  return std::nullopt;
}

bool row_before(const ScannerRow& a, const ScannerRow& b, const ScannerFilter& f) {
  if (f.sort == RowSort::kSymbol) return f.descending ? b.row.symbol < a.row.symbol : a.row.symbol < b.row.symbol;
  const auto va = sort_value(a.row, f.sort);
  const auto vb = sort_value(b.row, f.sort);
  if (va.has_value() != vb.has_value()) return va.has_value();
  if (va && *va != *vb) return f.descending ? *va > *vb : *va < *vb;
  return a.row.symbol < b.row.symbol;
}

}  // namespace

Result<ScannerFilter> parse_scanner_filter(const Query& query) {
  ScannerFilter f;
  if (const auto segment = query.text("segment")) {
    f.segment = parse_segment(*segment);
    if (!f.segment) return invalid_parameter("segment", "segment must be a Dhan segment name (NSE_FNO) or number");
  }
  if (const auto types = query.text("type")) f.types = split_upper(*types);
  if (const auto state = query.text("state")) {
    const auto parsed = parse_state(*state);
    if (!parsed) return invalid_parameter("state", "state must be ready, warming or signalled");
    f.state = *parsed;
  }
  f.strategy = query.text("strategy").value_or("");
  constexpr double kMaxPrice = 1e9;
  const auto min_price = query.number("min_price", 0, kMaxPrice);
  if (const auto* e = std::get_if<ApiError>(&min_price)) return *e;
  const auto max_price = query.number("max_price", 0, kMaxPrice);
  if (const auto* e = std::get_if<ApiError>(&max_price)) return *e;
  const auto near = query.number("near", -1000, 1000);
  if (const auto* e = std::get_if<ApiError>(&near)) return *e;
  f.min_price = std::get<0>(min_price);
  f.max_price = std::get<0>(max_price);
  f.near_pct = std::get<0>(near);
  f.text = upper(query.text("q").value_or(""));
  if (auto sort = query.text("sort")) {
    std::string_view name = *sort;
    f.descending = name.starts_with('-');
    if (f.descending) name.remove_prefix(1);
    const auto parsed = parse_sort(name);
    if (!parsed) return invalid_parameter("sort", "sort must be symbol, ltp, change_pct, day_volume, distance or last_signal");
    f.sort = *parsed;
  }
  const auto limit = query.integer("limit", 1, static_cast<std::int64_t>(kMaxScannerLimit));
  if (const auto* e = std::get_if<ApiError>(&limit)) return *e;
  if (std::get<0>(limit)) f.limit = static_cast<std::size_t>(*std::get<0>(limit));
  return f;
}

ScannerSelection select_rows(const std::vector<ScannerRow>& rows, const ScannerFilter& filter) {
  ScannerSelection out;
  for (const auto& row : rows) {
    if (matches(row, filter)) out.rows.push_back(&row);
  }
  out.total = out.rows.size();
  const auto keep = std::min(out.rows.size(), filter.limit);
  std::partial_sort(out.rows.begin(), out.rows.begin() + static_cast<std::ptrdiff_t>(keep), out.rows.end(),
                    [&](const ScannerRow* a, const ScannerRow* b) { return row_before(*a, *b, filter); });
  out.rows.resize(keep);
  return out;
}

}  // namespace fno::web
