// Record -> replay: a simulator session with scripted breakouts is recorded
// through the real feed client (the binary's frame tap), then replayed twice
// through codec, engine and alert store; both replays must store identical
// alerts, including the scripted ones. A damaged copy of the file replays up
// to the damage and says so. `replay --web` serves the same replay to real
// HTTP and WebSocket clients.
#include "app/replay.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <tuple>

#include "alerts/reader.hpp"
#include "record/recording_reader.hpp"
#include "support/child_process.hpp"
#include "support/sim_recording.hpp"
#include "support/ws_client.hpp"

namespace fno::app {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kInstruments = 4;
constexpr double kSimSpeed = 60;  // one simulated minute per second
constexpr auto kSession = 16s;    // 16 simulated minutes

std::vector<sim::SimInstrument> universe() { return test::first_instruments(kInstruments); }

// One breakout per instrument: the simulator skips one whose last candle
// already closed above its resistance, so several make "none left" unlikely.
sim::Scenario scripted_breakouts() {
  sim::Scenario s;
  const auto instruments = universe();
  for (std::size_t i = 0; i < instruments.size(); ++i) {
    s.steps.push_back({.at = 540 + 60.0 * static_cast<double>(i), .action = sim::Action::kBreakout,
                       .instrument = instruments[i].key});
  }
  return s;
}

// The recording the binary would make of this session (record.enabled),
// with the scripted breakouts the replay's rules (replay_config) accept.
// Checked by the tests, not here: a failure in SetUpTestSuite would only skip them.
test::SimRecording record_session(const std::filesystem::path& dir) {
  return test::record_sim_session(dir, universe(), scripted_breakouts(), kSimSpeed, kSession, 15,
                                  {.lookback = 5, .ema_short = 3, .ema_long = 5});
}

Config replay_config() {
  Config c;
  c.lookback = 5;  // no history in a replay: strategies warm up from recorded candles
  c.ema_short = 3;
  c.ema_long = 5;
  // A 5-candle resistance breaks often at random: no cooldown, so such a
  // breakout just before a scripted one cannot hide it.
  c.strategies["breakout"].params["cooldown_minutes"] = 0;
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
    recording_ = record_session(dir_->path() / "recordings");
  }
  static void TearDownTestSuite() { delete dir_; }
  static test::TempDir* dir_;
  static test::SimRecording recording_;
};
test::TempDir* RecordReplay::dir_ = nullptr;
test::SimRecording RecordReplay::recording_;

TEST_F(RecordReplay, RecordingIsCompleteAndHasGroundTruth) {
  EXPECT_TRUE(recording_.feed_stopped);
  EXPECT_EQ(recording_.drops, 0U);
  EXPECT_FALSE(recording_.expected.empty()) << "no scripted breakout is ground truth";
}

TEST_F(RecordReplay, SameFileYieldsIdenticalAlerts) {
  const ReplayResult first = replay(recording_.file, dir_->path() / "first.db");
  const ReplayResult second = replay(recording_.file, dir_->path() / "second.db");
  EXPECT_EQ(first.damage, "");
  EXPECT_GT(first.packets, 500U);
  EXPECT_EQ(first.packets, second.packets);
  const auto a = alert_rows(dir_->path() / "first.db");
  const auto b = alert_rows(dir_->path() / "second.db");
  EXPECT_EQ(first.alerts, a.size());
  EXPECT_EQ(a, b);
  // The scripted breakouts are among them (the scenario's ground truth).
  ASSERT_FALSE(recording_.expected.empty());
  for (const auto& e : recording_.expected) {
    EXPECT_TRUE(std::any_of(a.begin(), a.end(),
                            [&](const Row& r) {
                              return std::get<1>(r) == e.instrument.security_id && std::get<3>(r) == e.strategy &&
                                     std::get<8>(r) >= e.earliest && std::get<8>(r) <= e.latest;
                            }))
        << "no " << e.strategy << " alert for security " << e.instrument.security_id;
  }
}

TEST_F(RecordReplay, TruncatedFileReplaysUpToTheDamage) {
  const auto damaged = dir_->path() / "damaged.fnorec";
  std::filesystem::copy_file(recording_.file, damaged);
  std::filesystem::resize_file(damaged, std::filesystem::file_size(recording_.file) - 7);
  const ReplayResult whole = replay(recording_.file, dir_->path() / "whole.db");
  const ReplayResult part = replay(damaged, dir_->path() / "part.db");
  EXPECT_NE(part.damage.find("truncated"), std::string::npos) << part.damage;
  EXPECT_GT(part.frames, 0U);
  EXPECT_LT(part.frames, whole.frames);
}

TEST_F(RecordReplay, CliReportsDamageAfterAPartialReplay) {
  const auto damaged = dir_->path() / "cli-damaged.fnorec";
  std::filesystem::copy_file(recording_.file, damaged);
  std::filesystem::resize_file(damaged, std::filesystem::file_size(recording_.file) - 7);
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

// The dashboard on a replay: a WebSocket client connected while it plays sees
// mode "replay", scanner rows and alerts as they are stored; once the file
// ends the server keeps serving the same alerts a plain replay stores, and
// refuses changes.
TEST_F(RecordReplay, WebDashboardServesTheReplayAsItPlays) {
  const ReplayResult plain = replay(recording_.file, dir_->path() / "plain.db");
  ASSERT_GT(plain.alerts, 0U);
  const auto cwd = dir_->path() / "web";
  std::filesystem::create_directories(cwd);
  std::ofstream(cwd / "config.json") << R"({"lookback": 5, "ema_short": 3, "ema_long": 5,
      "strategies": {"breakout": {"cooldown_minutes": 0}}})";  // replay_config()
  // The live run's auth rules: beyond loopback only with DASHBOARD_TOKEN.
  const auto exposed = test::run_to_completion(
      {FNO_SCANNER_BIN, "replay", recording_.file.string(), "--web", "--bind", "0.0.0.0", "--db", "exposed.db"}, cwd);
  EXPECT_EQ(exposed.exit_code, 1) << exposed.output;
  EXPECT_NE(exposed.output.find("DASHBOARD_TOKEN is not set"), std::string::npos) << exposed.output;

  const int port = test::free_port();
  test::ChildProcess scanner({FNO_SCANNER_BIN, "replay", recording_.file.string(), "--web", "--port", std::to_string(port),
                              "--speed", "2", "--db", "web.db"},
                             cwd, {}, cwd / "out.txt");
  const auto first = test::wait_for_http(port, "/api/status", 20s);
  ASSERT_TRUE(first) << scanner.output();
  EXPECT_EQ(boost::json::parse(first->body).at("mode"), "replay") << first->body;

  test::WsClient ws(static_cast<std::uint16_t>(port), "/ws");
  ASSERT_FALSE(ws.error()) << ws.error().message();
  const auto hello = ws.read_type("hello");
  ASSERT_FALSE(hello.is_null());
  EXPECT_EQ(hello.at("data").at("mode"), "replay");
  std::set<std::int64_t> pushed;
  std::size_t rows = 0;
  bool finished = false;
  for (int i = 0; i < 5000 && !finished; ++i) {
    const auto text = ws.read();
    if (text.empty()) break;
    const auto message = boost::json::parse(text);
    const auto& type = message.at("type").as_string();
    const auto& data = message.at("data");
    if (type == "alert") pushed.insert(data.at("id").to_number<std::int64_t>());
    if (type == "snapshot" || type == "rows") rows = std::max(rows, data.at("rows").as_array().size());
    if (type == "status") {
      const auto* progress = data.as_object().if_contains("replay");
      finished = progress && progress->at("finished").as_bool();
    }
  }
  ASSERT_TRUE(finished) << "the replay never reported its end\n" << scanner.output();
  EXPECT_GT(rows, 0U);
  EXPECT_FALSE(pushed.empty()) << "no alert reached /ws while the replay played";

  // After the end: still serving, the same alerts as the plain replay.
  const auto status = boost::json::parse(test::http_get(port, "/api/status")->body);
  EXPECT_EQ(status.at("replay").at("frames").to_number<std::uint64_t>(), plain.frames);
  EXPECT_EQ(status.at("status"), "ok") << "a cleanly ended replay is not a degraded feed: " << status;
  const auto scanner_rows = boost::json::parse(test::http_get(port, "/api/scanner")->body);
  EXPECT_EQ(scanner_rows.at("total").to_number<std::size_t>(), kInstruments);
  const auto page = boost::json::parse(test::http_get(port, "/api/alerts?limit=1000")->body);
  std::set<std::int64_t> listed;
  for (const auto& a : page.at("alerts").as_array()) listed.insert(a.at("id").to_number<std::int64_t>());
  EXPECT_EQ(listed.size(), plain.alerts);
  for (const auto id : pushed) EXPECT_TRUE(listed.contains(id)) << "pushed alert " << id << " is not stored";
  EXPECT_EQ(alert_rows(cwd / "web.db"), alert_rows(dir_->path() / "plain.db"));

  // Read-only: nothing may subscribe or rewrite config.json.
  const auto put = test::http_request(port, "PUT", "/api/settings", R"({"lookback": 9})");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 409) << put->body;
  EXPECT_NE(put->body.find("read_only"), std::string::npos) << put->body;
  const auto post = test::http_request(port, "POST", "/api/watchlists", R"({"name": "banks"})");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 409) << post->body;

  EXPECT_EQ(scanner.stop(SIGINT, 10s), 0) << scanner.output();
  EXPECT_NE(scanner.output().find("keeps serving"), std::string::npos) << scanner.output();
  EXPECT_NE(scanner.output().find("replayed " + std::to_string(plain.frames) + " frames"), std::string::npos)
      << scanner.output();
}

}  // namespace
}  // namespace fno::app
