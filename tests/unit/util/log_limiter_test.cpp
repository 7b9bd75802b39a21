#include "util/log_limiter.hpp"

#include <gtest/gtest.h>

namespace fno::util {
namespace {

using namespace std::chrono_literals;

TEST(LogLimiter, AdmitsOncePerIntervalAndCountsSuppressed) {
  LogLimiter limiter(10s);
  const LogLimiter::Clock::time_point t0{};
  EXPECT_EQ(limiter.admit("bad-frame", t0), 0u);
  EXPECT_FALSE(limiter.admit("bad-frame", t0 + 1s));
  EXPECT_FALSE(limiter.admit("bad-frame", t0 + 9s));
  EXPECT_EQ(limiter.admit("other", t0 + 9s), 0u);
  EXPECT_EQ(limiter.admit("bad-frame", t0 + 10s), 2u);
  EXPECT_FALSE(limiter.admit("bad-frame", t0 + 11s));
}

}  // namespace
}  // namespace fno::util
