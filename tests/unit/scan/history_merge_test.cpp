// History warm-up + live merge (issue 8): whichever arrives first, the
// scanner must end up exactly where a pure in-order replay of the same
// candles puts it — history up to the first live minute, then the live
// candles — with the overlapping minutes counted once (live wins), and the
// live stream must alert exactly as if history had been there from the start.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "scan/scanner.hpp"
#include "strategy_test_support.hpp"

namespace fno::scan {
namespace {

using testing::kOpen;

constexpr market::InstrumentKey kFut{2, 1001};
constexpr std::size_t kDelivered = 400;  // what HistoryLoader hands over (deliver_candles)
constexpr int kSessionMinutes = 375;     // 09:15-15:30
constexpr int kLiveStart = 100;          // live joins at 10:55 on kOpen's day
constexpr int kLiveMinutes = 70;
constexpr int kOverlap = 5;  // history minutes live also builds

// Minute `index` of kOpen's day (negative: the previous session).
market::IstSeconds minute(int index) {
  if (index >= 0) return kOpen + 60 * index;
  return kOpen - market::kSecondsPerDay + 60 * (kSessionMinutes + index);
}

// A deterministic, tick-aligned walk with a rally late in the live part so
// that breakouts fire.
double price_at(int index) {
  const double wave = 6.0 * std::sin(index / 7.0) + 3.0 * std::sin(index / 2.3);
  const double rally = index > kLiveStart + 40 ? 1.5 * (index - kLiveStart - 40) : 0.0;
  return std::round((200.0 + wave + rally) * 20.0) / 20.0;
}

std::uint64_t volume_at(int index) { return 1000 + static_cast<std::uint64_t>((index * 7919) % 900); }

// Dhan's history for minutes [first, end): what a fetch made at various times returns.
std::vector<market::Candle> history(int first, int end) {
  std::vector<market::Candle> out;
  for (int i = first; i < end; ++i) {
    market::Candle c;
    c.start = minute(i);
    c.open = price_at(i - 1);
    c.close = price_at(i);
    c.high = std::max(c.open, c.close) + 0.5;
    c.low = std::min(c.open, c.close) - 0.5;
    c.volume = volume_at(i);
    c.volume_known = true;
    c.ticks = 1;
    out.push_back(c);
  }
  return out;
}

// The newest kDelivered candles before `end`, as the loader delivers them.
std::vector<market::Candle> delivered_before(int end) { return history(end - static_cast<int>(kDelivered), end); }

// Four quotes per live minute: open, high, low, close, cumulative day volume.
std::vector<market::Tick> live_ticks() {
  std::vector<market::Tick> ticks;
  std::uint64_t day_volume = 50'000;
  for (int i = kLiveStart; i < kLiveStart + kLiveMinutes; ++i) {
    const double open = price_at(i - 1);
    const double close = price_at(i);
    const double prices[] = {open, std::max(open, close) + 0.5, std::min(open, close) - 0.5, close};
    const int seconds[] = {1, 20, 40, 55};
    for (int k = 0; k < 4; ++k) {
      market::Tick t;
      t.key = kFut;
      t.ltt = minute(i) + seconds[k];
      t.ltp = prices[k];
      t.day_volume = day_volume += volume_at(i) / 4;
      ticks.push_back(t);
    }
  }
  return ticks;
}

const market::IstSeconds kAfterLive = minute(kLiveStart + kLiveMinutes) + 30;

class Session {
 public:
  Session() { scanner_.add_instrument(kFut, "NIFTY-TEST-FUT", 0.05); }

  // Live ticks [from, to) of live_ticks().
  void live(std::size_t from, std::size_t to) {
    const auto ticks = live_ticks();
    for (std::size_t i = from; i < std::min(to, ticks.size()); ++i) keep(scanner_.on_tick(ticks[i]));
    if (to >= ticks.size()) keep(scanner_.on_timer(kAfterLive));
  }
  void warm_up(const std::vector<market::Candle>& candles) { scanner_.on_history(kFut, candles); }

  Scanner& scanner() { return scanner_; }
  const std::vector<Signal>& signals() const { return signals_; }

 private:
  void keep(std::vector<Signal> s) { signals_.insert(signals_.end(), s.begin(), s.end()); }
  Scanner scanner_{ScannerConfig{}};
  std::vector<Signal> signals_;
};

constexpr std::size_t kTicksPerMinute = 4;
constexpr std::size_t kAllTicks = kTicksPerMinute * kLiveMinutes;

// The live candles exactly as the builder cuts them (the first is partial).
std::vector<market::Candle> live_candles() {
  Session live_only;
  live_only.live(0, kAllTicks);
  return live_only.scanner().candles(kFut)->candles;
}

// The reference: one in-order replay of history before the first live minute, then live.
void replay(Session& reference, const std::vector<market::Candle>& delivered) {
  std::vector<market::Candle> candles;
  for (const auto& c : delivered) {
    if (c.start < minute(kLiveStart)) candles.push_back(c);
  }
  const auto live = live_candles();
  candles.insert(candles.end(), live.begin(), live.end());
  reference.warm_up(candles);
}

void expect_same_state(Scanner& merged, Scanner& reference) {
  const auto got = merged.snapshot(kFut);
  const auto want = reference.snapshot(kFut);
  ASSERT_TRUE(got && want);
  EXPECT_EQ(got->resistance, want->resistance);
  EXPECT_EQ(got->ema_short, want->ema_short);
  EXPECT_EQ(got->ema_long, want->ema_long);
  EXPECT_EQ(got->average_volume, want->average_volume);
  EXPECT_EQ(got->last_candle, want->last_candle);
  ASSERT_EQ(got->readiness.size(), want->readiness.size());
  for (std::size_t i = 0; i < got->readiness.size(); ++i) {
    EXPECT_EQ(got->readiness[i].strategy, want->readiness[i].strategy);
    EXPECT_EQ(got->readiness[i].candles, want->readiness[i].candles) << got->readiness[i].strategy;
    EXPECT_EQ(got->readiness[i].ready, want->readiness[i].ready);
  }
  const auto a = merged.candles(kFut);
  const auto b = reference.candles(kFut);
  ASSERT_EQ(a->candles.size(), b->candles.size());
  for (std::size_t i = 0; i < a->candles.size(); ++i) {
    const auto& x = a->candles[i];
    const auto& y = b->candles[i];
    ASSERT_EQ(x.start, y.start) << i;
    EXPECT_EQ(x.open, y.open) << i;
    EXPECT_EQ(x.high, y.high) << i;
    EXPECT_EQ(x.low, y.low) << i;
    EXPECT_EQ(x.close, y.close) << i;
    EXPECT_EQ(x.volume, y.volume) << i;
    EXPECT_EQ(x.partial, y.partial) << i;
  }
  EXPECT_EQ(a->resistance, b->resistance);
  EXPECT_EQ(a->ema_short, b->ema_short);
  EXPECT_EQ(a->ema_long, b->ema_long);
}

// Alerts of candles from minute `first` on: before history lands, strategies
// are still warming up and rightly stay silent.
std::vector<std::pair<std::string, market::IstSeconds>> alerted(const Session& run, int first = kLiveStart) {
  std::vector<std::pair<std::string, market::IstSeconds>> out;
  for (const auto& s : run.signals()) {
    if (s.candle_time >= minute(first)) out.emplace_back(s.strategy, s.candle_time);
  }
  return out;
}

class HistoryMerge : public ::testing::Test {
 protected:
  void SetUp() override {
    // History first, ending exactly where live begins: the plain case.
    clean_.warm_up(delivered_before(kLiveStart));
    clean_.live(0, kAllTicks);
    ASSERT_FALSE(clean_.signals().empty()) << "the rally must produce alerts, or the alert comparison proves nothing";
  }
  Session clean_;
};

TEST_F(HistoryMerge, HistoryBeforeLiveEqualsReplay) {
  Session reference;
  replay(reference, delivered_before(kLiveStart));
  expect_same_state(clean_.scanner(), reference.scanner());
  EXPECT_EQ(clean_.scanner().counters().history_overlap, 0u);
}

TEST_F(HistoryMerge, HistoryReachingIntoLiveMinutesCountsThemOnce) {
  const auto delivered = delivered_before(kLiveStart + kOverlap);
  Session merged;
  merged.warm_up(delivered);
  merged.live(0, kAllTicks);
  Session reference;
  replay(reference, delivered);
  expect_same_state(merged.scanner(), reference.scanner());
  EXPECT_EQ(merged.scanner().counters().history_overlap, static_cast<std::uint64_t>(kOverlap));
  EXPECT_EQ(alerted(merged), alerted(clean_));
}

TEST_F(HistoryMerge, HistoryAfterLiveCandlesEqualsReplay) {
  // Live first: ten minutes closed and one forming when history lands,
  // overlapping the first live minutes.
  const auto delivered = delivered_before(kLiveStart + kOverlap);
  Session merged;
  constexpr int kClosedBefore = 10;
  const std::size_t split = kClosedBefore * kTicksPerMinute + 2;
  merged.live(0, split);
  merged.warm_up(delivered);
  merged.live(split, kAllTicks);
  Session reference;
  replay(reference, delivered);
  expect_same_state(merged.scanner(), reference.scanner());
  EXPECT_EQ(merged.scanner().counters().history_overlap, static_cast<std::uint64_t>(kOverlap));
  const auto after_merge = alerted(clean_, kLiveStart + kClosedBefore);
  EXPECT_FALSE(after_merge.empty());
  EXPECT_EQ(alerted(merged), after_merge);
}

TEST_F(HistoryMerge, HistoryDuringTheFirstLiveMinuteEqualsReplay) {
  const auto delivered = delivered_before(kLiveStart + 1);
  Session merged;
  merged.live(0, 2);  // the first live minute is forming, nothing closed yet
  merged.warm_up(delivered);
  merged.live(2, kAllTicks);
  Session reference;
  replay(reference, delivered);
  expect_same_state(merged.scanner(), reference.scanner());
  EXPECT_EQ(merged.scanner().counters().history_overlap, 1u);
  EXPECT_EQ(alerted(merged), alerted(clean_));
}

}  // namespace
}  // namespace fno::scan
