#include "sim/universe.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "dhan/codec.hpp"

namespace fno::sim {

namespace {

std::vector<std::string_view> split_csv_line(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      fields.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr != s.data();
}

// Dhan's (exchange, segment letter) -> feed segment.
std::optional<dhan::Segment> feed_segment(std::string_view exchange, std::string_view segment) {
  if (exchange == "NSE" && segment == "D") return dhan::Segment::kNseFno;
  if (exchange == "NSE" && segment == "E") return dhan::Segment::kNseEq;
  if (exchange == "BSE" && segment == "D") return dhan::Segment::kBseFno;
  if (exchange == "BSE" && segment == "E") return dhan::Segment::kBseEq;
  if (exchange == "MCX") return dhan::Segment::kMcxComm;
  if (segment == "I") return dhan::Segment::kIdxI;
  return std::nullopt;
}

constexpr std::string_view kHeader =
    "SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,SEM_TRADING_SYMBOL,"
    "SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE,"
    "SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME";

}  // namespace

std::vector<SimInstrument> parse_universe_csv(std::string_view csv) {
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  const auto lines = lines_of(csv);
  if (lines.empty()) throw std::invalid_argument("universe CSV is empty");
  const auto header = split_csv_line(lines.front());
  auto column = [&](std::string_view name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    throw std::invalid_argument("universe CSV lacks column " + std::string(name));
  };
  const std::size_t exch = column("SEM_EXM_EXCH_ID"), seg = column("SEM_SEGMENT"),
                    id = column("SEM_SMST_SECURITY_ID"), kind = column("SEM_INSTRUMENT_NAME"),
                    symbol = column("SEM_TRADING_SYMBOL"), lot = column("SEM_LOT_UNITS"),
                    tick = column("SEM_TICK_SIZE");
  const std::size_t needed = std::max({exch, seg, id, kind, symbol, lot, tick}) + 1;
  std::vector<SimInstrument> out;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto f = split_csv_line(lines[i]);
    if (f.size() < needed) continue;
    const auto segment = feed_segment(f[exch], f[seg]);
    SimInstrument inst;
    double lot_units = 0, tick_paise = 0;
    if (!segment || !parse_number(f[id], inst.key.security_id) || !parse_number(f[lot], lot_units) ||
        !parse_number(f[tick], tick_paise) || tick_paise <= 0) {
      continue;
    }
    inst.key.segment = static_cast<std::uint8_t>(*segment);
    inst.symbol = std::string(f[symbol]);
    inst.instrument = std::string(f[kind]);
    inst.tick_size = tick_paise / 100.0;
    inst.lot_size = static_cast<int>(std::lround(lot_units));
    out.push_back(std::move(inst));
  }
  return out;
}

const std::vector<SimInstrument>& default_universe() {
  static const std::vector<SimInstrument> universe = parse_universe_csv(default_universe_csv());
  return universe;
}

std::string to_master_csv(const std::vector<SimInstrument>& instruments) {
  std::string out(kHeader);
  out += '\n';
  for (const auto& inst : instruments) {
    const bool derivative = inst.key.segment == static_cast<std::uint8_t>(dhan::Segment::kNseFno);
    out += derivative ? "NSE,D," : "NSE,E,";
    out += std::to_string(inst.key.security_id) + "," + inst.instrument + ",0," + inst.symbol + "," +
           std::to_string(inst.lot_size) + "," + inst.symbol + ",,-0.01,XX," +
           std::to_string(std::lround(inst.tick_size * 100)) + ",M,FUT,,\n";
  }
  return out;
}

}  // namespace fno::sim
