#include <gtest/gtest.h>

#include <set>

#include "dhan/feed_client.hpp"

namespace fno::dhan {
namespace {

std::vector<market::InstrumentKey> keys(std::size_t n) {
  std::vector<market::InstrumentKey> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({2, static_cast<std::uint32_t>(1000 + i)});
  return out;
}

TEST(SubscriptionPlan, OpensOnlyAsManyConnectionsAsNeeded) {
  FeedOptions o;
  EXPECT_TRUE(plan_subscriptions(keys(0), o).connections.empty());
  EXPECT_EQ(plan_subscriptions(keys(1), o).connections.size(), 1u);
  EXPECT_EQ(plan_subscriptions(keys(5000), o).connections.size(), 1u);
  EXPECT_EQ(plan_subscriptions(keys(5001), o).connections.size(), 2u);
  EXPECT_EQ(plan_subscriptions(keys(12000), o).connections.size(), 3u);
}

TEST(SubscriptionPlan, EveryInstrumentExactlyOnceWithinConnectionLimits) {
  FeedOptions o;
  o.batch_size = 200;
  const auto all = keys(12000);
  const auto plan = plan_subscriptions(all, o);
  std::set<market::InstrumentKey> seen;
  for (const auto& conn : plan.connections) {
    EXPECT_LE(conn.size(), 5000u);
    for (const auto& k : conn) EXPECT_TRUE(seen.insert(k).second);
  }
  EXPECT_EQ(seen.size(), all.size());
  EXPECT_TRUE(plan.rejected.empty());
  // Rounds of 200 dealt in turn: the second round goes to the second connection.
  EXPECT_EQ(plan.connections[1].front().security_id, 1200u);
}

TEST(SubscriptionPlan, RejectsBeyondFiveTimesFiveThousand) {
  FeedOptions o;
  const auto plan = plan_subscriptions(keys(25003), o);
  EXPECT_EQ(plan.connections.size(), 5u);
  EXPECT_EQ(plan.rejected.size(), 3u);
  for (const auto& conn : plan.connections) EXPECT_EQ(conn.size(), 5000u);
}

TEST(SubscriptionPlan, FullConnectionPassesItsTurn) {
  FeedOptions o;
  o.per_connection = 3;
  o.max_connections = 2;
  o.batch_size = 2;
  const auto plan = plan_subscriptions(keys(6), o);
  ASSERT_EQ(plan.connections.size(), 2u);
  EXPECT_EQ(plan.connections[0].size(), 3u);
  EXPECT_EQ(plan.connections[1].size(), 3u);
}

TEST(Backoff, FullJitterStaysWithinTheExponentialCeiling) {
  std::mt19937_64 rng(42);
  using std::chrono::milliseconds;
  for (unsigned attempt = 0; attempt < 30; ++attempt) {
    const auto ceiling = std::min<std::int64_t>(60000, std::int64_t{1000} << std::min(attempt, 20u));
    std::int64_t max_seen = 0;
    for (int i = 0; i < 200; ++i) {
      const auto d = backoff_delay(attempt, milliseconds(1000), milliseconds(60000), rng).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling);
      max_seen = std::max(max_seen, d);
    }
    EXPECT_GT(max_seen, ceiling / 2);  // jitter spans the range, not a constant
  }
}

}  // namespace
}  // namespace fno::dhan
