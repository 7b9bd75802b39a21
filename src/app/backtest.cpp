#include "app/backtest.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "app/scanner_app.hpp"
#include "market/calendar.hpp"

namespace fno::app {

namespace {

struct RunPlan {
  scan::ParamCombo params;
  scan::ScannerConfig config;
};

// One ScannerConfig per combination, each checked by building its Backtester.
std::vector<RunPlan> plan_runs(const BacktestOptions& o, bool always_open) {
  if (o.strategies.empty()) throw std::invalid_argument("--strategy needs at least one strategy id");
  const auto registry = scan::StrategyRegistry::with_builtins();
  const scan::ScannerConfig base = scanner_config(o.config, always_open);
  std::vector<RunPlan> plans;
  for (auto& combo : scan::expand_sweep(o.params)) {
    scan::ScannerConfig config = base;
    config.strategies = scan::sweep_settings(registry, base.strategy_defaults(), base.strategies, o.strategies, combo);
    scan::Backtester check(config, o.horizon_minutes, registry);
    plans.push_back({std::move(combo), std::move(config)});
  }
  return plans;
}

struct RunResult {
  std::vector<scan::StrategyScore> scores;
  std::vector<BacktestSignal> signals;
};

RunResult run_one(const RunPlan& plan, std::size_t index, const BacktestOptions& o, const SourcedCandles& data) {
  scan::Backtester backtester(plan.config, o.horizon_minutes);
  RunResult result;
  for (const auto& id : o.strategies) result.scores.push_back(scan::StrategyScore{id});
  for (const auto& item : data.instruments) {
    for (auto& outcome : backtester.run(item.instrument, item.candles)) {
      for (auto& score : result.scores) {
        if (score.strategy == outcome.signal.strategy) score.add(outcome);
      }
      result.signals.push_back({index, item.instrument.symbol, std::move(outcome)});
    }
  }
  std::stable_sort(result.signals.begin(), result.signals.end(), [](const auto& a, const auto& b) {
    return a.outcome.signal.candle_time < b.outcome.signal.candle_time;
  });
  return result;
}

// Runs every plan on a small pool; results in plan order.
std::vector<RunResult> run_all(const std::vector<RunPlan>& plans, const BacktestOptions& o,
                               const SourcedCandles& data) {
  std::vector<RunResult> results(plans.size());
  const std::size_t threads =
      std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(plans.size(), 1));
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < plans.size(); i = next++) {
        try {
          results[i] = run_one(plans[i], i, o, data);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  return results;
}

std::string date_text(std::chrono::year_month_day d) {
  return market::format_ist(market::ist_midnight(d)).substr(0, 10);
}

// backtests/20261201T074809Z-breakout, made unique with -2, -3, ...
std::filesystem::path default_dir(const BacktestOptions& o, std::chrono::system_clock::time_point now) {
  std::string name = fmt::format("{:%Y%m%dT%H%M%SZ}", std::chrono::floor<std::chrono::seconds>(now));
  for (const auto& id : o.strategies) name += "-" + id;
  const std::filesystem::path root = backtest_dir(o.config);
  std::filesystem::path dir = root / name;
  std::error_code ec;
  for (int n = 2; std::filesystem::exists(dir, ec); ++n) dir = root / fmt::format("{}-{}", name, n);
  return dir;
}

}  // namespace

BacktestOutcome run_backtest(const BacktestOptions& o) {
  const bool recording = o.source.kind == CandleSource::Kind::kRecording;
  if (!recording && (!o.from || !o.to)) throw std::invalid_argument("--from and --to are required (YYYY-MM-DD)");
  if (o.from.has_value() != o.to.has_value()) throw std::invalid_argument("give both --from and --to, or neither");
  if (o.from && *o.from > *o.to) throw std::invalid_argument("--from must not be after --to");
  plan_runs(o, false);  // fail on bad settings before loading anything

  CandleQuery query{o.source, std::nullopt, o.instruments, o.config, o.credentials};
  if (o.from)
    query.window = dhan::IstRange{market::ist_midnight(*o.from), market::ist_midnight(*o.to) + market::kSecondsPerDay};
  const SourcedCandles data = load_candles(query);
  const std::vector<RunPlan> plans = plan_runs(o, data.always_open);
  const auto results = run_all(plans, o, data);

  const auto now = std::chrono::system_clock::now();
  BacktestOutcome out;
  out.dir = o.out_dir.empty() ? default_dir(o, now) : o.out_dir;
  out.damage = data.damage;
  BacktestSummary& s = out.summary;
  s.id = out.dir.filename().string();
  s.created = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(now));
  s.strategies = o.strategies;
  s.horizon_minutes = o.horizon_minutes;
  s.source = recording ? "recording" : o.source.name();
  if (recording) s.recording_file = o.source.file.filename().string();
  s.instruments = data.instruments.size();
  s.candles = data.candle_count();
  if (o.from) {
    s.from = date_text(*o.from);
    s.to = date_text(*o.to);
  } else if (!data.instruments.empty()) {
    market::IstSeconds first = data.instruments[0].candles.front().start, last = first;
    for (const auto& i : data.instruments) {
      first = std::min(first, i.candles.front().start);
      last = std::max(last, i.candles.back().start);
    }
    s.from = market::format_ist(first).substr(0, 10);
    s.to = market::format_ist(last).substr(0, 10);
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    s.runs.push_back({plans[i].params, results[i].scores});
    s.signals.insert(s.signals.end(), results[i].signals.begin(), results[i].signals.end());
  }
  write_backtest(s, out.dir);
  return out;
}

}  // namespace fno::app
