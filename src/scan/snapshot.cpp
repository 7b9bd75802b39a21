#include "scan/snapshot.hpp"

namespace fno::scan {

SnapshotRow DeltaRow::row() const {
  SnapshotRow r;
  static_cast<RowValues&>(r) = *this;
  if (symbol) r.symbol = *symbol;
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
