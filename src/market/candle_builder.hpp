// candle_builder.hpp
//
// Builds 1-minute OHLCV candles for ONE instrument from its ticks, aligned to
// IST minutes of Dhan's LTT. Owns no I/O and reads no clock: time arrives as
// tick LTT or as an explicit on_timer(now) call, so replays are exact.
//
// Rules (DESIGN.md "Domain rules"):
// - A candle closes on a tick of a later minute, or on on_timer(now) once
//   `now` >= minute end + grace (illiquid contracts close on time).
// - Only ticks inside the segment's session (CandleRules::calendar) build
//   candles; off-session (pre-open, post-close, holiday) ticks update LTP,
//   OI and the day-volume baseline only ("kept apart").
// - Candle volume = delta of cumulative day volume. The first packet of a
//   day joined after the opening minute only sets the baseline (its candle is
//   `partial`); a day volume that goes down within a day is ignored.
// - A tick older than the last accepted trade time, or of an already closed
//   minute, is dropped (kOutOfOrder); a repeat of the last trade time after
//   its minute closed (quotes without trades) is kDuplicate.
// - Missing fields merge with the last known values: a ticker packet never
//   zeroes volume or OI.
// - Optional flat candles fill minutes without trades (same day, in session)
//   at the last close with zero volume.
//
// Closed candles are appended to the caller's vector (no allocation when it
// has capacity). Not thread-safe; owned by the engine thread.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "market/calendar.hpp"
#include "market/candle.hpp"
#include "market/tick.hpp"

namespace fno::market {

// How candles are cut for one exchange segment.
struct CandleRules {
  MarketCalendar calendar;
  int grace_seconds = 2;
  bool flat_candles = false;
};

enum class TickOutcome { kAccepted, kOffSession, kOutOfOrder, kDuplicate };

class CandleBuilder {
 public:
  TickOutcome on_tick(const Tick& tick, const CandleRules& rules, std::vector<Candle>& closed);
  // Closes the forming candle (and emits due flat candles) once `now` is past
  // minute end + grace.
  void on_timer(IstSeconds now, const CandleRules& rules, std::vector<Candle>& closed);
  // The earliest `now` at which on_timer() may close or fill a candle, so a
  // caller holding many builders visits only the due ones: any time with
  // flat candles, else the forming candle's minute end + grace, else never.
  // Moves only with on_tick() and on_timer().
  IstSeconds timer_due(const CandleRules& rules) const {
    if (rules.flat_candles) return std::numeric_limits<IstSeconds>::min();
    if (!forming_) return std::numeric_limits<IstSeconds>::max();
    return forming_->start + 60 + rules.grace_seconds;
  }
  // The feed lost data (reconnect): the forming candle cannot be trusted
  // for signals, and the next packet only re-bases volume.
  void mark_gap();

  const std::optional<Candle>& forming() const { return forming_; }
  std::optional<double> ltp() const { return ltp_; }
  std::optional<std::uint64_t> day_volume() const { return day_volume_; }
  std::optional<std::uint32_t> open_interest() const { return open_interest_; }
  // Start of the last closed candle, if any.
  std::optional<IstSeconds> last_closed_start() const;

 private:
  struct SessionDay {
    IstSeconds day = -1;  // day_start() the cache is for; -1 = none
    bool trading = false;
  };
  bool in_session(IstSeconds t, const CandleRules& rules);
  std::uint64_t take_volume(const Tick& tick, IstSeconds minute, const CandleRules& rules, bool& known);
  void close_forming(std::vector<Candle>& closed);
  void fill_flat_until(IstSeconds minute_limit, const CandleRules& rules, std::vector<Candle>& closed);
  void start_candle(const Tick& tick, IstSeconds minute, const CandleRules& rules);

  std::optional<Candle> forming_;
  std::optional<double> ltp_;
  std::optional<double> last_close_;
  std::optional<std::uint64_t> day_volume_;  // baseline: last accepted cumulative day volume
  std::optional<std::uint32_t> open_interest_;
  IstSeconds volume_day_ = -1;   // day of `day_volume_`
  IstSeconds last_ltt_ = INT64_MIN;
  IstSeconds next_minute_ = INT64_MIN;  // earliest minute a new candle may start
  IstSeconds live_day_ = -1;     // day of the last session candle
  bool gap_ = true;              // next session candle is partial (nothing seen before it)
  SessionDay session_day_;
};

}  // namespace fno::market
