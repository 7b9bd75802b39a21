#include "dhan/universe.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <tuple>
#include <utility>

#include "dhan/codec.hpp"

namespace fno::dhan {
namespace {

namespace json = boost::json;

constexpr int kMaxAtmStrikes = 50;
constexpr market::IstSeconds kExpiryCutoff = 15 * 3600 + 30 * 60;  // contracts trade until 15:30 IST

[[noreturn]] void fail(std::string_view key, std::string_view what, const json::value& got) {
  throw UniverseConfigError(fmt::format("universe.{} must be {}, got {}", key, what, json::serialize(got)));
}

const json::array& as_array(std::string_view key, const json::value& v, std::string_view what) {
  if (!v.is_array()) fail(key, what, v);
  return v.get_array();
}

std::string_view as_string(std::string_view key, const json::value& v, std::string_view what) {
  if (!v.is_string() || v.get_string().empty()) fail(key, what, v);
  return v.get_string();
}

std::int64_t as_integer(std::string_view key, const json::value& v, std::int64_t lo, std::int64_t hi) {
  const std::string what = fmt::format("an integer in [{}, {}]", lo, hi);
  if (!v.is_int64() && !v.is_uint64()) fail(key, what, v);
  const std::int64_t n = v.is_int64() ? v.get_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(
                                                            v.get_uint64(), std::numeric_limits<std::int64_t>::max()));
  if (n < lo || n > hi) fail(key, what, v);
  return n;
}

ExpiryChoice parse_expiry_choice(const json::value& v) {
  constexpr std::string_view kWhat = "a list of \"near\", \"next\" or \"YYYY-MM-DD\"";
  const std::string_view text = as_string("expiries", v, kWhat);
  if (text == "near") return {ExpiryChoice::Kind::kNear, {}};
  if (text == "next") return {ExpiryChoice::Kind::kNext, {}};
  const auto date = market::parse_date(text);
  if (!date) fail("expiries", kWhat, v);
  return {ExpiryChoice::Kind::kDate, *date};
}

// 49229 (in the configured segment) or "IDX_I:13".
market::InstrumentKey parse_security_id(const json::value& v, std::uint8_t segment) {
  constexpr std::string_view kWhat = "a list of security ids (49229 or \"NSE_FNO:49229\")";
  if (v.is_int64() || v.is_uint64()) {
    return {segment, static_cast<std::uint32_t>(as_integer("security_ids", v, 1, 0xFFFFFFFFLL))};
  }
  const std::string_view text = as_string("security_ids", v, kWhat);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) fail("security_ids", kWhat, v);
  const auto named = segment_from_name(text.substr(0, colon));
  std::uint32_t id = 0;
  const std::string_view digits = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (!named || ec != std::errc{} || end != digits.data() + digits.size() || id == 0) fail("security_ids", kWhat, v);
  return {static_cast<std::uint8_t>(*named), id};
}

bool expiry_live(std::int32_t expiry_days, market::IstSeconds now) {
  return std::int64_t{expiry_days} * market::kSecondsPerDay + kExpiryCutoff > now;
}

std::int32_t days_of(std::chrono::year_month_day date) {
  return static_cast<std::int32_t>(std::chrono::sys_days{date}.time_since_epoch().count());
}

using Strikes = std::vector<std::pair<double, std::uint32_t>>;

// Index of the strike nearest to `price` in a non-empty, sorted chain.
std::ptrdiff_t atm_index(const Strikes& s, double price) {
  auto it = std::lower_bound(s.begin(), s.end(), std::make_pair(price, std::uint32_t{0}));
  if (it == s.end() || (it != s.begin() && price - std::prev(it)->first < it->first - price)) --it;
  return std::distance(s.begin(), it);
}

}  // namespace

UniverseConfig parse_universe_config(const json::object& section, std::vector<std::string>& warnings) {
  UniverseConfig c;
  if (const auto* v = section.if_contains("segment")) {
    const auto named = segment_from_name(as_string("segment", *v, "a segment name such as \"NSE_FNO\""));
    if (!named) fail("segment", "a segment name such as \"NSE_FNO\"", *v);
    c.segment = static_cast<std::uint8_t>(*named);
  }
  for (const auto& [key, value] : section) {
    if (key == "segment") continue;
    if (key == "underlyings") {
      c.underlyings.clear();
      for (const auto& u : as_array(key, value, "a list of underlying symbols")) {
        c.underlyings.emplace(as_string(key, u, "a list of underlying symbols"));
      }
    } else if (key == "instrument_types") {
      constexpr std::string_view kWhat = "a non-empty list of FUTSTK, FUTIDX, OPTSTK, OPTIDX, FUTCOM, OPTFUT, ...";
      const auto& list = as_array(key, value, kWhat);
      if (list.empty()) fail(key, kWhat, value);
      c.types.clear();
      for (const auto& t : list) {
        const auto type = known_instrument_type(as_string(key, t, kWhat));
        if (!type) fail(key, kWhat, t);
        c.types.insert(*type);
      }
    } else if (key == "expiries") {
      const auto& list = as_array(key, value, "a non-empty list of \"near\", \"next\" or \"YYYY-MM-DD\"");
      if (list.empty()) fail(key, "a non-empty list of \"near\", \"next\" or \"YYYY-MM-DD\"", value);
      c.expiries.clear();
      for (const auto& e : list) c.expiries.push_back(parse_expiry_choice(e));
    } else if (key == "atm_strikes") {
      c.atm_strikes = static_cast<int>(as_integer(key, value, 0, kMaxAtmStrikes));
    } else if (key == "min_lot_size") {
      c.min_lot_size = static_cast<std::uint32_t>(as_integer(key, value, 0, 1'000'000'000));
    } else if (key == "min_price") {
      if (!value.is_number() || value.to_number<double>() < 0) fail(key, "a number >= 0", value);
      c.min_price = value.to_number<double>();
    } else if (key == "security_ids") {
      for (const auto& id : as_array(key, value, "a list of security ids")) {
        c.security_ids.push_back(parse_security_id(id, c.segment));
      }
    } else {
      warnings.push_back(fmt::format("universe.{} is not a known key (ignored)", std::string_view(key)));
    }
  }
  return c;
}

UniverseSelector::UniverseSelector(std::shared_ptr<const InstrumentTable> table, UniverseConfig config)
    : table_(std::move(table)), config_(std::move(config)) {}

bool UniverseSelector::passes_filters(const Instrument& in, market::IstSeconds now,
                                      const UniversePrices& prices) const {
  if (in.key.segment != config_.segment || !config_.types.contains(in.type)) return false;
  if (in.lot_size < config_.min_lot_size) return false;
  if (!config_.underlyings.empty() && !config_.underlyings.contains(std::string(in.underlying))) return false;
  if (in.expiry && !expiry_live(days_of(*in.expiry), now)) return false;
  const auto price = prices.instrument.find(in.key);
  return price == prices.instrument.end() || price->second >= config_.min_price;
}

std::vector<market::InstrumentKey> UniverseSelector::select(market::IstSeconds now, const UniversePrices& prices,
                                                            const std::vector<market::InstrumentKey>& watchlist) {
  // (underlying, type) -> candidate rows; expiries are picked per group.
  std::map<std::pair<std::string_view, InstrumentType>, std::vector<std::uint32_t>> groups;
  for (std::uint32_t i = 0; i < table_->size(); ++i) {
    if (!config_.types.contains(table_->type(i))) continue;
    const Instrument in = table_->at(i);
    if (passes_filters(in, now, prices)) groups[{in.underlying, in.type}].push_back(i);
  }
  std::set<market::InstrumentKey> pinned;
  std::map<std::string, std::map<std::tuple<InstrumentType, std::int32_t, OptionType>, Chain>> chains;
  for (const auto& [group, rows] : groups) {
    std::set<std::int32_t> expiries;
    for (const auto row : rows) expiries.insert(table_->expiry_days(row));
    std::set<std::int32_t> wanted;
    for (const ExpiryChoice& choice : config_.expiries) {
      const std::size_t rank = choice.kind == ExpiryChoice::Kind::kNext ? 1 : 0;
      if (choice.kind == ExpiryChoice::Kind::kDate) {
        wanted.insert(days_of(choice.date));
      } else if (expiries.size() > rank) {
        wanted.insert(*std::next(expiries.begin(), static_cast<std::ptrdiff_t>(rank)));
      }
    }
    for (const auto row : rows) {
      if (!wanted.contains(table_->expiry_days(row))) continue;
      const Instrument in = table_->at(row);
      if (is_option(in.type) && config_.atm_strikes) {
        chains[std::string(in.underlying)][{in.type, table_->expiry_days(row), in.option_type}].strikes.emplace_back(
            in.strike, row);
      } else {
        pinned.insert(in.key);
      }
    }
  }
  std::vector<market::InstrumentKey> unknown;
  for (const std::vector<market::InstrumentKey>* list : {&std::as_const(config_.security_ids), &watchlist}) {
    for (const auto& key : *list) {
      if (table_->find(key)) {
        pinned.insert(key);
      } else {
        unknown.push_back(key);
      }
    }
  }
  std::map<std::string, std::vector<Chain>> chain_lists;
  for (auto& [underlying, by_chain] : chains) {
    auto& list = chain_lists[underlying];
    for (auto& [id, chain] : by_chain) {
      std::sort(chain.strikes.begin(), chain.strikes.end());
      list.push_back(std::move(chain));
    }
  }
  // Centre every chain whose underlying has a price; commit only within the limit.
  std::set<market::InstrumentKey> selected = pinned;
  std::map<std::string, Centre> centres;
  for (const auto& [underlying, list] : chain_lists) {
    const auto price = prices.underlying.find(underlying);
    if (price == prices.underlying.end() || list.front().strikes.empty()) continue;
    const auto picked = chain_selection(list, price->second);
    selected.insert(picked.begin(), picked.end());
    centres[underlying] = centre_of(list.front(), price->second);
  }
  check_limit(selected);
  chains_ = std::move(chain_lists);
  pinned_ = std::move(pinned);
  centres_ = std::move(centres);
  selected_ = std::move(selected);
  unknown_ = std::move(unknown);
  return {selected_.begin(), selected_.end()};
}

std::set<market::InstrumentKey> UniverseSelector::chain_selection(const std::vector<Chain>& chains,
                                                                  double price) const {
  std::set<market::InstrumentKey> keys;
  const int n = config_.atm_strikes.value_or(0);
  for (const Chain& chain : chains) {
    const auto& s = chain.strikes;
    if (s.empty()) continue;
    const auto atm = atm_index(s, price);
    const auto from = std::max<std::ptrdiff_t>(0, atm - n);
    const auto to = std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(s.size()) - 1, atm + n);
    for (auto i = from; i <= to; ++i) keys.insert(table_->at(s[static_cast<std::size_t>(i)].second).key);
  }
  return keys;
}

UniverseDelta UniverseSelector::on_underlying_price(const std::string& underlying, double price) {
  UniverseDelta delta;
  const auto chains = chains_.find(underlying);
  if (chains == chains_.end() || chains->second.empty() || chains->second.front().strikes.empty()) return delta;
  const auto centre = centres_.find(underlying);
  if (centre != centres_.end() && std::abs(price - centre->second.strike) < centre->second.step) return delta;
  const auto old_keys = centre != centres_.end() ? chain_selection(chains->second, centre->second.strike)
                                                 : std::set<market::InstrumentKey>{};
  const auto new_keys = chain_selection(chains->second, price);
  std::set<market::InstrumentKey> next = selected_;
  for (const auto& key : old_keys) {
    if (!new_keys.contains(key) && !pinned_.contains(key)) {
      next.erase(key);
      delta.removed.push_back(key);
    }
  }
  for (const auto& key : new_keys) {
    if (next.insert(key).second) delta.added.push_back(key);
  }
  if (next.size() > kMaxUniverseSize) return {};  // keep the old centre rather than exceed the limit
  selected_ = std::move(next);
  centres_[underlying] = centre_of(chains->second.front(), price);
  return delta;
}

UniverseSelector::Centre UniverseSelector::centre_of(const Chain& chain, double price) {
  // The centre is the chain's ATM strike; one step is the gap to its nearer neighbour.
  const auto& s = chain.strikes;
  const auto atm = static_cast<std::size_t>(atm_index(s, price));
  double step = std::numeric_limits<double>::infinity();
  if (atm > 0) step = s[atm].first - s[atm - 1].first;
  if (atm + 1 < s.size()) step = std::min(step, s[atm + 1].first - s[atm].first);
  return Centre{s[atm].first, step};
}

void UniverseSelector::check_limit(const std::set<market::InstrumentKey>& keys) const {
  if (keys.size() <= kMaxUniverseSize) return;
  std::map<std::string_view, std::size_t> by_type;
  for (const auto& key : keys) {
    if (const auto row = table_->find(key)) ++by_type[instrument_type_name(table_->type(*row))];
  }
  std::string counts;
  for (const auto& [type, count] : by_type) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", type, count);
  throw UniverseLimitError(fmt::format(
      "universe would subscribe {} instruments, over the limit of {} (5 connections x 5,000): {}; narrow "
      "universe.underlyings, universe.expiries or universe.atm_strikes",
      keys.size(), kMaxUniverseSize, counts));
}

}  // namespace fno::dhan
