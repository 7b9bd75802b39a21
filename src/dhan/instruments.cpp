#include "dhan/instruments.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace fno::dhan {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{1} << 16;

struct TypeName {
  InstrumentType type;
  std::string_view name;
};
constexpr std::array<TypeName, 10> kTypeNames{{
    {InstrumentType::kFutIdx, "FUTIDX"},
    {InstrumentType::kFutStk, "FUTSTK"},
    {InstrumentType::kOptIdx, "OPTIDX"},
    {InstrumentType::kOptStk, "OPTSTK"},
    {InstrumentType::kFutCom, "FUTCOM"},
    {InstrumentType::kOptFut, "OPTFUT"},
    {InstrumentType::kFutCur, "FUTCUR"},
    {InstrumentType::kOptCur, "OPTCUR"},
    {InstrumentType::kEquity, "EQUITY"},
    {InstrumentType::kIndex, "INDEX"},
}};

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// True when `text` starts with "-MonYYYY" followed by '-' or the end.
bool is_expiry_part(std::string_view text) {
  if (text.size() < 8 || text[0] != '-') return false;
  if (std::find(kMonths.begin(), kMonths.end(), text.substr(1, 3)) == kMonths.end()) return false;
  for (std::size_t i = 4; i < 8; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return text.size() == 8 || text[8] == '-';
}

}  // namespace

std::string_view exchange_name(Exchange exchange) {
  switch (exchange) {
    case Exchange::kNse:
      return "NSE";
    case Exchange::kBse:
      return "BSE";
    case Exchange::kMcx:
      return "MCX";
  }
  return "";
}

std::string_view instrument_type_name(InstrumentType type) {
  for (const auto& entry : kTypeNames) {
    if (entry.type == type) return entry.name;
  }
  return "OTHER";
}

std::optional<InstrumentType> known_instrument_type(std::string_view name) {
  for (const auto& entry : kTypeNames) {
    if (entry.name == name) return entry.type;
  }
  return std::nullopt;
}

InstrumentType instrument_type_from_name(std::string_view name) {
  return known_instrument_type(name).value_or(InstrumentType::kOther);
}

bool is_future(InstrumentType type) {
  return type == InstrumentType::kFutIdx || type == InstrumentType::kFutStk || type == InstrumentType::kFutCom ||
         type == InstrumentType::kFutCur;
}

bool is_option(InstrumentType type) {
  return type == InstrumentType::kOptIdx || type == InstrumentType::kOptStk || type == InstrumentType::kOptFut ||
         type == InstrumentType::kOptCur;
}

std::string_view underlying_from_symbol(std::string_view trading_symbol) {
  // Search from the right: the underlying itself may contain '-' (BAJAJ-AUTO).
  for (std::size_t pos = trading_symbol.rfind('-'); pos != std::string_view::npos && pos > 0;
       pos = trading_symbol.rfind('-', pos - 1)) {
    if (is_expiry_part(trading_symbol.substr(pos))) return trading_symbol.substr(0, pos);
  }
  return trading_symbol;
}

InstrumentTable::InstrumentTable() = default;
InstrumentTable::~InstrumentTable() = default;
InstrumentTable::InstrumentTable(InstrumentTable&&) noexcept = default;
InstrumentTable& InstrumentTable::operator=(InstrumentTable&&) noexcept = default;

std::string_view InstrumentTable::view(std::uint32_t offset, std::uint8_t length) const {
  return {blocks_[offset / kBlockBytes].get() + offset % kBlockBytes, length};
}

Instrument InstrumentTable::at(std::size_t index) const {
  const Record& r = records_[index];
  Instrument out;
  out.key = {r.segment, r.security_id};
  out.exchange = r.exchange;
  out.type = r.type;
  out.trading_symbol = view(r.symbol_offset, r.symbol_length);
  out.display_name = view(r.display_offset, r.display_length);
  out.underlying = view(r.underlying_offset, r.underlying_length);
  if (r.expiry_days != kNoExpiry) {
    out.expiry = std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{r.expiry_days}}};
  }
  out.strike = r.strike;
  out.option_type = r.option_type;
  out.lot_size = r.lot_size;
  out.tick_size = r.tick_size;
  return out;
}

std::optional<std::size_t> InstrumentTable::find(market::InstrumentKey key) const {
  const auto it = std::lower_bound(index_.begin(), index_.end(), key,
                                   [](const auto& entry, const market::InstrumentKey& k) { return entry.first < k; });
  if (it == index_.end() || it->first != key) return std::nullopt;
  return it->second;
}

std::size_t InstrumentTable::memory_bytes() const {
  return records_.size() * sizeof(Record) + index_.size() * sizeof(index_[0]) +
         blocks_.size() * kBlockBytes;
}

InstrumentTableBuilder::InstrumentTableBuilder() : block_used_(kBlockBytes) {}

void InstrumentTableBuilder::reserve(std::size_t rows) { table_.records_.reserve(rows); }

InstrumentTable::StrRef InstrumentTableBuilder::store(std::string_view text) {
  if (block_used_ + text.size() > kBlockBytes) {
    table_.blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    block_used_ = 0;
  }
  const std::size_t block = table_.blocks_.size() - 1;
  std::memcpy(table_.blocks_[block].get() + block_used_, text.data(), text.size());
  InstrumentTable::StrRef ref{static_cast<std::uint32_t>(block * kBlockBytes + block_used_),
                              static_cast<std::uint8_t>(text.size())};
  block_used_ += text.size();
  return ref;
}

InstrumentTable::StrRef InstrumentTableBuilder::intern(std::string_view text) {
  if (const auto it = interned_.find(text); it != interned_.end()) return it->second;
  const InstrumentTable::StrRef ref = store(text);
  interned_.emplace(table_.view(ref.offset, ref.length), ref);
  return ref;
}

bool InstrumentTableBuilder::add(const InstrumentRow& row) {
  for (const std::string_view text : {row.trading_symbol, row.display_name, row.underlying}) {
    if (text.size() > kMaxStringLength) return false;
  }
  const auto symbol = store(row.trading_symbol);
  // Display names repeat the symbol for cash rows; the underlying repeats across a chain.
  const auto display = row.display_name == row.trading_symbol ? symbol : store(row.display_name);
  const auto underlying = row.underlying == row.trading_symbol ? symbol : intern(row.underlying);
  table_.records_.push_back(InstrumentTable::Record{
      row.key.security_id, row.key.segment, row.exchange, row.type, row.option_type, symbol.offset,
      display.offset, underlying.offset, symbol.length, display.length, underlying.length, row.expiry_days,
      row.lot_size, row.strike, row.tick_size});
  return true;
}

InstrumentTable InstrumentTableBuilder::build(std::size_t& duplicates) && {
  auto& records = table_.records_;
  auto& index = table_.index_;
  index.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    index.emplace_back(market::InstrumentKey{records[i].segment, records[i].security_id},
                       static_cast<std::uint32_t>(i));
  }
  std::sort(index.begin(), index.end());
  duplicates = 0;
  std::vector<bool> dropped(records.size(), false);
  for (std::size_t i = 1; i < index.size(); ++i) {
    if (index[i].first == index[i - 1].first) {
      dropped[index[i].second] = true;  // sorted by (key, row): the first row stays
      ++duplicates;
    }
  }
  if (duplicates > 0) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (!dropped[i]) records[kept++] = records[i];
    }
    records.resize(kept);
    index.clear();
    for (std::size_t i = 0; i < records.size(); ++i) {
      index.emplace_back(market::InstrumentKey{records[i].segment, records[i].security_id},
                         static_cast<std::uint32_t>(i));
    }
    std::sort(index.begin(), index.end());
  }
  interned_.clear();
  return std::move(table_);
}

}  // namespace fno::dhan
