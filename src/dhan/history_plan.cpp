#include "dhan/history_plan.hpp"

#include <algorithm>

namespace fno::dhan {

IstRange warm_up_window(market::IstSeconds now, int hist_days) {
  return {market::day_start(now) - static_cast<std::int64_t>(hist_days) * market::kSecondsPerDay,
          market::minute_start(now)};
}

bool has_session_minute(IstRange range, const market::MarketCalendar& calendar) {
  if (range.from >= range.to) return false;
  if (calendar.is_open(range.from)) return true;
  return calendar.next_open(range.from) < range.to;
}

std::vector<IstRange> plan_fetch(IstRange want, const std::optional<IstRange>& covered,
                                 const market::MarketCalendar& calendar, std::int64_t max_span) {
  std::vector<IstRange> gaps;
  if (!covered || covered->to <= want.from || covered->from >= want.to) {
    gaps.push_back(want);
  } else {
    // The cache grows contiguously, so at most one gap on each side.
    gaps.push_back({want.from, std::min(covered->from, want.to)});
    gaps.push_back({std::max(covered->to, want.from), want.to});
  }
  std::vector<IstRange> out;
  for (const auto& gap : gaps) {
    if (!has_session_minute(gap, calendar)) continue;
    for (market::IstSeconds from = gap.from; from < gap.to; from += max_span) {
      out.push_back({from, std::min(gap.to, from + max_span)});
    }
  }
  return out;
}

}  // namespace fno::dhan
