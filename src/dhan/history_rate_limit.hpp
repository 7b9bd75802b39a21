// history_rate_limit.hpp
//
// The client side of Dhan's data-API rate limit (5 requests/s): a token
// bucket whose tokens come back one window after the request that took them
// has FINISHED. The server counts a request somewhere between our send and
// its reply, so returning the token only after the reply means no window of
// the server's can ever hold more than `capacity` of ours, whatever the
// network latency or jitter: no 429 at the configured rate. The cost is one
// round-trip per window (a few % on loopback). A 429 pauses the whole bucket.
//
// Pure: time is an argument, no clock is read. Not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace fno::dhan {

class RequestRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Time = Clock::time_point;

  // `requests_per_second` > 0: capacity = max(1, round(rate)) tokens per
  // capacity / rate seconds.
  explicit RequestRateLimiter(double requests_per_second);

  // Earliest time a request may start; Time::max() while every token is held
  // by a request still in flight (the next release() frees one).
  Time next_start(Time now);
  // Takes a token; call only when next_start(now) <= now.
  void acquire(Time now);
  // A request that held a token finished at `now`.
  void release(Time now);
  // No request may start before `until` (the server said we went too fast).
  void pause_until(Time until);

  std::size_t capacity() const { return capacity_; }
  Clock::duration window() const { return window_; }

 private:
  void reclaim(Time now);

  std::size_t capacity_;
  Clock::duration window_;
  std::size_t available_;
  std::deque<Time> returning_;  // when released tokens become available again (ascending)
  Time paused_until_{};
};

}  // namespace fno::dhan
