#include "util/log_limiter.hpp"

namespace fno::util {

std::optional<std::uint64_t> LogLimiter::admit(const std::string& key, Clock::time_point now) {
  auto [it, inserted] = entries_.try_emplace(key, Entry{now, 0});
  if (inserted) return 0;
  Entry& e = it->second;
  if (now - e.last < interval_) {
    ++e.suppressed;
    return std::nullopt;
  }
  const std::uint64_t suppressed = e.suppressed;
  e = Entry{now, 0};
  return suppressed;
}

}  // namespace fno::util
