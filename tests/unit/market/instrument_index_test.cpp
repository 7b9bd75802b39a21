#include "market/instrument_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <stdexcept>

namespace fno::market {
namespace {

TEST(InstrumentIndex, FindsWhatWasInsertedAndNothingElse) {
  InstrumentIndex index;
  EXPECT_FALSE(index.find({2, 0}).has_value());  // empty table
  EXPECT_TRUE(index.insert({2, 52175}, 0));
  EXPECT_TRUE(index.insert({1, 52175}, 1));  // same id, other segment: another instrument
  EXPECT_TRUE(index.insert({0, 0}, 2));      // the all-zero key is a key like any other
  EXPECT_EQ(index.find({2, 52175}), 0u);
  EXPECT_EQ(index.find({1, 52175}), 1u);
  EXPECT_EQ(index.find({0, 0}), 2u);
  EXPECT_FALSE(index.find({2, 52176}).has_value());
  EXPECT_FALSE(index.find({3, 52175}).has_value());
  EXPECT_EQ(index.size(), 3u);
}

TEST(InstrumentIndex, InsertNeverOverwritesAndAssignMovesOnlyPresentKeys) {
  InstrumentIndex index;
  ASSERT_TRUE(index.insert({2, 7}, 4));
  EXPECT_FALSE(index.insert({2, 7}, 9));
  EXPECT_EQ(index.find({2, 7}), 4u);
  EXPECT_TRUE(index.assign({2, 7}, 9));
  EXPECT_EQ(index.find({2, 7}), 9u);
  EXPECT_FALSE(index.assign({2, 8}, 1));
  EXPECT_FALSE(index.find({2, 8}).has_value());
  EXPECT_EQ(index.size(), 1u);
}

TEST(InstrumentIndex, GrowsAndKeepsEveryMappingAtMostHalfFull) {
  InstrumentIndex index;
  for (std::uint32_t id = 0; id < 25000; ++id) ASSERT_TRUE(index.insert({2, id}, id));
  EXPECT_EQ(index.size(), 25000u);
  EXPECT_GE(index.capacity(), 50000u);
  for (std::uint32_t id = 0; id < 25000; ++id) ASSERT_EQ(index.find({2, id}), id) << id;
  EXPECT_FALSE(index.find({2, 25000}).has_value());
}

TEST(InstrumentIndex, EraseReturnsThePositionAndKeepsCollidingKeysReachable) {
  // Keys that share a home slot of the smallest table: found by hashing them
  // the way the index does, so every erase below is inside one probe run.
  InstrumentIndex index;
  std::vector<std::uint32_t> same_home;
  for (std::uint32_t id = 0; same_home.size() < 5; ++id) {
    const std::uint64_t packed = (std::uint64_t{2} << 32) | id;
    if (((packed * 0x9E3779B97F4A7C15ull) >> 60) == 3) same_home.push_back(id);
  }
  for (std::uint32_t i = 0; i < same_home.size(); ++i) ASSERT_TRUE(index.insert({2, same_home[i]}, i));
  ASSERT_EQ(index.capacity(), 16u);  // still the smallest table: they did collide
  EXPECT_EQ(index.erase({2, same_home[1]}), 1u);
  EXPECT_FALSE(index.erase({2, same_home[1]}).has_value());
  EXPECT_FALSE(index.find({2, same_home[1]}).has_value());
  for (std::uint32_t i : {0u, 2u, 3u, 4u}) EXPECT_EQ(index.find({2, same_home[i]}), i);
  EXPECT_EQ(index.erase({2, same_home[0]}), 0u);
  for (std::uint32_t i : {2u, 3u, 4u}) EXPECT_EQ(index.find({2, same_home[i]}), i);
  EXPECT_TRUE(index.insert({2, same_home[1]}, 7));
  EXPECT_EQ(index.find({2, same_home[1]}), 7u);
  EXPECT_EQ(index.size(), 4u);
  EXPECT_FALSE(InstrumentIndex{}.erase({2, 1}).has_value());
}

TEST(InstrumentIndex, MatchesAMapUnderRandomInsertsAndErases) {
  InstrumentIndex index;
  std::map<InstrumentKey, std::uint32_t> expected;
  std::mt19937 rng(13);
  std::uniform_int_distribution<std::uint32_t> id(0, 3000);
  std::uniform_int_distribution<int> segment(0, 2);
  for (int step = 0; step < 200000; ++step) {
    const InstrumentKey key{static_cast<std::uint8_t>(segment(rng)), id(rng)};
    if (step % 3 == 0) {
      const auto it = expected.find(key);
      const auto erased = index.erase(key);
      ASSERT_EQ(erased.has_value(), it != expected.end()) << step;
      if (it != expected.end()) {
        EXPECT_EQ(*erased, it->second);
        expected.erase(it);
      }
    } else {
      const auto position = static_cast<std::uint32_t>(step);
      ASSERT_EQ(index.insert(key, position), expected.emplace(key, position).second) << step;
    }
  }
  ASSERT_EQ(index.size(), expected.size());
  for (const auto& [key, position] : expected) ASSERT_EQ(index.find(key), position);
  for (std::uint32_t i = 0; i <= 3000; ++i) {
    const InstrumentKey key{3, i};  // a segment never inserted
    ASSERT_FALSE(index.find(key).has_value());
  }
}

TEST(InstrumentIndex, RefusesPositionsBeyondItsPacking) {
  InstrumentIndex index;
  EXPECT_TRUE(index.insert({2, 1}, InstrumentIndex::kMaxPosition));
  EXPECT_EQ(index.find({2, 1}), InstrumentIndex::kMaxPosition);
  EXPECT_THROW(index.insert({2, 2}, InstrumentIndex::kMaxPosition + 1), std::length_error);
  EXPECT_THROW(index.assign({2, 1}, InstrumentIndex::kMaxPosition + 1), std::length_error);
  EXPECT_FALSE(index.find({2, 2}).has_value());
}

}  // namespace
}  // namespace fno::market
