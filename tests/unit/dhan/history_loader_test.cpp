#include "dhan/history_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "dhan/history_cache.hpp"
#include "history_sim_fixture.hpp"
#include "sim/universe.hpp"

namespace fno::dhan {
namespace {

using testing::kNow;

std::vector<HistoryRequest> instruments(std::size_t n) {
  std::vector<HistoryRequest> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({sim::default_universe().at(i).key, InstrumentType::kFutStk});
  return out;
}

class HistoryLoaderSim : public testing::HistorySim {
 protected:
  HistoryOptions options(int hist_days = 5) {
    HistoryOptions o;
    o.base_url = sim_->rest_base_url();
    o.client_id = testing::kClientId;
    o.access_token = testing::kToken;
    o.hist_days = hist_days;
    o.backoff_initial = std::chrono::milliseconds(50);
    return o;
  }
  // Runs one warm-up to its end; false on a timeout.
  bool run(HistoryOptions o, std::vector<HistoryRequest> list) {
    delivered_.clear();
    done_ = false;
    fatal_.reset();
    loader_.emplace(io_, http_, std::move(o),
                    HistoryCallbacks{[this](market::InstrumentKey key, std::vector<market::Candle> c) {
                                       EXPECT_FALSE(delivered_.contains(key)) << "one batch per instrument";
                                       delivered_[key] = std::move(c);
                                     },
                                     [this] { done_ = true; }, [this](const std::string& m) { fatal_ = m; }});
    loader_->start(std::move(list), kNow);
    return run_until([this] { return done_ || fatal_.has_value(); });
  }
  void TearDown() override {
    loader_.reset();
    HistorySim::TearDown();
  }

  std::optional<HistoryLoader> loader_;
  std::map<market::InstrumentKey, std::vector<market::Candle>> delivered_;
  bool done_ = false;
  std::optional<std::string> fatal_;
};

TEST_F(HistoryLoaderSim, DeliversTheNewestCandlesOncePerInstrument) {
  start_sim();
  auto o = options(5);
  o.deliver_candles = 400;
  ASSERT_TRUE(run(o, instruments(3)));
  ASSERT_EQ(delivered_.size(), 3u);
  for (const auto& [key, candles] : delivered_) {
    ASSERT_EQ(candles.size(), 400u);
    EXPECT_EQ(candles.back().start, kNow - 60);
    for (std::size_t i = 1; i < candles.size(); ++i) EXPECT_LT(candles[i - 1].start, candles[i].start);
  }
  const auto p = loader_->progress();
  EXPECT_EQ(p.done, 3u);
  EXPECT_EQ(p.failed, 0u);
  EXPECT_EQ(p.requests, 3u);
  EXPECT_FALSE(p.running);
}

TEST_F(HistoryLoaderSim, ChunksLongHistoryAtNinetyDays) {
  start_sim(1000);
  auto o = options(200);
  o.requests_per_second = 1000;
  ASSERT_TRUE(run(o, instruments(2)));
  EXPECT_EQ(loader_->progress().failed, 0u);
  EXPECT_EQ(loader_->progress().requests, 6u);  // 90 + 90 + 20 days each
  EXPECT_EQ(sim_->counters().rest_requests, 6u);
  EXPECT_EQ(delivered_.size(), 2u);
}

TEST_F(HistoryLoaderSim, ConcurrencyNeverExceedsTheLimit) {
  start_sim(1000);
  auto o = options(3);
  o.requests_per_second = 1000;
  o.fetch_concurrency = 3;
  ASSERT_TRUE(run(o, instruments(20)));
  const auto p = loader_->progress();
  EXPECT_EQ(p.done, 20u);
  EXPECT_EQ(p.max_in_flight, 3u);  // reached, never exceeded
  EXPECT_LE(http_.stats().connections_opened, 3u);  // keep-alive: one connection per slot
}

TEST_F(HistoryLoaderSim, DefaultRateNeverTripsTheServerLimit) {
  start_sim(5);
  ASSERT_TRUE(run(options(2), instruments(12)));
  EXPECT_EQ(loader_->progress().done, 12u);
  EXPECT_EQ(sim_->counters().rest_rate_limited, 0u);
  EXPECT_EQ(loader_->progress().rate_limited, 0u);
}

TEST_F(HistoryLoaderSim, RateLimitedRequestsAreRetriedUntilEveryInstrumentCompletes) {
  start_sim(2);  // the server allows less than we send
  auto o = options(2);
  o.requests_per_second = 10;
  ASSERT_TRUE(run(o, instruments(8)));
  const auto p = loader_->progress();
  EXPECT_GT(sim_->counters().rest_rate_limited, 0u);
  EXPECT_EQ(p.rate_limited, sim_->counters().rest_rate_limited);
  EXPECT_EQ(p.done, 8u);
  EXPECT_EQ(p.failed, 0u);
  EXPECT_EQ(delivered_.size(), 8u);
}

TEST_F(HistoryLoaderSim, UnknownContractHasNoHistoryOthersComplete) {
  start_sim(1000);
  auto o = options(2);
  o.requests_per_second = 1000;
  auto list = instruments(2);
  list.push_back({{2, 999'999'999}, InstrumentType::kFutStk});
  ASSERT_TRUE(run(o, list));
  const auto p = loader_->progress();
  EXPECT_EQ(p.done, 3u);
  EXPECT_EQ(p.no_history, 1u);
  EXPECT_EQ(p.failed, 0u);
  EXPECT_EQ(delivered_.size(), 2u);
  EXPECT_FALSE(delivered_.contains({2, 999'999'999}));
}

TEST_F(HistoryLoaderSim, BadTokenStopsEverythingWithAClearMessage) {
  start_sim(1000, "the-right-token");
  auto o = options(2);
  o.access_token = "a-wrong-token";
  o.fetch_concurrency = 2;
  ASSERT_TRUE(run(o, instruments(30)));
  ASSERT_TRUE(fatal_.has_value());
  EXPECT_FALSE(done_);
  EXPECT_NE(fatal_->find("DH-901"), std::string::npos);
  EXPECT_NE(fatal_->find("expired"), std::string::npos);
  EXPECT_EQ(fatal_->find("a-wrong-token"), std::string::npos);
  run_until([] { return false; }, std::chrono::seconds(1));  // nothing more goes out
  EXPECT_LE(sim_->counters().rest_requests, 2u);
  EXPECT_TRUE(loader_->progress().fatal);
}

TEST_F(HistoryLoaderSim, ZeroDaysFinishesAtOnceWithoutRequests) {
  start_sim();
  ASSERT_TRUE(run(options(0), instruments(3)));
  EXPECT_TRUE(delivered_.empty());
  EXPECT_EQ(sim_->counters().rest_requests, 0u);
  // Nothing to warm up: /api/status must not show a warm-up that never ends.
  const auto p = loader_->progress();
  EXPECT_EQ(p.total, 0u);
  EXPECT_FALSE(p.running);
  EXPECT_FALSE(p.eta_seconds);
}

TEST_F(HistoryLoaderSim, NetworkErrorsAreRetriedABoundedNumberOfTimes) {
  start_sim();
  auto o = options(2);
  o.base_url = "http://127.0.0.1:1/v2";  // nothing listens there
  o.max_retries = 2;
  ASSERT_TRUE(run(o, instruments(2)));
  const auto p = loader_->progress();
  EXPECT_EQ(p.failed, 2u);
  EXPECT_EQ(p.requests, 6u);  // 1 + 2 retries each
  EXPECT_TRUE(done_);
}

class HistoryCacheSim : public HistoryLoaderSim {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fno_history_test_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    HistoryLoaderSim::TearDown();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(HistoryCacheSim, RestartWithAWarmCacheSendsNoRequest) {
  start_sim(1000);
  auto o = options(10);
  o.requests_per_second = 1000;
  o.cache_path = dir_ / "candles.sqlite";
  ASSERT_TRUE(run(o, instruments(4)));
  const auto first = delivered_;
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(sim_->counters().rest_requests, 4u);

  ASSERT_TRUE(run(o, instruments(4)));  // a new loader: the restart
  EXPECT_EQ(sim_->counters().rest_requests, 4u);  // zero new requests
  EXPECT_EQ(loader_->progress().from_cache, 4u);
  ASSERT_EQ(delivered_.size(), 4u);
  for (const auto& [key, candles] : first) {
    const auto& again = delivered_.at(key);
    ASSERT_EQ(again.size(), candles.size());
    for (std::size_t i = 0; i < candles.size(); ++i) {
      EXPECT_EQ(again[i].start, candles[i].start);
      EXPECT_DOUBLE_EQ(again[i].close, candles[i].close);
      EXPECT_EQ(again[i].volume, candles[i].volume);
    }
  }
}

TEST_F(HistoryCacheSim, LaterRestartFetchesOnlyTheMissingPartAndPrunes) {
  start_sim(1000);
  auto o = options(10);
  o.requests_per_second = 1000;
  o.cache_path = dir_ / "candles.sqlite";
  ASSERT_TRUE(run(o, instruments(2)));
  std::size_t before = 0;
  {
    HistoryCache cache(o.cache_path);
    before = cache.candle_count();
    // Pretend the last run ended an hour earlier.
    for (const auto& r : instruments(2)) cache.store(r.key, {}, {warm_up_window(kNow, 10).from, kNow - 3600});
  }
  o.hist_days = 3;  // shorter window: older candles are pruned
  ASSERT_TRUE(run(o, instruments(2)));
  EXPECT_EQ(sim_->counters().rest_requests, 4u);  // one gap request per instrument
  HistoryCache cache(o.cache_path);
  EXPECT_LT(cache.candle_count(), before);
  EXPECT_EQ(cache.coverage(instruments(1)[0].key), (IstRange{warm_up_window(kNow, 3).from, kNow}));
}

}  // namespace
}  // namespace fno::dhan
