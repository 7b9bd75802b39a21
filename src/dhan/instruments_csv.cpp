#include "dhan/instruments_csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "dhan/codec.hpp"

namespace fno::dhan {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;  // also the longest record accepted
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kTestMarker = "NSETEST";

// ---------------------------------------------------------------------------
// RFC-4180 record reader over a bounded, refilled buffer. Fields are views
// into the buffer (quoted fields are unescaped in place), valid until next().

using Source = std::function<std::size_t(char*, std::size_t)>;

class CsvReader {
 public:
  explicit CsvReader(Source source) : source_(std::move(source)), buffer_(kChunkBytes) {}

  // Fills `fields` with the next non-blank record; false at end of input.
  // `too_long` counts records over kChunkBytes, which are skipped.
  bool next(std::vector<std::string_view>& fields, std::size_t& too_long) {
    while (true) {
      const std::optional<std::size_t> end = find_record_end();
      if (!end) {
        if (begin_ == end_) return false;
        if (end_ - begin_ == buffer_.size()) {  // one record fills the whole buffer
          ++too_long;
          skip_line();
          continue;
        }
      }
      const std::size_t stop = end.value_or(end_);
      char* first = buffer_.data() + begin_;
      char* last = buffer_.data() + stop;
      begin_ = end ? stop + 1 : end_;
      if (last > first && last[-1] == '\r') --last;
      if (last == first) continue;  // blank line
      split(first, last, fields);
      return true;
    }
  }

 private:
  // Index of the '\n' ending the record at begin_, refilling as needed;
  // nullopt at end of input (record runs to end_) or when the buffer is full.
  std::optional<std::size_t> find_record_end() {
    std::size_t scanned = begin_;
    bool in_quotes = false;
    while (true) {
      for (; scanned < end_; ++scanned) {
        const char c = buffer_[scanned];
        if (c == '"') {
          in_quotes = !in_quotes;
        } else if (c == '\n' && !in_quotes) {
          return scanned;
        } else if (!in_quotes) {
          // Fast path: jump to the next quote or newline.
          const char* from = buffer_.data() + scanned;
          const void* nl = std::memchr(from, '\n', end_ - scanned);
          const std::size_t limit = nl ? static_cast<const char*>(nl) - buffer_.data() : end_;
          const void* quote = std::memchr(from, '"', limit - scanned);
          if (!quote) {
            if (nl) return limit;
            scanned = end_ - 1;
          } else {
            scanned = static_cast<const char*>(quote) - buffer_.data() - 1;
          }
        }
      }
      const std::size_t consumed = begin_;
      if (!refill()) return std::nullopt;
      scanned -= consumed;
    }
  }

  // Moves the unread tail to the front and reads more; false when nothing was added.
  bool refill() {
    if (eof_) return false;
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (end_ == buffer_.size()) return false;
    const std::size_t got = source_(buffer_.data() + end_, buffer_.size() - end_);
    if (got == 0) eof_ = true;
    end_ += got;
    return got > 0;
  }

  // Drops input up to and including the next '\n', ignoring quotes (resync).
  void skip_line() {
    while (true) {
      const char* from = buffer_.data() + begin_;
      if (const void* nl = std::memchr(from, '\n', end_ - begin_)) {
        begin_ = static_cast<const char*>(nl) - buffer_.data() + 1;
        return;
      }
      begin_ = end_;
      if (!refill()) return;
    }
  }

  static void split(char* p, char* end, std::vector<std::string_view>& fields) {
    fields.clear();
    while (true) {
      char* start = p;
      if (p < end && *p == '"') {
        char* out = p;
        char* in = p + 1;
        while (in < end) {
          if (*in == '"') {
            if (in + 1 < end && in[1] == '"') {
              *out++ = '"';
              in += 2;
              continue;
            }
            ++in;
            break;
          }
          *out++ = *in++;
        }
        while (in < end && *in != ',') *out++ = *in++;  // tolerate text after the closing quote
        fields.emplace_back(start, out - start);
        p = in;
      } else {
        char* comma = static_cast<char*>(std::memchr(p, ',', end - p));
        p = comma ? comma : end;
        fields.emplace_back(start, p - start);
      }
      if (p >= end) return;
      ++p;  // the comma
    }
  }

  Source source_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
};

// ---------------------------------------------------------------------------
// Header: logical columns and their names in the compact / detailed files.

enum Column : std::size_t {
  kExchange,
  kSegment,
  kSecurityId,
  kInstrument,
  kSymbol,
  kDisplay,
  kLot,
  kExpiry,
  kStrike,
  kOptionType,
  kTick,
  kUnderlying,  // detailed file only
  kColumnCount,
};

struct ColumnSpec {
  std::string_view compact;
  std::string_view detailed;
  bool required;
};

constexpr std::array<ColumnSpec, kColumnCount> kColumns{{
    {"SEM_EXM_EXCH_ID", "EXCH_ID", true},
    {"SEM_SEGMENT", "SEGMENT", true},
    {"SEM_SMST_SECURITY_ID", "SECURITY_ID", true},
    {"SEM_INSTRUMENT_NAME", "INSTRUMENT", true},
    {"SEM_TRADING_SYMBOL", "SYMBOL_NAME", true},
    {"SEM_CUSTOM_SYMBOL", "DISPLAY_NAME", true},
    {"SEM_LOT_UNITS", "LOT_SIZE", true},
    {"SEM_EXPIRY_DATE", "SM_EXPIRY_DATE", true},
    {"SEM_STRIKE_PRICE", "STRIKE_PRICE", true},
    {"SEM_OPTION_TYPE", "OPTION_TYPE", true},
    {"SEM_TICK_SIZE", "TICK_SIZE", true},
    {"", "UNDERLYING_SYMBOL", false},
}};

constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::array<std::size_t, kColumnCount> map_header(std::vector<std::string_view> header) {
  if (!header.empty() && header[0].starts_with(kBom)) header[0].remove_prefix(kBom.size());
  std::array<std::size_t, kColumnCount> at{};
  at.fill(kAbsent);
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string_view name = trim(header[i]);
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      if (at[c] == kAbsent && !name.empty() && (name == kColumns[c].compact || name == kColumns[c].detailed)) {
        at[c] = i;
      }
    }
  }
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    if (kColumns[c].required && at[c] == kAbsent) {
      throw MasterFormatError(fmt::format("instrument master: required column {} (detailed file: {}) is missing",
                                          kColumns[c].compact, kColumns[c].detailed));
    }
  }
  return at;
}

// ---------------------------------------------------------------------------
// Field conversions. Each returns nullopt for a malformed value.

std::optional<Segment> segment_of(std::string_view exchange, std::string_view segment) {
  if (segment.size() != 1) return std::nullopt;
  const char s = segment[0];
  if (s == 'I' && (exchange == "NSE" || exchange == "BSE")) return Segment::kIdxI;
  if (exchange == "NSE") {
    if (s == 'E') return Segment::kNseEq;
    if (s == 'D') return Segment::kNseFno;
    if (s == 'C') return Segment::kNseCurrency;
  } else if (exchange == "BSE") {
    if (s == 'E') return Segment::kBseEq;
    if (s == 'D') return Segment::kBseFno;
    if (s == 'C') return Segment::kBseCurrency;
  } else if (exchange == "MCX" && s == 'M') {
    return Segment::kMcxComm;
  }
  return std::nullopt;
}

std::optional<Exchange> exchange_of(std::string_view name) {
  if (name == "NSE") return Exchange::kNse;
  if (name == "BSE") return Exchange::kBse;
  if (name == "MCX") return Exchange::kMcx;
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::uint32_t> parse_uint(std::string_view text) {
  text = trim(text);
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "25", "25.0", "25.00000" -> 25; fractional or negative -> nullopt.
std::optional<std::uint32_t> parse_count(std::string_view text) {
  const auto value = parse_number(text);
  if (!value || *value < 0 || *value > 4e9 || std::floor(*value) != *value) return std::nullopt;
  return static_cast<std::uint32_t>(*value);
}

std::optional<int> digits(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Days since epoch; kNoExpiry for empty/0001-01-01; nullopt when malformed.
std::optional<std::int32_t> parse_expiry(std::string_view text) {
  text = trim(text);
  text = text.substr(0, text.find(' '));  // the time of day does not matter
  if (text.empty()) return kNoExpiry;
  std::optional<int> y, m, d;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {  // 2026-01-27
    y = digits(text.substr(0, 4)), m = digits(text.substr(5, 2)), d = digits(text.substr(8, 2));
  } else if (text.size() == 10 && text[2] == text[5] && (text[2] == '-' || text[2] == '/')) {  // 27-01-2026
    d = digits(text.substr(0, 2)), m = digits(text.substr(3, 2)), y = digits(text.substr(6, 4));
  } else if (text.size() == 8 && text[2] == '/' && text[5] == '/') {  // 27/11/36 (Excel short year)
    d = digits(text.substr(0, 2)), m = digits(text.substr(3, 2)), y = digits(text.substr(6, 2));
    if (y) *y += 2000;
  }
  if (!y || !m || !d) return std::nullopt;
  if (*y == 1) return kNoExpiry;  // Dhan's "no expiry" sentinel
  const std::chrono::year_month_day date{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                         std::chrono::day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return static_cast<std::int32_t>(std::chrono::sys_days{date}.time_since_epoch().count());
}

// ---------------------------------------------------------------------------
// One data row -> InstrumentRow, or the reason it is rejected.

struct RowResult {
  InstrumentRow row;
  const char* reject = nullptr;  // reason; nullptr when accepted
  bool test_contract = false;
};

class RowConverter {
 public:
  explicit RowConverter(const std::array<std::size_t, kColumnCount>& at) : at_(at) {}

  RowResult convert(const std::vector<std::string_view>& f) const {
    RowResult r;
    const auto get = [&](Column c) {
      return at_[c] < f.size() ? trim(f[at_[c]]) : std::string_view{};  // missing trailing fields are empty
    };
    const std::string_view exchange_text = get(kExchange);
    const auto exchange = exchange_of(exchange_text);
    const auto segment = segment_of(exchange_text, get(kSegment));
    if (!exchange || !segment) return reject(r, "unknown_segment");
    const auto security_id = parse_uint(get(kSecurityId));
    if (!security_id) return reject(r, "bad_security_id");
    InstrumentRow& row = r.row;
    row.key = {static_cast<std::uint8_t>(*segment), *security_id};
    row.exchange = *exchange;
    row.type = instrument_type_from_name(get(kInstrument));
    const std::string_view underlying_column = get(kUnderlying);
    // The detailed file puts the company name in SYMBOL_NAME for cash rows and the ticker in UNDERLYING_SYMBOL.
    row.trading_symbol = !is_derivative(row.type) && !underlying_column.empty() ? underlying_column : get(kSymbol);
    if (row.trading_symbol.empty()) return reject(r, "empty_symbol");
    row.display_name = get(kDisplay).empty() ? row.trading_symbol : get(kDisplay);
    row.underlying = underlying_column.empty() ? underlying_from_symbol(row.trading_symbol) : underlying_column;
    if (row.trading_symbol.find(kTestMarker) != std::string_view::npos ||
        row.underlying.find(kTestMarker) != std::string_view::npos) {
      r.test_contract = true;
      return r;
    }
    if (const char* reason = fill_numbers(row, get)) return reject(r, reason);
    return r;
  }

 private:
  static RowResult& reject(RowResult& r, const char* reason) {
    r.reject = reason;
    return r;
  }

  template <typename Get>
  static const char* fill_numbers(InstrumentRow& row, const Get& get) {
    const std::string_view lot_text = get(kLot);
    const auto lot = lot_text.empty() ? std::optional<std::uint32_t>{0} : parse_count(lot_text);
    if (!lot || (is_derivative(row.type) && *lot == 0)) return "bad_lot_size";
    row.lot_size = *lot;
    const std::string_view tick_text = get(kTick);
    const auto tick_paise = tick_text.empty() ? std::optional<double>{0.0} : parse_number(tick_text);
    if (!tick_paise || *tick_paise < 0) return "bad_tick_size";
    row.tick_size = *tick_paise / 100.0;
    if (is_derivative(row.type)) {
      const auto expiry = parse_expiry(get(kExpiry));
      if (!expiry || *expiry == kNoExpiry) return "bad_expiry";
      row.expiry_days = *expiry;
    }
    if (is_option(row.type)) {
      const std::string_view option = get(kOptionType);
      if (option != "CE" && option != "PE") return "bad_option_type";
      row.option_type = option == "CE" ? OptionType::kCall : OptionType::kPut;
      const auto strike = parse_number(get(kStrike));
      if (!strike || *strike <= 0) return "bad_strike";
      row.strike = *strike;
    }
    return nullptr;
  }

  std::array<std::size_t, kColumnCount> at_;
};

ParsedMaster parse(Source source, std::size_t size_hint) {
  CsvReader reader(std::move(source));
  std::vector<std::string_view> fields;
  fields.reserve(64);
  ParsedMaster out;
  MasterParseReport& report = out.report;
  std::size_t too_long = 0;
  if (!reader.next(fields, too_long)) throw MasterFormatError("instrument master: the file is empty (no header)");
  const RowConverter converter(map_header(fields));
  const std::size_t header_fields = fields.size();

  InstrumentTableBuilder builder;
  builder.reserve(size_hint / 64 + 16);  // untouched capacity is never resident
  while (reader.next(fields, too_long)) {
    ++report.rows;
    if (fields.size() > header_fields) {
      ++report.rejected["too_many_fields"];
      continue;
    }
    const RowResult r = converter.convert(fields);
    if (r.test_contract) {
      ++report.test_contracts;
    } else if (r.reject) {
      ++report.rejected[r.reject];
    } else if (!builder.add(r.row)) {
      ++report.rejected["field_too_long"];
    }
  }
  if (too_long > 0) {
    report.rows += too_long;
    report.rejected["record_too_long"] += too_long;
  }
  std::size_t duplicates = 0;
  out.table = std::move(builder).build(duplicates);
  if (duplicates > 0) report.rejected["duplicate_key"] += duplicates;
  report.accepted = out.table.size();
  return out;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::size_t MasterParseReport::rejected_total() const {
  std::size_t total = 0;
  for (const auto& [reason, count] : rejected) total += count;
  return total;
}

std::string MasterParseReport::summary() const {
  std::string text = fmt::format("{} rows, {} accepted, {} test contracts excluded", rows, accepted, test_contracts);
  if (!rejected.empty()) {
    text += ", rejected:";
    for (const auto& [reason, count] : rejected) text += fmt::format(" {}={}", reason, count);
  }
  return text;
}

ParsedMaster parse_master_file(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  std::FILE* raw = file.get();
  return parse([raw](char* buf, std::size_t n) { return std::fread(buf, 1, n, raw); }, ec ? 0 : size);
}

ParsedMaster parse_master_text(std::string_view csv) {
  return parse(
      [&csv](char* buf, std::size_t n) {
        const std::size_t take = std::min(n, csv.size());
        if (take == 0) return take;  // memcpy from an empty view's null data() is UB even for 0 bytes
        std::memcpy(buf, csv.data(), take);
        csv.remove_prefix(take);
        return take;
      },
      csv.size());
}

}  // namespace fno::dhan
