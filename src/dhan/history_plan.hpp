// history_plan.hpp
//
// What the warm-up must fetch for one instrument: the wanted window
// (`hist_days` calendar days back from today up to the last closed minute),
// minus what the candle cache already covers, split into requests of at
// most 90 days (Dhan's intraday limit). Gaps holding no session minute (a
// restart over the weekend or at night) are not fetched.
// Pure value code.
#pragma once

#include <optional>
#include <vector>

#include "market/calendar.hpp"

namespace fno::dhan {

// A half-open IST range [from, to).
struct IstRange {
  market::IstSeconds from = 0;
  market::IstSeconds to = 0;
  friend bool operator==(const IstRange&, const IstRange&) = default;
};

// [IST midnight `hist_days` days before today, start of the current minute).
IstRange warm_up_window(market::IstSeconds now, int hist_days);

// Ranges to request (each ≤ `max_span` seconds, oldest first) so that
// `covered` ∪ result ⊇ `want` as far as session minutes go. `covered` must
// be what the cache holds for the instrument (already pruned to `want`).
std::vector<IstRange> plan_fetch(IstRange want, const std::optional<IstRange>& covered,
                                 const market::MarketCalendar& calendar, std::int64_t max_span);

// True when [range.from, range.to) contains at least one session minute.
bool has_session_minute(IstRange range, const market::MarketCalendar& calendar);

}  // namespace fno::dhan
