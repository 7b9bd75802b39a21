#include "dhan/history_rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace fno::dhan {

namespace {

constexpr std::chrono::minutes kMaxWidenedBound{1};

}  // namespace

RequestRateLimiter::RequestRateLimiter(double requests_per_second, Clock::duration admission_bound)
    : capacity_(static_cast<std::size_t>(std::max(1.0, std::round(requests_per_second)))),
      window_(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(static_cast<double>(capacity_) / requests_per_second))),
      spacing_(window_ / static_cast<Clock::rep>(capacity_)),
      admission_bound_(std::max(admission_bound, Clock::duration::zero())) {}

RequestRateLimiter::Time RequestRateLimiter::counted_by(const Sent& s) const {
  const bool unbounded = s.reply_only || admission_bound_ >= Time::max() - s.sent;
  const Time bound = unbounded ? Time::max() : s.sent + admission_bound_;
  return std::min(bound, s.replied);
}

void RequestRateLimiter::forget_before(Time now) {
  // Replied and counted at least one window ago: the server's window no
  // longer holds it. One in flight stays (a 429 may still widen its bound).
  std::erase_if(recent_, [&](const Sent& s) { return s.replied != Time::max() && counted_by(s) <= now - window_; });
}

RequestRateLimiter::Time RequestRateLimiter::next_start(Time now) {
  forget_before(now);
  Time earliest = std::max({now, paused_until_, last_start_ == Time::min() ? now : last_start_ + spacing_});
  if (recent_.size() >= capacity_) {
    // The capacity-th latest counted-by time must be a whole window old.
    std::vector<Time> latest;
    latest.reserve(recent_.size());
    for (const auto& s : recent_) latest.push_back(counted_by(s));
    const auto kth = latest.begin() + static_cast<std::ptrdiff_t>(capacity_ - 1);
    std::nth_element(latest.begin(), kth, latest.end(), std::greater<>());
    if (*kth == Time::max()) return Time::max();
    earliest = std::max(earliest, *kth + window_);
  }
  return earliest;
}

RequestRateLimiter::Ticket RequestRateLimiter::acquire(Time now, bool new_connection) {
  last_start_ = now;
  recent_.push_back(Sent{next_ticket_, now, Time::max(), new_connection});
  return next_ticket_++;
}

void RequestRateLimiter::release(Ticket ticket, Time now) {
  for (auto& s : recent_) {
    if (s.ticket == ticket) s.replied = std::min(s.replied, now);
  }
}

void RequestRateLimiter::on_rate_limited(Time until) {
  paused_until_ = std::max(paused_until_, until);
  // Applies to requests already sent too: they may also have been counted late.
  if (admission_bound_ >= kMaxWidenedBound) return;
  const Clock::duration doubled = std::max<Clock::duration>(2 * admission_bound_, std::chrono::milliseconds(1));
  admission_bound_ = std::min<Clock::duration>(doubled, kMaxWidenedBound);
}

}  // namespace fno::dhan
