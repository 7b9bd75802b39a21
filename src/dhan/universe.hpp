// universe.hpp
//
// Chooses which instruments the scanner subscribes to, from the instrument
// table and the `universe` config section. Default: NSE_FNO near-month
// FUTSTK + FUTIDX, one contract per underlying, rolling to the next expiry
// after 15:30 IST on expiry day. Options: underlyings, instrument types,
// expiries (`near`, `next`, `YYYY-MM-DD`), ATM ± N strikes (re-centred with
// add/remove deltas when the underlying moves by a strike or more), minimum
// lot size / price, explicit security ids; watchlists add instruments.
// Never more than 25,000 instruments (5 connections × 5,000).
//
// Pure: time ("now", IST seconds) and prices are inputs; no I/O, no clock.
// Not thread-safe; owned by the thread that manages subscriptions.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "dhan/instruments.hpp"
#include "market/calendar.hpp"
#include "market/instrument_key.hpp"

namespace fno::dhan {

inline constexpr std::size_t kMaxUniverseSize = 25'000;  // 5 connections × 5,000 instruments

// Invalid `universe` config; what() names the key.
class UniverseConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Selection over the limit; what() lists the counts.
class UniverseLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ExpiryChoice {
  enum class Kind : std::uint8_t { kNear, kNext, kDate };
  Kind kind = Kind::kNear;
  std::chrono::year_month_day date{};  // kDate only
};

struct UniverseConfig {
  std::uint8_t segment = 2;                 // NSE_FNO
  std::set<std::string> underlyings;        // empty = all
  std::set<InstrumentType> types{InstrumentType::kFutStk, InstrumentType::kFutIdx};
  std::vector<ExpiryChoice> expiries{ExpiryChoice{}};  // default: near
  std::optional<int> atm_strikes;           // options: ATM ± N; unset = every strike
  std::uint32_t min_lot_size = 0;
  double min_price = 0.0;                   // applied in select() to instruments with a known price
  std::vector<market::InstrumentKey> security_ids;  // always included
};

// Validates the `universe` section. Unknown keys are reported in `warnings`.
UniverseConfig parse_universe_config(const boost::json::object& section, std::vector<std::string>& warnings);

// Latest prices known at selection time (both may be empty at startup).
struct UniversePrices {
  std::unordered_map<std::string, double> underlying;           // "NIFTY" -> spot/LTP
  std::unordered_map<market::InstrumentKey, double> instrument;  // for min_price
};

struct UniverseDelta {
  std::vector<market::InstrumentKey> added;
  std::vector<market::InstrumentKey> removed;
  bool empty() const { return added.empty() && removed.empty(); }
};

class UniverseSelector {
 public:
  UniverseSelector(std::shared_ptr<const InstrumentTable> table, UniverseConfig config);

  // Full selection at `now`. Throws UniverseLimitError above kMaxUniverseSize.
  // Options of underlyings without a price are left out until one arrives.
  std::vector<market::InstrumentKey> select(market::IstSeconds now, const UniversePrices& prices,
                                            const std::vector<market::InstrumentKey>& watchlist = {});

  // A new price for an underlying: re-centres its ATM ± N option chains when
  // the price is a strike or more away from the current centre (or when it
  // had no centre yet). Returns what to subscribe/unsubscribe; empty otherwise.
  UniverseDelta on_underlying_price(const std::string& underlying, double price);

  const std::set<market::InstrumentKey>& selected() const { return selected_; }
  // Explicit ids / watchlist entries that are not in the instrument table.
  const std::vector<market::InstrumentKey>& unknown_keys() const { return unknown_; }

 private:
  // One option chain: same underlying, type, expiry and CE/PE; sorted by strike.
  struct Chain {
    std::vector<std::pair<double, std::uint32_t>> strikes;
  };
  struct Centre {
    double strike = 0.0;
    double step = 0.0;
  };

  bool passes_filters(const Instrument& instrument, market::IstSeconds now, const UniversePrices& prices) const;
  static Centre centre_of(const Chain& chain, double price);
  std::set<market::InstrumentKey> chain_selection(const std::vector<Chain>& chains, double price) const;
  void check_limit(const std::set<market::InstrumentKey>& keys) const;

  std::shared_ptr<const InstrumentTable> table_;
  UniverseConfig config_;
  std::map<std::string, std::vector<Chain>> chains_;  // ATM mode only, by underlying
  std::map<std::string, Centre> centres_;
  std::set<market::InstrumentKey> pinned_;  // explicit ids, watchlists, non-ATM picks
  std::set<market::InstrumentKey> selected_;
  std::vector<market::InstrumentKey> unknown_;
};

}  // namespace fno::dhan
