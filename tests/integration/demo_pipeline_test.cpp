// The whole demo pipeline in the real binary: in-process simulator -> wss
// feed client -> engine -> strategies -> alert store -> REST. The demo
// scenario's first scripted breakout the simulator promises (the first, or
// the second when it skips the first) must come out as a stored breakout
// alert for that instrument, in the minute it was driven.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "sim/scenario.hpp"
#include "sim/universe.hpp"
#include "support/child_process.hpp"

namespace fno::test {
namespace {

using namespace std::chrono_literals;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(DemoPipeline, FirstScriptedBreakoutBecomesAStoredAlert) {
  // The first two scripted breakouts. The simulator skips (and logs) one it
  // cannot promise (its instrument's last candle already closed above
  // resistance): the next one is then the one that must alert.
  const auto scenario = sim::demo_scenario(sim::default_universe());
  std::vector<sim::ScenarioStep> breakouts;
  for (const auto& s : scenario.steps) {
    if (s.action == sim::Action::kBreakout && breakouts.size() < 2) breakouts.push_back(s);
  }
  ASSERT_EQ(breakouts.size(), 2U);

  TempDir dir("demo-pipeline");
  std::ofstream(dir.path() / "config.json") << "{}";
  const int port = free_port();
  const auto started_ms = now_ms();
  ChildProcess scanner({FNO_SCANNER_BIN, "--demo", "--port", std::to_string(port)}, dir.path(), {},
                       dir.path() / "out.txt");
  ASSERT_TRUE(wait_for_http(port, "/api/status", 20s)) << scanner.output();

  // Driven 15 s into the first whole minute after start (demo_first_step), so
  // its candle closes 60-120 s after start. The wait allows twice that: a
  // loaded machine delays start-up and the close, not the minute it is in.
  std::optional<boost::json::object> alert;
  std::size_t which = 0;
  std::uint32_t target = breakouts[0].instrument.security_id;
  const auto deadline = std::chrono::steady_clock::now() + 240s;
  while (!alert && std::chrono::steady_clock::now() < deadline) {
    if (which == 0 && scanner.output().find("sim: breakout on " + std::to_string(target) + " skipped") != std::string::npos) {
      which = 1;
      target = breakouts[1].instrument.security_id;
    }
    if (const auto reply = http_get(port, "/api/alerts?strategy=breakout&limit=1000"); reply && reply->status == 200) {
      const auto page = boost::json::parse(reply->body);
      for (const auto& a : page.at("alerts").as_array()) {
        if (a.at("security_id").to_number<std::int64_t>() == target) alert = a.as_object();
      }
    }
    if (!alert) std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(alert) << "no breakout alert for security " << target << "\n" << scanner.output();
  EXPECT_EQ(alert->at("kind").as_string(), "bullish");
  const auto candle_ms = alert->at("candle_time_ms").to_number<std::int64_t>();
  EXPECT_GE(candle_ms, started_ms / 60000 * 60000) << "the alert is for a live candle, not history";
  const auto later_ms = static_cast<std::int64_t>((breakouts[which].at - breakouts[0].at) * 1000);
  EXPECT_LE(candle_ms, started_ms + 120'000 + later_ms) << "in the minute the breakout was driven (or the next)";

  EXPECT_EQ(scanner.stop(SIGTERM, 10s), 0);
  const std::string text = read_text(dir.path() / "fno_breakout.log");
  EXPECT_NE(text.find("DEMO"), std::string::npos) << "demo runs are labelled in the log";
  EXPECT_NE(text.find("ALERT breakout"), std::string::npos);
}

}  // namespace
}  // namespace fno::test
