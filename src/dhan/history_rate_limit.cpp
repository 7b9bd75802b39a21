#include "dhan/history_rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace fno::dhan {

RequestRateLimiter::RequestRateLimiter(double requests_per_second)
    : capacity_(static_cast<std::size_t>(std::max(1.0, std::round(requests_per_second)))),
      window_(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(static_cast<double>(capacity_) / requests_per_second))),
      available_(capacity_) {}

void RequestRateLimiter::reclaim(Time now) {
  while (!returning_.empty() && returning_.front() <= now) {
    returning_.pop_front();
    ++available_;
  }
}

RequestRateLimiter::Time RequestRateLimiter::next_start(Time now) {
  reclaim(now);
  Time earliest = Time::max();
  if (available_ > 0) {
    earliest = now;
  } else if (!returning_.empty()) {
    earliest = returning_.front();
  }
  return earliest == Time::max() ? earliest : std::max(earliest, paused_until_);
}

void RequestRateLimiter::acquire(Time now) {
  reclaim(now);
  if (available_ > 0) --available_;
}

void RequestRateLimiter::release(Time now) {
  // Releases arrive in time order, so the deque stays sorted.
  returning_.push_back(std::max(now + window_, returning_.empty() ? now : returning_.back()));
}

void RequestRateLimiter::pause_until(Time until) { paused_until_ = std::max(paused_until_, until); }

}  // namespace fno::dhan
