#include "scan/signal_gate.hpp"

namespace fno::scan {

bool SignalGate::admit(const Signal& signal, std::int64_t cooldown_seconds) {
  const Key key{signal.instrument, signal.strategy, signal.kind};
  const auto it = last_.find(key);
  if (it != last_.end()) {
    // An older or the same candle again (a replay, a re-imported state) never re-alerts.
    if (signal.candle_time <= it->second.candle_time) return false;
    if (signal.time < it->second.time + cooldown_seconds) return false;
  }
  last_[key] = Last{signal.candle_time, signal.time};
  return true;
}

std::vector<DedupeEntry> SignalGate::export_state() const {
  std::vector<DedupeEntry> out;
  out.reserve(last_.size());
  for (const auto& [key, last] : last_) {
    out.push_back(DedupeEntry{std::get<0>(key), std::get<1>(key), std::get<2>(key), last.candle_time, last.time});
  }
  return out;
}

void SignalGate::import_state(const std::vector<DedupeEntry>& entries) {
  for (const auto& e : entries) {
    Last& last = last_[Key{e.instrument, e.strategy, e.kind}];
    if (e.candle_time >= last.candle_time) last = Last{e.candle_time, e.time};
  }
}

}  // namespace fno::scan
