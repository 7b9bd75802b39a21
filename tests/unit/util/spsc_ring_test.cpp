#include "util/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace fno::util {
namespace {

TEST(SpscRing, RoundsCapacityAndRefusesWhenFull) {
  SpscRing<int> ring(3);
  EXPECT_EQ(ring.capacity(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(ring.try_push(i));
  EXPECT_FALSE(ring.try_push(99));
  EXPECT_EQ(ring.size(), 4u);
  EXPECT_EQ(ring.try_pop(), 0);
  EXPECT_TRUE(ring.try_push(4));
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(ring.try_pop(), i);
  EXPECT_FALSE(ring.try_pop());
}

TEST(SpscRing, TransfersEveryValueInOrderAcrossThreads) {
  SpscRing<std::uint64_t> ring(1024);
  constexpr std::uint64_t kCount = 1'000'000;
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kCount;) {
      if (ring.try_push(i)) ++i;
    }
  });
  std::uint64_t expected = 0;
  while (expected < kCount) {
    if (auto v = ring.try_pop()) {
      ASSERT_EQ(*v, expected);
      ++expected;
    }
  }
  producer.join();
  EXPECT_FALSE(ring.try_pop());
}

}  // namespace
}  // namespace fno::util
