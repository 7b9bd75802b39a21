// Recorder overhead at the feed's peak rate (issue 15: < 5 % CPU at 125k
// packets/s), on realistic Quote frames (1,000 instruments, moving prices and
// volumes). Per-frame costs: the network thread's on_frame (stamp + copy into
// the ring; unpaced, so the writer falls behind and most frames are counted
// drops) and the writer thread's append + zstd + write; `cpu_pct_at_125k` =
// 125,000 x CPU ns/frame / 1e9 x 100 (a fraction of one core). Then both
// threads paced at exactly 125k frames/s, as process CPU % of one core, next
// to the pacing loop alone (/0).
#include <benchmark/benchmark.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>
#include <thread>

#include <unistd.h>

#include "dhan/codec.hpp"
#include "record/recorder.hpp"
#include "record/recording_writer.hpp"

namespace {

using namespace fno;

constexpr double kPeakFramesPerSecond = 125'000;
constexpr std::size_t kFrames = 1 << 14;

std::vector<std::vector<std::uint8_t>> quote_frames() {
  std::mt19937 rng(7);
  std::vector<float> price(1000, 1000.0F);
  std::vector<std::uint32_t> volume(1000, 0);
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::size_t i = 0; i < kFrames; ++i) {
    const std::size_t k = rng() % price.size();
    price[k] += static_cast<float>(static_cast<int>(rng() % 11) - 5) * 0.05F;
    volume[k] += rng() % 500;
    dhan::QuoteBody q;
    q.ltp = price[k];
    q.ltq = static_cast<std::uint16_t>(1 + rng() % 50);
    q.ltt = 1'700'000'000U + static_cast<std::uint32_t>(i / 125);
    q.atp = price[k] - 1;
    q.volume = volume[k];
    q.open = q.close = q.low = 990;
    q.high = 1010;
    std::vector<std::uint8_t> bytes;
    dhan::encode(dhan::Packet{dhan::ResponseCode::kQuote, dhan::Segment::kNseFno, 40000U + static_cast<std::uint32_t>(k), q},
                 bytes);
    frames.push_back(std::move(bytes));
  }
  return frames;
}

std::filesystem::path bench_dir(const char* tag) {
  return std::filesystem::temp_directory_path() / (std::string("fno_bench_record_") + tag + "_" + std::to_string(::getpid()));
}

// Rate counters are divided by the benchmark's CPU time, then inverted.
void report(benchmark::State& state, std::uint64_t frames) {
  const auto n = static_cast<double>(frames);
  const auto per_frame = benchmark::Counter::kIsRate | benchmark::Counter::kInvert;
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.counters["ns_per_frame"] = benchmark::Counter(n / 1e9, per_frame);
  state.counters["cpu_pct_at_125k"] = benchmark::Counter(n / (kPeakFramesPerSecond * 100), per_frame);
}

// Network-thread cost: on_frame with the writer thread draining.
void BM_RecorderOnFrame(benchmark::State& state) {
  const auto frames = quote_frames();
  const auto dir = bench_dir("on_frame");
  record::RecordOptions options;
  options.writer.dir = dir;
  record::Recorder recorder(options, "{}");
  recorder.start();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(recorder.on_frame(1, frames[i++ & (kFrames - 1)]));
  }
  recorder.stop();
  state.counters["drops"] = static_cast<double>(recorder.status().drops);
  report(state, i);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RecorderOnFrame);

// Writer-thread cost: append + compress + write, per frame.
void BM_WriterAppend(benchmark::State& state) {
  const auto frames = quote_frames();
  const auto dir = bench_dir("writer");
  record::WriterOptions options;
  options.dir = dir;
  std::uint64_t raw = 0;
  std::uint64_t file = 0;
  std::size_t i = 0;
  {
    record::RecordingWriter writer(options);
    const std::int64_t start_ns = 1'700'000'000LL * 1'000'000'000LL;
    for (auto _ : state) {
      const auto& f = frames[i & (kFrames - 1)];
      writer.append(record::FrameView{start_ns + static_cast<std::int64_t>(i) * 8000, 1, f});
      ++i;
    }
    writer.flush();
    raw = writer.stats().raw_bytes;
    file = writer.stats().file_bytes;
  }
  state.counters["compression_ratio"] = file > 0 ? static_cast<double>(raw) / static_cast<double>(file) : 0;
  report(state, i);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WriterAppend);

// Both threads at the real rate: 125,000 frames in one second of wall time
// (batches of 125 every millisecond), process CPU time over wall time.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void BM_RecorderAt125k(benchmark::State& state) {
  const bool record_on = state.range(0) != 0;  // 0: the pacing loop alone, the baseline to subtract
  const auto frames = quote_frames();
  const auto dir = bench_dir("paced");
  record::RecordOptions options;
  options.writer.dir = dir;
  record::Recorder recorder(options, "{}");
  recorder.start();
  constexpr int kBatches = 1000;
  constexpr std::size_t kPerBatch = static_cast<std::size_t>(kPeakFramesPerSecond) / kBatches;
  double cpu = 0;
  double wall = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const double cpu_start = process_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    for (int b = 0; b < kBatches; ++b) {
      for (std::size_t k = 0; k < kPerBatch; ++k) {
        const auto& frame = frames[i++ & (kFrames - 1)];
        if (record_on) recorder.on_frame(1, frame);
        benchmark::DoNotOptimize(frame.data());
      }
      std::this_thread::sleep_until(start + std::chrono::milliseconds(b + 1));
    }
    cpu += process_cpu_seconds() - cpu_start;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  recorder.stop();
  state.counters["process_cpu_pct"] = wall > 0 ? 100 * cpu / wall : 0;
  state.counters["drops"] = static_cast<double>(recorder.status().drops);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RecorderAt125k)->Arg(0)->Arg(1)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
