#include "scan/snapshot.hpp"

namespace fno::scan {

SnapshotRow DeltaRow::row() const {
  SnapshotRow r;
  r.key = key;
  if (symbol) r.symbol = *symbol;
  r.version = version;
  r.ltp = ltp;
  r.prev_close = prev_close;
  r.change_pct = change_pct;
  r.day_volume = day_volume;
  r.open_interest = open_interest;
  r.resistance = resistance;
  r.distance_to_breakout_pct = distance_to_breakout_pct;
  r.ema_short = ema_short;
  r.ema_long = ema_long;
  r.average_volume = average_volume;
  r.last_candle = last_candle;
  if (warmups) {
    r.readiness.reserve(warmups->size());
    for (const auto& w : *warmups) {
      r.readiness.push_back(StrategyReadiness{w.strategy, closed_candles >= w.needed, closed_candles, w.needed});
    }
  }
  if (last_signal) r.last_signal = *last_signal;
  return r;
}

}  // namespace fno::scan
