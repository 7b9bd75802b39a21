// log_limiter.hpp
//
// Rate limit for repeated log lines ("logged once, counted always"): a bad
// frame or CSV row storm must not flood the log. Per key, at most one line
// per interval; the caller is told how many were suppressed in between so it
// can say so. Time is an argument, so the limiter is deterministic.
// Not thread-safe: one per owner thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace fno::util {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogLimiter(Clock::duration interval = std::chrono::seconds(10)) : interval_(interval) {}

  // Returns the number of suppressed lines since the last admitted one when a
  // line for `key` may be logged now, nullopt when it must be suppressed.
  std::optional<std::uint64_t> admit(const std::string& key, Clock::time_point now);

 private:
  struct Entry {
    Clock::time_point last;
    std::uint64_t suppressed = 0;
  };
  Clock::duration interval_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace fno::util
