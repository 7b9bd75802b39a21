// Record -> replay: a simulator session with scripted breakouts is recorded
// through the real feed client (the binary's frame tap), then replayed twice
// through codec, engine and alert store; both replays must store identical
// alerts, including the scripted ones. A damaged copy of the file replays up
// to the damage and says so.
#include "app/replay.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "alerts/reader.hpp"
#include "record/recording_reader.hpp"
#include "support/child_process.hpp"
#include "support/sim_recording.hpp"

namespace fno::app {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kInstruments = 4;
constexpr double kSimSpeed = 60;  // one simulated minute per second
constexpr auto kSession = 16s;    // 16 simulated minutes

std::vector<sim::SimInstrument> universe() { return test::first_instruments(kInstruments); }

sim::Scenario scripted_breakouts() {
  sim::Scenario s;
  s.steps.push_back({.at = 540, .action = sim::Action::kBreakout, .instrument = universe()[0].key});
  s.steps.push_back({.at = 780, .action = sim::Action::kBreakout, .instrument = universe()[1].key});
  return s;
}

// The recording the binary would make of this session (record.enabled).
std::filesystem::path record_session(const std::filesystem::path& dir) {
  const auto r = test::record_sim_session(dir, universe(), scripted_breakouts(), kSimSpeed, kSession, 15);
  EXPECT_TRUE(r.feed_stopped);
  EXPECT_EQ(r.drops, 0U);
  return r.file;
}

Config replay_config() {
  Config c;
  c.lookback = 5;  // no history in a replay: strategies warm up from recorded candles
  c.ema_short = 3;
  c.ema_long = 5;
  return c;
}

using Row = std::tuple<std::int64_t, std::uint32_t, std::string, std::string, int, double, std::string, std::string,
                       market::IstSeconds>;

// Every stored fact of every alert except the row id and the wall-clock creation time.
std::vector<Row> alert_rows(const std::filesystem::path& db) {
  std::vector<Row> rows;
  alerts::AlertReader reader(db);
  reader.for_each({}, [&](const alerts::Alert& a) {
    rows.emplace_back(a.time_ms, a.instrument.security_id, a.trading_symbol, a.strategy, static_cast<int>(a.kind),
                      a.price, a.reason, alerts::numbers_to_json(a.numbers), a.candle_time);
    return true;
  });
  std::sort(rows.begin(), rows.end());
  return rows;
}

ReplayResult replay(const std::filesystem::path& file, const std::filesystem::path& db) {
  ReplayOptions o;
  o.file = file;
  o.db_path = db;
  o.config = replay_config();
  return replay_recording(o);
}

class RecordReplay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("record_replay");
    file_ = record_session(dir_->path() / "recordings");
  }
  static void TearDownTestSuite() { delete dir_; }
  static test::TempDir* dir_;
  static std::filesystem::path file_;
};
test::TempDir* RecordReplay::dir_ = nullptr;
std::filesystem::path RecordReplay::file_;

TEST_F(RecordReplay, SameFileYieldsIdenticalAlerts) {
  const ReplayResult first = replay(file_, dir_->path() / "first.db");
  const ReplayResult second = replay(file_, dir_->path() / "second.db");
  EXPECT_EQ(first.damage, "");
  EXPECT_GT(first.packets, 500U);
  EXPECT_EQ(first.packets, second.packets);
  const auto a = alert_rows(dir_->path() / "first.db");
  const auto b = alert_rows(dir_->path() / "second.db");
  EXPECT_EQ(first.alerts, a.size());
  EXPECT_EQ(a, b);
  // The scripted breakouts are among them (the scenario's ground truth).
  for (std::size_t i : {0, 1}) {
    const auto key = universe()[i].key.security_id;
    EXPECT_TRUE(std::any_of(a.begin(), a.end(),
                            [&](const Row& r) { return std::get<1>(r) == key && std::get<3>(r) == "breakout"; }))
        << "no breakout alert for " << universe()[i].symbol;
  }
}

TEST_F(RecordReplay, TruncatedFileReplaysUpToTheDamage) {
  const auto damaged = dir_->path() / "damaged.fnorec";
  std::filesystem::copy_file(file_, damaged);
  std::filesystem::resize_file(damaged, std::filesystem::file_size(file_) - 7);
  const ReplayResult whole = replay(file_, dir_->path() / "whole.db");
  const ReplayResult part = replay(damaged, dir_->path() / "part.db");
  EXPECT_NE(part.damage.find("truncated"), std::string::npos) << part.damage;
  EXPECT_GT(part.frames, 0U);
  EXPECT_LT(part.frames, whole.frames);
}

TEST_F(RecordReplay, CliReportsDamageAfterAPartialReplay) {
  const auto damaged = dir_->path() / "cli-damaged.fnorec";
  std::filesystem::copy_file(file_, damaged);
  std::filesystem::resize_file(damaged, std::filesystem::file_size(file_) - 7);
  const auto r = test::run_to_completion({FNO_SCANNER_BIN, "replay", damaged.string(), "--db", "cli.db"}, dir_->path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("error: damaged recording"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("replayed "), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir_->path() / "cli.db"));

  std::ofstream(dir_->path() / "not-a-recording.fnorec") << "hello";
  const auto bad = test::run_to_completion({FNO_SCANNER_BIN, "replay", "not-a-recording.fnorec"}, dir_->path());
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("not an fno-scanner recording"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace fno::app
