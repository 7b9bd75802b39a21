// Instrument master: parse time and memory for a 250k-row live-format file
// (targets: < 0.2 s, < 40 MB resident), and autocomplete query latency
// (target: < 1 ms). The synthetic file stays in the temp directory so
// bench/reference/parse_master.py can time Python's csv module on it.
#include <benchmark/benchmark.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "dhan/instrument_search.hpp"
#include "dhan/instruments_csv.hpp"
#include "gen/synthetic_master.hpp"

namespace {

constexpr std::size_t kRows = 250'000;

const std::filesystem::path& master_path() {
  static const std::filesystem::path path = [] {
    auto p = std::filesystem::temp_directory_path() / "fno_synthetic_master_250k.csv";
    fno::bench::write_synthetic_master(p, kRows);
    return p;
  }();
  return path;
}

// Resident set size in MB from /proc/self/status ("VmRSS" or "VmHWM").
double proc_mb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string key;
  double kb = 0;
  while (status >> key) {
    if (key == field + ":") {
      status >> kb;
      return kb / 1024.0;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

void BM_ParseMaster250k(benchmark::State& state) {
  const auto& path = master_path();
  // Resident growth of one parse whose table stays alive (measured once, before
  // the allocator holds freed pages from earlier iterations).
  const double before = proc_mb("VmRSS");
  const fno::dhan::ParsedMaster kept = fno::dhan::parse_master_file(path);
  const double rss_growth = proc_mb("VmRSS") - before;
  std::size_t accepted = 0;
  std::size_t table_bytes = 0;
  for (auto _ : state) {
    fno::dhan::ParsedMaster parsed = fno::dhan::parse_master_file(path);
    accepted = parsed.report.accepted;
    table_bytes = parsed.table.memory_bytes();
    benchmark::DoNotOptimize(parsed);
  }
  state.counters["rows"] = static_cast<double>(accepted);
  state.counters["table_MB"] = static_cast<double>(table_bytes) / (1024.0 * 1024.0);
  state.counters["rss_growth_MB"] = rss_growth;
  state.counters["rss_MB"] = proc_mb("VmRSS");
  state.counters["peak_rss_MB"] = proc_mb("VmHWM");
  state.counters["file_MB"] = static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0);
}
BENCHMARK(BM_ParseMaster250k)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_SearchIndexBuild250k(benchmark::State& state) {
  auto table = std::make_shared<const fno::dhan::InstrumentTable>(fno::dhan::parse_master_file(master_path()).table);
  std::size_t index_bytes = 0;
  for (auto _ : state) {
    fno::dhan::InstrumentSearch index(table);
    index_bytes = index.memory_bytes();
    benchmark::DoNotOptimize(index);
  }
  state.counters["index_MB"] = static_cast<double>(index_bytes) / (1024.0 * 1024.0);
}
BENCHMARK(BM_SearchIndexBuild250k)->Unit(benchmark::kMillisecond);

// Includes the worst cases: one letter (prefix of thousands of words), a bare
// common word ("NIFTY" is in ~1/9 of all rows), substrings of many words.
constexpr std::array<const char*, 8> kQueries{"N", "NIFTY", "nifty 21000 ce", "BANKNIFTY FEB", "AUTO",
                                              "ltd", "midcp", "E"};

void BM_SearchQuery250k(benchmark::State& state) {
  static const auto index = std::make_shared<const fno::dhan::InstrumentSearch>(
      std::make_shared<const fno::dhan::InstrumentTable>(fno::dhan::parse_master_file(master_path()).table));
  const char* query = kQueries[static_cast<std::size_t>(state.range(0))];
  for (auto _ : state) benchmark::DoNotOptimize(index->search(query, 20));
  state.SetLabel(query);
}
BENCHMARK(BM_SearchQuery250k)->DenseRange(0, kQueries.size() - 1)->Unit(benchmark::kMicrosecond);

}  // namespace
