// send_log.hpp
//
// The simulator's latency side channel (`fno-scanner sim --send-log FILE`,
// read by bench/load/run_load.py --latency): for every instrument a market
// scenario step moves, the wall-clock time at which the simulator handed
// the first packet of each new minute to its feed connections. That packet
// is the one that closes the previous minute's candle in a scanner, so an
// alert for that candle can be timed from it. One JSON object per line:
//   {"segment":2,"security_id":49229,"minute_ms":1764560460000,"sent_us":1764560460123456}
// (`minute_ms`: UTC start of the new minute; `sent_us`: system clock, µs).
//
// Owns no clock and no I/O beyond the stream it writes: times are
// arguments. Not thread-safe: owned by the simulator's io_context thread.
#pragma once

#include <cstdint>
#include <ostream>
#include <unordered_map>

#include "market/calendar.hpp"
#include "market/instrument_key.hpp"

namespace fno::sim {

class SendLog {
 public:
  explicit SendLog(std::ostream& out) : out_(out) {}

  // Watch `key` until simulated second `until`, from its current minute on
  // (`ltt_ist`: the instrument's last trade time).
  void watch(market::InstrumentKey key, market::IstSeconds ltt_ist, double until);
  // A packet of `key` with last trade time `ltt_ist` is being sent at
  // `wall_us`; logs it when it opens a new minute of a watched instrument.
  void on_send(market::InstrumentKey key, market::IstSeconds ltt_ist, std::int64_t wall_us);
  // Stops watching instruments whose time ran out at simulated second `elapsed`.
  void expire(double elapsed);
  bool empty() const { return watched_.empty(); }

 private:
  struct Watch {
    market::IstSeconds minute = 0;  // minute of the last packet seen
    double until = 0;
  };
  std::ostream& out_;
  std::unordered_map<market::InstrumentKey, Watch> watched_;
};

}  // namespace fno::sim
