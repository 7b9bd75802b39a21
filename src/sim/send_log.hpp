// send_log.hpp
//
// The simulator's latency side channel (`fno-scanner sim --send-log FILE`,
// read by bench/load/run_load.py --latency): for every instrument a market
// scenario step moves, when the simulator sent the first packet of each new
// minute. That packet is the one that closes the previous minute's candle in
// a scanner, so an alert for that candle can be timed from it. One JSON
// object per line:
//   {"segment":2,"security_id":49229,"minute_ms":1764560460000,
//    "stepped_us":1764560460120456,"sent_us":1764560460123456}
// (`minute_ms`: UTC start of the new minute; `stepped_us`: system clock, µs,
// when the market step handed the packet to its feed connection;
// `sent_us`: when that connection began writing the frame holding it, after
// the frames queued before it on the same socket). A step's packets leave
// one frame after another, so `sent_us - stepped_us` is the packet's wait
// inside the simulator.
//
// Owns no clock and no I/O beyond the stream it writes: times are
// arguments. Not thread-safe: owned by the simulator's io_context thread.
#pragma once

#include <cstdint>
#include <optional>
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
  // A packet about to be sent: the first of a new minute of a watched instrument.
  struct Send {
    market::InstrumentKey key;
    market::IstSeconds minute = 0;
    std::int64_t stepped_us = 0;
  };
  // A step hands a packet of `key` with last trade time `ltt_ist` to its
  // connection at `wall_us`: a Send to log once it is written when it opens
  // a new minute of a watched instrument.
  std::optional<Send> on_step(market::InstrumentKey key, market::IstSeconds ltt_ist, std::int64_t wall_us);
  // The frame holding `send` began to be written at `wall_us`.
  void on_written(const Send& send, std::int64_t wall_us);
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
