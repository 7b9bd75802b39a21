#include "dhan/history_plan.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dhan/history_client.hpp"
#include "dhan/history_rate_limit.hpp"
#include "history_sim_fixture.hpp"
#include "sim/market_model.hpp"
#include "sim/rest_api.hpp"
#include "sim/universe.hpp"

namespace fno::dhan {
namespace {

using testing::kNow;
const market::MarketCalendar kNse;

TEST(HistoryPlan, WindowIsCalendarDaysBackToTheLastClosedMinute) {
  const auto w = warm_up_window(kNow + 42, 60);
  EXPECT_EQ(market::format_ist(w.from), "2026-09-25 00:00:00");
  EXPECT_EQ(w.to, kNow);
}

TEST(HistoryPlan, SplitsAtNinetyDays) {
  const auto w = warm_up_window(kNow, 200);
  const auto ranges = plan_fetch(w, std::nullopt, kNse, kMaxIntradayRequestSeconds);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].from, w.from);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_LE(ranges[i].to - ranges[i].from, kMaxIntradayRequestSeconds);
    if (i > 0) {
      EXPECT_EQ(ranges[i].from, ranges[i - 1].to);  // no gap, no overlap
    }
  }
  EXPECT_EQ(ranges.back().to, w.to);
  EXPECT_EQ(plan_fetch(warm_up_window(kNow, 90), std::nullopt, kNse, kMaxIntradayRequestSeconds).size(), 2u);
  EXPECT_EQ(plan_fetch(warm_up_window(kNow, 89), std::nullopt, kNse, kMaxIntradayRequestSeconds).size(), 1u);
}

TEST(HistoryPlan, FetchesOnlyTheGapsBesideTheCache) {
  const auto w = warm_up_window(kNow, 60);
  EXPECT_TRUE(plan_fetch(w, w, kNse, kMaxIntradayRequestSeconds).empty());
  const IstRange older{w.from, kNow - 3600};  // cached until an hour ago
  const auto ranges = plan_fetch(w, older, kNse, kMaxIntradayRequestSeconds);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0], (IstRange{kNow - 3600, kNow}));
}

TEST(HistoryPlan, SkipsGapsWithoutSessionMinutes) {
  // Cached up to Friday's close; restarting on Saturday fetches nothing.
  const auto saturday = market::day_start(kNow) + 4 * market::kSecondsPerDay + 10 * 3600;
  const auto friday_close = market::day_start(kNow) + 3 * market::kSecondsPerDay + 15 * 3600 + 30 * 60;
  const auto w = warm_up_window(saturday, 60);
  EXPECT_TRUE(plan_fetch(w, IstRange{w.from, friday_close}, kNse, kMaxIntradayRequestSeconds).empty());
  EXPECT_EQ(plan_fetch(w, IstRange{w.from, friday_close - 60}, kNse, kMaxIntradayRequestSeconds).size(), 1u);
}

using Clock = RequestRateLimiter::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const auto kT0 = Clock::time_point{} + std::chrono::hours(1);

TEST(HistoryRateLimit, RoomReturnsOneWindowAfterTheEarlierOfReplyAndBound) {
  RequestRateLimiter limiter(5.0, milliseconds(25));
  std::vector<RequestRateLimiter::Ticket> tickets;
  for (int i = 0; i < 5; ++i) {
    const auto at = kT0 + i * limiter.spacing();
    ASSERT_EQ(limiter.next_start(at), at) << i;
    tickets.push_back(limiter.acquire(at));
  }
  EXPECT_EQ(limiter.spacing(), milliseconds(200));
  // The first reply came after its bound: the bound (send + 25 ms) counts.
  limiter.release(tickets[0], kT0 + milliseconds(90));
  EXPECT_EQ(limiter.next_start(kT0 + milliseconds(800)), kT0 + milliseconds(1025));
  // A reply before the bound counts instead.
  RequestRateLimiter quick(5.0, milliseconds(25));
  const auto first = quick.acquire(kT0);
  quick.release(first, kT0 + milliseconds(10));
  for (int i = 1; i < 5; ++i) quick.acquire(kT0 + i * quick.spacing());
  EXPECT_EQ(quick.next_start(kT0 + milliseconds(800)), kT0 + milliseconds(1010));
}

TEST(HistoryRateLimit, UnboundedAdmissionWaitsForTheReply) {
  RequestRateLimiter limiter(5.0, Clock::duration::max());
  std::vector<RequestRateLimiter::Ticket> tickets;
  for (int i = 0; i < 5; ++i) tickets.push_back(limiter.acquire(kT0 + i * limiter.spacing()));
  EXPECT_EQ(limiter.next_start(kT0 + seconds(5)), Clock::time_point::max());  // all five in flight
  limiter.release(tickets[0], kT0 + seconds(5));
  EXPECT_EQ(limiter.next_start(kT0 + seconds(5)), kT0 + seconds(6));
}

TEST(HistoryRateLimit, RequestsOnNewConnectionsWaitForTheirReply) {
  RequestRateLimiter limiter(5.0, milliseconds(25));
  std::vector<RequestRateLimiter::Ticket> tickets;
  for (int i = 0; i < 5; ++i) tickets.push_back(limiter.acquire(kT0 + i * limiter.spacing(), true));
  EXPECT_EQ(limiter.next_start(kT0 + seconds(2)), Clock::time_point::max());
  limiter.release(tickets[2], kT0 + milliseconds(700));
  EXPECT_EQ(limiter.next_start(kT0 + seconds(1)), kT0 + milliseconds(1700));
}

TEST(HistoryRateLimit, RateLimitPausesAndDoublesTheBound) {
  RequestRateLimiter limiter(5.0, milliseconds(25));
  for (int i = 0; i < 5; ++i) limiter.acquire(kT0 + i * limiter.spacing());
  EXPECT_EQ(limiter.next_start(kT0 + seconds(1)), kT0 + milliseconds(1025));
  limiter.on_rate_limited(kT0 + seconds(1));
  EXPECT_EQ(limiter.admission_bound(), milliseconds(50));
  // Requests still in flight may have been counted late too.
  EXPECT_EQ(limiter.next_start(kT0 + seconds(1)), kT0 + milliseconds(1050));
  limiter.on_rate_limited(kT0 + seconds(2));
  EXPECT_EQ(limiter.next_start(kT0), kT0 + seconds(2));
  EXPECT_EQ(limiter.admission_bound(), milliseconds(100));
  for (int i = 0; i < 20; ++i) limiter.on_rate_limited(kT0);
  EXPECT_EQ(limiter.admission_bound(), std::chrono::minutes(1));  // capped: past any request timeout
}

// One simulated client (limiter + concurrency cap, like HistoryLoader) against
// the simulator's own RestApi on a single FIFO handler thread: a request is
// counted when the handler picks it up (as in sim/), processed, then replied.
struct WindowRun {
  std::size_t admitted = 0;
  std::size_t rate_limited = 0;
  std::vector<Clock::time_point> counted;  // handler times of admitted requests
};

struct ServerModel {
  milliseconds max_latency;     // each way
  milliseconds max_processing;  // after counting
  Clock::duration admission_bound;
};

WindowRun run_against_simulator(const ServerModel& m, seconds span) {
  const std::vector<sim::SimInstrument> universe(sim::default_universe().begin(), sim::default_universe().begin() + 1);
  const sim::MarketModel model(universe, sim::ModelOptions{}, testing::kNow);
  sim::RestApi server(model, kNse, "", sim::RestOptions{});
  web::Request req{boost::beast::http::verb::post, sim::kIntradayPath, 11};
  req.set("client-id", testing::kClientId);
  req.set("access-token", testing::kToken);  // empty body: DH-905 once admitted, cheap

  RequestRateLimiter limiter(5.0, m.admission_bound);
  std::mt19937_64 rng(42);
  auto random_ms = [&](milliseconds max) {
    return milliseconds(std::uniform_int_distribution<std::int64_t>(0, max.count())(rng));
  };
  struct InFlight {
    RequestRateLimiter::Ticket ticket;
    Clock::time_point reply;
  };
  std::vector<InFlight> in_flight;
  Clock::time_point server_free = kT0;
  WindowRun run;
  for (auto now = kT0; now < kT0 + span; now += milliseconds(1)) {
    std::erase_if(in_flight, [&](const InFlight& f) {
      if (f.reply > now) return false;
      limiter.release(f.ticket, f.reply);
      return true;
    });
    while (in_flight.size() < 6 && limiter.next_start(now) <= now) {
      const auto ticket = limiter.acquire(now);
      const auto handled = std::max(now + random_ms(m.max_latency), server_free);
      const auto status = server.handle(req, handled).result();
      if (status == boost::beast::http::status::too_many_requests) {
        ++run.rate_limited;
      } else {
        ++run.admitted;
        run.counted.push_back(handled);
      }
      server_free = handled + random_ms(m.max_processing);
      in_flight.push_back({ticket, server_free + random_ms(m.max_latency)});
    }
  }
  return run;
}

void expect_window_never_overfull(const WindowRun& run) {
  for (std::size_t i = 5; i < run.counted.size(); ++i) {
    ASSERT_GE(run.counted[i] - run.counted[i - 5], seconds(1)) << "6 requests within one second at " << i;
  }
}

TEST(HistoryRateLimit, NeverMoreThanCapacityInAnyServerWindow) {
  // Within the contract: counted within the bound of the send (latency), the
  // handler busy for up to 150 ms per request.
  const auto run = run_against_simulator({milliseconds(12), milliseconds(150), milliseconds(25)}, seconds(140));
  EXPECT_EQ(run.rate_limited, 0u);
  expect_window_never_overfull(run);
  // Tight: at least 95 % of 5 req/s over the 140 s.
  EXPECT_GE(run.admitted, 665u);
  EXPECT_LE(run.admitted, 700u);
}

TEST(HistoryRateLimit, UnboundedAdmissionIsSafeWhateverTheServerDoes) {
  // Handler latency and processing far beyond any bound: only replies bound
  // the count, which still never overfills a window, at 5 per (1 s + round trip).
  const auto run = run_against_simulator({milliseconds(100), milliseconds(300), Clock::duration::max()}, seconds(140));
  EXPECT_EQ(run.rate_limited, 0u);
  expect_window_never_overfull(run);
  EXPECT_GE(run.admitted, 5u * 140u * 1000u / 1600u);
}

}  // namespace
}  // namespace fno::dhan
