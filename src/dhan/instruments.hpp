// instruments.hpp
//
// The instrument model: one `Instrument` per row of Dhan's instrument master,
// and `InstrumentTable`, the immutable, compact store of all of them.
//
// Storage is built for ~250k rows in a few tens of MB: fixed-size records
// (enums, numbers, string references) plus one string arena in fixed blocks
// where repeated values (underlyings) are interned. `Instrument` is a view
// materialised on access; its string_views live as long as the table.
// Keyed by (segment, security_id); lookups binary-search a sorted key index.
//
// Owns no I/O (parsing is in instruments_csv.hpp). A built table is immutable
// and safe to read from any thread; share it as shared_ptr<const ...>.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "market/calendar.hpp"
#include "market/instrument_key.hpp"

namespace fno::dhan {

enum class Exchange : std::uint8_t { kNse, kBse, kMcx };

// Dhan's SEM_INSTRUMENT_NAME values; kOther keeps rows of types we do not model.
enum class InstrumentType : std::uint8_t {
  kFutIdx,
  kFutStk,
  kOptIdx,
  kOptStk,
  kFutCom,
  kOptFut,
  kFutCur,
  kOptCur,
  kEquity,
  kIndex,
  kOther,
};

enum class OptionType : std::uint8_t { kNone, kCall, kPut };

std::string_view exchange_name(Exchange exchange);
std::string_view instrument_type_name(InstrumentType type);  // "FUTSTK", ...; "OTHER"
// Exact, case-sensitive master spelling; unknown names give kOther.
InstrumentType instrument_type_from_name(std::string_view name);
std::optional<InstrumentType> known_instrument_type(std::string_view name);  // nullopt for unknown
bool is_future(InstrumentType type);
bool is_option(InstrumentType type);
inline bool is_derivative(InstrumentType type) { return is_future(type) || is_option(type); }

// Underlying of a derivative trading symbol: everything before the trailing
// "-MonYYYY..." part (`BAJAJ-AUTO-Jan2026-FUT` -> `BAJAJ-AUTO`,
// `NIFTY-Oct2024-25800-CE` -> `NIFTY`). The symbol itself when it has none.
std::string_view underlying_from_symbol(std::string_view trading_symbol);

struct Instrument {
  market::InstrumentKey key;  // Dhan segment number + security id
  Exchange exchange = Exchange::kNse;
  InstrumentType type = InstrumentType::kOther;
  std::string_view trading_symbol;  // "NIFTY-Oct2024-25800-CE"
  std::string_view display_name;    // "NIFTY 24 OCT 25800 CALL"
  std::string_view underlying;      // "NIFTY"; the symbol itself for cash/index rows
  std::optional<std::chrono::year_month_day> expiry;  // derivatives only
  double strike = 0.0;                                // options only, rupees
  OptionType option_type = OptionType::kNone;
  std::uint32_t lot_size = 0;
  double tick_size = 0.0;  // rupees (the master states paise)
};

// Days since 1970-01-01 as stored; kNoExpiry when absent.
inline constexpr std::int32_t kNoExpiry = std::numeric_limits<std::int32_t>::min();

class InstrumentTable {
 public:
  InstrumentTable();
  ~InstrumentTable();
  InstrumentTable(InstrumentTable&&) noexcept;
  InstrumentTable& operator=(InstrumentTable&&) noexcept;

  std::size_t size() const { return records_.size(); }
  Instrument at(std::size_t index) const;
  std::optional<std::size_t> find(market::InstrumentKey key) const;
  // Expiry as days since epoch (kNoExpiry when none), without building a view.
  std::int32_t expiry_days(std::size_t index) const { return records_[index].expiry_days; }
  InstrumentType type(std::size_t index) const { return records_[index].type; }
  // Approximate resident heap bytes (records, arena, index; reserved-but-untouched capacity excluded).
  std::size_t memory_bytes() const;

 private:
  friend class InstrumentTableBuilder;
  struct StrRef {
    std::uint32_t offset = 0;
    std::uint8_t length = 0;
  };
  struct Record {
    std::uint32_t security_id;
    std::uint8_t segment;
    Exchange exchange;
    InstrumentType type;
    OptionType option_type;
    std::uint32_t symbol_offset, display_offset, underlying_offset;
    std::uint8_t symbol_length, display_length, underlying_length;
    std::int32_t expiry_days;
    std::uint32_t lot_size;
    double strike;
    double tick_size;
  };
  std::string_view view(std::uint32_t offset, std::uint8_t length) const;

  std::vector<Record> records_;                                     // master order
  std::vector<std::pair<market::InstrumentKey, std::uint32_t>> index_;  // sorted by key
  std::vector<std::unique_ptr<char[]>> blocks_;                     // string arena
};

// Fields of one row as the parser hands them over (strings are copied).
struct InstrumentRow {
  market::InstrumentKey key;
  Exchange exchange = Exchange::kNse;
  InstrumentType type = InstrumentType::kOther;
  std::string_view trading_symbol, display_name, underlying;
  std::int32_t expiry_days = kNoExpiry;
  double strike = 0.0;
  OptionType option_type = OptionType::kNone;
  std::uint32_t lot_size = 0;
  double tick_size = 0.0;
};

// Accumulates rows, then produces the table. Single-threaded.
class InstrumentTableBuilder {
 public:
  static constexpr std::size_t kMaxStringLength = 255;

  InstrumentTableBuilder();
  void reserve(std::size_t rows);
  // False (row not added) when a string exceeds kMaxStringLength.
  bool add(const InstrumentRow& row);
  // Sorts the key index; a repeated key keeps its first row and the others
  // are dropped and counted in `duplicates`.
  InstrumentTable build(std::size_t& duplicates) &&;

 private:
  InstrumentTable::StrRef store(std::string_view text);
  InstrumentTable::StrRef intern(std::string_view text);

  InstrumentTable table_;
  std::size_t block_used_;
  std::unordered_map<std::string_view, InstrumentTable::StrRef> interned_;
};

}  // namespace fno::dhan
