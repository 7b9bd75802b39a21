// history_rate_limit.hpp
//
// The client side of Dhan's data-API rate limit (5 requests/s, PROTOCOL.md).
// The server (like the simulator, sim/rest_api.cpp) keeps a sliding window:
// it admits a request when fewer than `capacity` were admitted in the
// preceding `window` (an admission exactly one window old no longer counts).
//
// We never see when the server counts a request, only that it is after our
// send and before its reply. Waiting for the reply (the safe bound in every
// case) costs one round trip per window, and a 60-day reply takes ~100 ms to
// build and parse: 10 % below the limit. So each request's "counted by" time
// is min(reply, send + admission_bound): the server counts a request within
// `admission_bound` of our send (one-way latency plus its queueing), or we
// learn a safe bound from the reply. A request may start when fewer than
// `capacity` earlier requests have a counted-by time later than
// `now - window`; then no server window can ever hold more than `capacity`.
// A request that must open a connection first is bounded by its reply only
// (TCP + TLS handshakes take round trips before the server sees it).
// Requests are also spaced window / capacity apart so the server never has
// a queue of ours (queueing is what would stretch its counting past the
// bound). A 429 proves the bound too tight: it doubles, and everything
// pauses until the server's window has room.
//
// Pure: time is an argument, no clock is read. Not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fno::dhan {

class RequestRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Time = Clock::time_point;
  using Ticket = std::uint64_t;

  // Enough for a server in the same country (or on loopback); a 429 widens it.
  static constexpr std::chrono::milliseconds kDefaultAdmissionBound{25};

  // `requests_per_second` > 0: capacity = max(1, round(rate)) requests per
  // capacity / rate seconds. `admission_bound` >= 0; Clock::duration::max()
  // means "only the reply bounds the server's count".
  explicit RequestRateLimiter(double requests_per_second, Clock::duration admission_bound = kDefaultAdmissionBound);

  // Earliest time (>= now) a request may start; Time::max() while only
  // replies still to come can free room (an unbounded admission_bound).
  Time next_start(Time now);
  // A request starts at `now`; call only when next_start(now) <= now.
  // `new_connection`: it must connect and handshake first, which can take
  // longer than the bound before the server sees it: only its reply bounds it.
  Ticket acquire(Time now, bool new_connection = false);
  // The reply of `ticket` arrived at `now` (any reply, a 429 included).
  void release(Ticket ticket, Time now);
  // The server said we went too fast: nothing starts before `until`, and
  // the admission bound doubles (up to a minute: past any request timeout,
  // so the reply bounds every request again).
  void on_rate_limited(Time until);

  std::size_t capacity() const { return capacity_; }
  Clock::duration window() const { return window_; }
  Clock::duration spacing() const { return spacing_; }
  Clock::duration admission_bound() const { return admission_bound_; }

 private:
  struct Sent {
    Ticket ticket;
    Time sent;
    Time replied;     // Time::max() while in flight
    bool reply_only;  // the admission bound does not apply
  };
  void forget_before(Time now);
  // The latest time the server may have counted `s`.
  Time counted_by(const Sent& s) const;

  std::size_t capacity_;
  Clock::duration window_;
  Clock::duration spacing_;
  Clock::duration admission_bound_;
  // Requests that may still be in the server's window: the ones in flight
  // (bounded by the caller's concurrency) plus those counted in the last
  // window (bounded by the limit itself).
  std::vector<Sent> recent_;
  Ticket next_ticket_ = 0;
  Time last_start_ = Time::min();
  Time paused_until_ = Time::min();
};

}  // namespace fno::dhan
