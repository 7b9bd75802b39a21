// History warm-up against the simulator: 200 instruments × 60 days of
// 1-minute candles at Dhan's 5 req/s. Reports the wall time against the
// theoretical bound (requests ÷ 5 per second); target within 5 %, 0 errors.
// The simulator runs on its own thread, as Dhan would be elsewhere.
#include <benchmark/benchmark.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "dhan/history_loader.hpp"
#include "sim/simulator.hpp"
#include "sim/universe.hpp"

namespace {

namespace asio = boost::asio;
using namespace fno;

constexpr std::size_t kInstruments = 200;
constexpr int kDays = 60;

// 2026-11-24 (a Tuesday) 11:00 IST.
const market::IstSeconds kNow = market::ist_midnight(std::chrono::year_month_day{
                                    std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{24}}) +
                                11 * 3600;

std::vector<sim::SimInstrument> universe() {
  auto list = sim::default_universe();
  for (std::uint32_t extra = 0; list.size() < kInstruments; ++extra) {
    auto copy = list[extra];
    copy.key.security_id += 900'000;  // unique synthetic ids
    list.push_back(copy);
  }
  list.resize(kInstruments);
  return list;
}

void BM_HistoryWarmUp(benchmark::State& state) {
  asio::io_context sim_io;
  auto guard = asio::make_work_guard(sim_io);
  sim::SimulatorOptions so;
  so.start_time = kNow;
  so.instruments = universe();
  std::optional<sim::Simulator> simulator(std::in_place, sim_io, so);
  std::thread sim_thread([&] { sim_io.run(); });

  for (auto _ : state) {
    asio::io_context io;
    net::HttpClient http(io, {});
    dhan::HistoryOptions o;
    o.base_url = simulator->rest_base_url();
    o.client_id = "1000000001";
    o.access_token = "fake-bench-token";
    o.hist_days = kDays;
    o.fetch_concurrency = 6;
    std::vector<dhan::HistoryRequest> list;
    for (const auto& inst : so.instruments) list.push_back({inst.key, dhan::InstrumentType::kFutStk});
    dhan::HistoryLoader loader(io, http, o, {[](auto, auto) {}, [&io] { io.stop(); }, [&io](auto&) { io.stop(); }});
    const auto start = std::chrono::steady_clock::now();
    loader.start(std::move(list), kNow);
    io.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto p = loader.progress();
    const double bound = static_cast<double>(p.requests) / o.requests_per_second;
    state.counters["seconds"] = seconds;
    state.counters["bound_seconds"] = bound;
    state.counters["vs_bound_pct"] = 100.0 * (seconds - bound) / bound;
    state.counters["requests"] = static_cast<double>(p.requests);
    state.counters["errors"] = static_cast<double>(p.failed + p.rate_limited + (p.fatal ? 1 : 0));
    state.counters["rate_limited"] = static_cast<double>(p.rate_limited);
    state.counters["server_429"] = static_cast<double>(simulator->counters().rest_rate_limited);
    state.counters["done"] = static_cast<double>(p.done);
  }
  asio::post(sim_io, [&] { simulator->stop(); });
  guard.reset();
  sim_io.stop();
  sim_thread.join();
}

}  // namespace

BENCHMARK(BM_HistoryWarmUp)->Iterations(1)->Unit(benchmark::kSecond);
