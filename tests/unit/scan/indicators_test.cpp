#include "scan/indicators.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace fno::scan {
namespace {

constexpr std::size_t kSeriesLength = 10000;

std::vector<double> random_walk(unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0.0, 2.0);
  std::vector<double> values;
  double price = 2400.0;
  for (std::size_t i = 0; i < kSeriesLength; ++i) {
    price = std::max(1.0, price + step(rng));
    values.push_back(price);
  }
  return values;
}

// Straightforward recomputation: SMA seed, then the recurrence from scratch.
double reference_ema(const std::vector<double>& v, std::size_t upto, int period) {
  double ema = 0.0;
  for (int i = 0; i < period; ++i) ema += v[i];
  ema /= period;
  const double alpha = 2.0 / (period + 1.0);
  for (std::size_t i = period; i <= upto; ++i) ema = alpha * v[i] + (1 - alpha) * ema;
  return ema;
}

TEST(Ema, SeedsWithSmaOfFirstPeriodValues) {
  Ema ema(3);
  ema.push(1.0);
  ema.push(2.0);
  EXPECT_FALSE(ema.value());
  ema.push(6.0);
  ASSERT_TRUE(ema.value());
  EXPECT_DOUBLE_EQ(*ema.value(), 3.0);
  ema.push(7.0);  // alpha 0.5
  EXPECT_DOUBLE_EQ(*ema.value(), 5.0);
}

TEST(Ema, MatchesRecomputationOnRandomSeries) {
  const auto values = random_walk(1);
  for (int period : {1, 8, 13, 50}) {
    Ema ema(period);
    for (std::size_t i = 0; i < values.size(); ++i) {
      ema.push(values[i]);
      if (i + 1 < static_cast<std::size_t>(period)) {
        ASSERT_FALSE(ema.value());
        continue;
      }
      if (i % 97 != 0 && i + 1 != values.size()) continue;  // full recomputation is O(n)
      ASSERT_NEAR(*ema.value(), reference_ema(values, i, period), 1e-9) << "period " << period << " at " << i;
    }
  }
}

TEST(RollingMax, MatchesRecomputationOnRandomSeries) {
  const auto values = random_walk(2);
  for (std::size_t window : {1u, 2u, 50u, 377u}) {
    RollingMax max(window);
    for (std::size_t i = 0; i < values.size(); ++i) {
      max.push(values[i]);
      const std::size_t from = i + 1 >= window ? i + 1 - window : 0;
      const double expected = *std::max_element(values.begin() + from, values.begin() + i + 1);
      ASSERT_EQ(*max.value(), expected) << "window " << window << " at " << i;
      ASSERT_EQ(max.full(), i + 1 >= window);
    }
  }
}

TEST(RollingMax, HandlesPlateausAndDescendingRuns) {
  RollingMax max(3);
  for (double v : {5.0, 5.0, 5.0, 4.0, 3.0, 2.0}) max.push(v);
  EXPECT_EQ(*max.value(), 4.0);
}

TEST(RollingMean, MatchesRecomputationOnRandomSeries) {
  const auto values = random_walk(3);
  std::mt19937_64 rng(4);
  std::bernoulli_distribution missing(0.1);
  std::vector<bool> present;
  for (std::size_t window : {1u, 50u, 400u}) {
    RollingMean mean(window);
    present.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
      const bool here = !missing(rng);
      present.push_back(here);
      here ? mean.push(values[i] * 1000.0) : mean.push_missing();
      const std::size_t from = i + 1 >= window ? i + 1 - window : 0;
      double sum = 0.0;
      std::size_t n = 0;
      for (std::size_t j = from; j <= i; ++j) {
        if (!present[j]) continue;
        sum += values[j] * 1000.0;
        ++n;
      }
      ASSERT_EQ(mean.missing(), i + 1 - from - n);
      if (n == 0) {
        ASSERT_FALSE(mean.value());
        continue;
      }
      const double expected = sum / static_cast<double>(n);
      ASSERT_NEAR(*mean.value(), expected, 1e-9 * std::abs(expected)) << "window " << window << " at " << i;
    }
  }
}

}  // namespace
}  // namespace fno::scan
