// clock.hpp
//
// The wall clock, read in one place: UTC epoch milliseconds and IST wall
// seconds. Only the edges (app wiring, engine timers, alert timestamps) call
// these; the pure core takes time as an argument.
#pragma once

#include <chrono>
#include <cstdint>

#include "market/calendar.hpp"

namespace fno::util {

inline std::int64_t utc_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::int64_t utc_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline market::IstSeconds ist_now() { return market::ist_from_utc(utc_now_ms() / 1000); }

}  // namespace fno::util
