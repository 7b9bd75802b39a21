// Alert store benchmarks: insert throughput through the writer thread,
// filtered keyset-page latency on a 1,000,000-alert database, and CSV export
// of all 1,000,000 rows. The 1M database is built once per run in a temp dir.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "alerts/csv_export.hpp"
#include "alerts/reader.hpp"
#include "alerts/store.hpp"

namespace {

namespace fs = std::filesystem;
using fno::alerts::Alert;
using fno::alerts::AlertFilter;

constexpr int kRows = 1000000;
constexpr std::int64_t kStartUtcMs = 1736135100LL * 1000;  // 2025-01-06 09:15 IST
const char* const kStrategies[] = {"breakout", "ema_cross", "volume_spike", "vwap_reclaim", "orb"};
const char* const kUnderlyings[] = {"NIFTY", "BANKNIFTY", "RELIANCE", "TCS", "INFY", "HDFCBANK", "SBIN", "ITC"};

// Alert n of a synthetic 60-trading-day history: ~1000 instruments, five
// strategies, unique dedupe keys.
Alert synthetic(std::int64_t n) {
  Alert a;
  const auto instrument = static_cast<std::uint32_t>(n % 997);
  a.time_ms = kStartUtcMs + n * 5184;  // 1M alerts spread over 60 days
  a.created_ms = a.time_ms;
  a.instrument = {2, 35000 + instrument};
  a.underlying = kUnderlyings[instrument % 8];
  a.trading_symbol = a.underlying + "-FUT-" + std::to_string(instrument);
  a.strategy = kStrategies[n % 5];
  a.kind = n % 4 == 0 ? fno::scan::SignalKind::kBearish : fno::scan::SignalKind::kBullish;
  a.price = 50.0 + static_cast<double>(n % 5000);
  a.reason = "close crossed above resistance with volume 2.1x the 50-candle average";
  a.numbers = {{"resistance", a.price - 1.5}, {"volume", 12000}, {"avg_volume", 5600}};
  a.candle_time = fno::market::ist_from_utc(kStartUtcMs / 1000) + n * 60;
  return a;
}

fs::path temp_db(const std::string& tag) {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("fno_bench_alerts_" + tag + std::to_string(rd()));
  fs::create_directories(dir);
  return dir / "alerts.db";
}

void fill(const fs::path& db, std::int64_t from, std::int64_t to) {
  fno::alerts::StoreOptions o;
  o.db_path = db;
  o.channels = {"telegram"};
  fno::alerts::AlertStore store(o, nullptr);
  for (std::int64_t n = from; n < to; ++n) {
    while (!store.submit(synthetic(n))) store.flush(std::chrono::seconds(60));
  }
  store.flush(std::chrono::minutes(10));
}

// The 1M database, built on first use and removed at exit.
const fs::path& million_db() {
  static const struct Db {
    fs::path path = temp_db("1m");
    Db() { fill(path, 0, kRows); }
    ~Db() {
      std::error_code ec;
      fs::remove_all(path.parent_path(), ec);
    }
  } db;
  return db.path;
}

void BM_InsertThroughput(benchmark::State& state) {
  const fs::path db = temp_db("insert");
  std::int64_t next = 0;
  for (auto _ : state) {
    fill(db, next, next + state.range(0));
    next += state.range(0);
  }
  state.SetItemsProcessed(next);
  std::error_code ec;
  fs::remove_all(db.parent_path(), ec);
}
BENCHMARK(BM_InsertThroughput)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Filter variants: 0 none, 1 strategy, 2 underlying, 3 symbol, 4 IST day +
// strategy, 5 kind + min price, 6 deep page (cursor half-way) + underlying.
void BM_FilteredPage(benchmark::State& state) {
  fno::alerts::AlertReader reader(million_db());
  AlertFilter f;
  std::optional<fno::alerts::PageCursor> cursor;
  switch (state.range(0)) {
    case 1: f.strategy = "ema_cross"; break;
    case 2: f.underlying = "RELIANCE"; break;
    case 3: f.trading_symbol = "TCS-FUT-11"; break;
    case 4:
      f.from_day = std::chrono::year_month_day(std::chrono::year(2025), std::chrono::month(2), std::chrono::day(3));
      f.to_day = f.from_day;
      f.strategy = "breakout";
      break;
    case 5:
      f.kind = fno::scan::SignalKind::kBearish;
      f.min_price = 4000;
      break;
    case 6:
      f.underlying = "RELIANCE";
      cursor = fno::alerts::PageCursor{synthetic(kRows / 2).time_ms, kRows / 2};
      break;
    default: break;
  }
  std::size_t rows = 0;
  for (auto _ : state) {
    auto page = reader.page(f, cursor, 50);
    rows = page.alerts.size();
    benchmark::DoNotOptimize(page);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_FilteredPage)->DenseRange(0, 6)->Unit(benchmark::kMicrosecond);

void BM_CsvExport1M(benchmark::State& state) {
  fno::alerts::AlertReader reader(million_db());
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    const auto r = fno::alerts::export_csv(reader, {}, [&](std::string_view piece) {
      bytes += piece.size();
      return true;
    });
    benchmark::DoNotOptimize(r);
  }
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_CsvExport1M)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
