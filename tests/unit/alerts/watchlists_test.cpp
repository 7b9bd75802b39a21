#include "alerts/watchlists.hpp"

#include <gtest/gtest.h>

namespace fno::alerts {
namespace {

class WatchlistStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("fno_watchlists_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  std::filesystem::path path_;
};

constexpr market::InstrumentKey kA{2, 100}, kB{2, 200}, kC{5, 300};

TEST_F(WatchlistStoreTest, CreateGetRenameReplaceDelete) {
  WatchlistStore store(path_, std::chrono::seconds(1));
  auto banks = store.create("Banks", {kA, kB, kA}, 1000);
  ASSERT_TRUE(banks);
  EXPECT_EQ(banks->items, (std::vector<market::InstrumentKey>{kA, kB}));  // repeats collapse
  EXPECT_FALSE(store.create("Banks", {}, 1001));                          // name taken
  auto metals = store.create("Metals", {kC}, 1002);
  ASSERT_TRUE(metals);

  const auto renamed = store.update(banks->id, std::string("PSU Banks"), std::vector{kB}, 2000);
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->name, "PSU Banks");
  EXPECT_EQ(renamed->items, std::vector{kB});
  EXPECT_THROW(store.update(banks->id, std::string("Metals"), std::nullopt, 2001), WatchlistStore::NameTaken);
  EXPECT_FALSE(store.update(999, std::string("x"), std::nullopt, 2002));

  EXPECT_EQ(store.all_instruments(), (std::vector<market::InstrumentKey>{kB, kC}));
  EXPECT_TRUE(store.remove(metals->id));
  EXPECT_FALSE(store.remove(metals->id));
  ASSERT_EQ(store.all().size(), 1u);
  EXPECT_EQ(store.all()[0].name, "PSU Banks");
}

TEST_F(WatchlistStoreTest, SurvivesReopen) {
  std::int64_t id = 0;
  {
    WatchlistStore store(path_, std::chrono::seconds(1));
    id = store.create("Nifty", {kA}, 1)->id;
  }
  WatchlistStore again(path_, std::chrono::seconds(1));
  const auto list = again.get(id);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->items, std::vector{kA});
}

}  // namespace
}  // namespace fno::alerts
