#include "market/candle_builder.hpp"

#include <algorithm>

namespace fno::market {

TickOutcome CandleBuilder::on_tick(const Tick& tick, const CandleRules& rules, std::vector<Candle>& closed) {
  if (tick.ltt < last_ltt_) return TickOutcome::kOutOfOrder;
  const IstSeconds minute = minute_start(tick.ltt);
  if (minute < next_minute_) {
    // Quotes repeat the last trade time while only the book moves; OI is current.
    if (tick.ltt != last_ltt_) return TickOutcome::kOutOfOrder;
    if (tick.open_interest) open_interest_ = tick.open_interest;
    return TickOutcome::kDuplicate;
  }
  last_ltt_ = tick.ltt;
  ltp_ = tick.ltp;
  if (tick.open_interest) open_interest_ = tick.open_interest;
  if (forming_ && minute > forming_->start) close_forming(closed);

  if (!in_session(tick.ltt, rules)) {
    bool known = false;
    take_volume(tick, minute, rules, known);
    return TickOutcome::kOffSession;
  }
  if (rules.flat_candles) fill_flat_until(minute, rules, closed);
  bool known = false;
  const std::uint64_t volume = take_volume(tick, minute, rules, known);
  if (!forming_) {
    start_candle(tick, minute, rules);
  } else {
    forming_->high = std::max(forming_->high, tick.ltp);
    forming_->low = std::min(forming_->low, tick.ltp);
    forming_->close = tick.ltp;
  }
  forming_->volume += volume;
  forming_->volume_known = forming_->volume_known || known;
  forming_->open_interest = open_interest_.value_or(0);
  ++forming_->ticks;
  return TickOutcome::kAccepted;
}

void CandleBuilder::on_timer(IstSeconds now, const CandleRules& rules, std::vector<Candle>& closed) {
  if (forming_ && now >= forming_->start + 60 + rules.grace_seconds) close_forming(closed);
  if (rules.flat_candles) fill_flat_until(minute_start(now - rules.grace_seconds), rules, closed);
}

void CandleBuilder::mark_gap() {
  gap_ = true;
  day_volume_.reset();
  if (forming_) forming_->partial = true;
}

std::optional<IstSeconds> CandleBuilder::last_closed_start() const {
  if (!last_close_) return std::nullopt;
  return next_minute_ - 60;
}

bool CandleBuilder::in_session(IstSeconds t, const CandleRules& rules) {
  const IstSeconds day = day_start(t);
  if (day != session_day_.day) session_day_ = SessionDay{day, rules.calendar.is_trading_day(t)};
  const int sod = seconds_of_day(t);
  return session_day_.trading && sod >= rules.calendar.hours().open && sod < rules.calendar.hours().close;
}

std::uint64_t CandleBuilder::take_volume(const Tick& tick, IstSeconds minute, const CandleRules& rules,
                                         bool& known) {
  if (!tick.day_volume) return 0;
  known = true;
  const std::uint64_t volume = *tick.day_volume;
  const IstSeconds day = day_start(tick.ltt);
  if (!day_volume_ || day != volume_day_) {
    // First volume of the day (or after a gap): it covers the whole day so far,
    // which belongs to this candle only if nothing of the day was missed.
    const bool saw_whole_day = in_session(tick.ltt, rules) &&
                               (!gap_ || minute == day + rules.calendar.hours().open) && day != volume_day_;
    day_volume_ = volume;
    volume_day_ = day;
    return saw_whole_day ? volume : 0;
  }
  if (volume < *day_volume_) return 0;  // stale or replayed packet; cumulative volume never falls
  const std::uint64_t delta = volume - *day_volume_;
  day_volume_ = volume;
  return delta;
}

void CandleBuilder::start_candle(const Tick& tick, IstSeconds minute, const CandleRules& rules) {
  Candle c;
  c.start = minute;
  c.open = c.high = c.low = c.close = tick.ltp;
  c.partial = gap_ && minute != day_start(minute) + rules.calendar.hours().open;
  forming_ = c;
  gap_ = false;
  live_day_ = day_start(minute);
}

void CandleBuilder::close_forming(std::vector<Candle>& closed) {
  closed.push_back(*forming_);
  last_close_ = forming_->close;
  next_minute_ = forming_->start + 60;
  forming_.reset();
}

void CandleBuilder::fill_flat_until(IstSeconds minute_limit, const CandleRules& rules, std::vector<Candle>& closed) {
  if (forming_ || !last_close_) return;
  // Flat candles only continue a day that traded; the session close bounds the loop.
  const IstSeconds end = std::min(minute_limit, live_day_ + rules.calendar.hours().close);
  for (IstSeconds m = next_minute_; m < end; m += 60) {
    if (!in_session(m, rules)) continue;
    Candle c;
    c.start = m;
    c.open = c.high = c.low = c.close = *last_close_;
    c.volume_known = day_volume_.has_value();
    c.open_interest = open_interest_.value_or(0);
    closed.push_back(c);
    next_minute_ = m + 60;
  }
}

}  // namespace fno::market
