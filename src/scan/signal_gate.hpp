// signal_gate.hpp
//
// Dedupe and cooldown for signals: at most one signal per (instrument,
// strategy, kind, candle), and none within the strategy's cooldown of the
// previous one of the same (instrument, strategy, kind), measured in exchange
// time. Its state can be exported and imported so the alert store can
// persist it across restarts (a restart mid-session must not re-alert).
// Pure; not thread-safe; owned by the Scanner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "scan/signal.hpp"

namespace fno::scan {

struct DedupeEntry {
  market::InstrumentKey instrument;
  std::string strategy;
  SignalKind kind = SignalKind::kBullish;
  market::IstSeconds candle_time = 0;  // candle of the last admitted signal
  market::IstSeconds time = 0;         // when it fired
};

class SignalGate {
 public:
  // True when `signal` may be emitted; then it is recorded.
  bool admit(const Signal& signal, std::int64_t cooldown_seconds);

  std::vector<DedupeEntry> export_state() const;
  // Merges entries, keeping the later one per key.
  void import_state(const std::vector<DedupeEntry>& entries);

 private:
  using Key = std::tuple<market::InstrumentKey, std::string, SignalKind>;
  struct Last {
    market::IstSeconds candle_time;
    market::IstSeconds time;
  };
  std::map<Key, Last> last_;
};

}  // namespace fno::scan
