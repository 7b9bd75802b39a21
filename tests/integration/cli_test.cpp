// Runs the real fno-scanner binary: exit codes, check-config, and a demo run
// answering /api/status, stopped with SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>

#include <fstream>
#include <thread>

#include "support/child_process.hpp"

namespace fno::test {
namespace {

const std::string kBin = FNO_SCANNER_BIN;

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(Cli, VersionAndHelpExitZero) {
  TempDir dir("cli");
  auto r = run_to_completion({kBin, "version"}, dir.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("fno-scanner "), std::string::npos);
  r = run_to_completion({kBin, "--help"}, dir.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("check-config"), std::string::npos);
  EXPECT_NE(r.output.find("--live"), std::string::npos);
}

TEST(Cli, UsageErrorsExitTwo) {
  TempDir dir("cli");
  EXPECT_EQ(run_to_completion({kBin, "--no-such-flag"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_to_completion({kBin, "--demo", "--live"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_to_completion({kBin, "--port", "0"}, dir.path()).exit_code, 2);
}

TEST(Cli, BadConfigExitsTwoWithOneClearLine) {
  TempDir dir("cli");
  write(dir.path() / "config.json", R"({"ema_short": 20})");
  const auto r = run_to_completion({kBin, "check-config"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("ema_short must be an integer in [1, 500] and < ema_long (13), got 20"), std::string::npos)
      << r.output;
}

TEST(Cli, CheckConfigMasksSecrets) {
  TempDir dir("cli");
  write(dir.path() / "config.json", R"({"lookback": 30})");
  write(dir.path() / ".env", "DHAN_CLIENT_ID=1100999\nDHAN_ACCESS_TOKEN=fake-token-value-abcdef\n");
  const auto r = run_to_completion({kBin, "check-config"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("fake-token-value-abcdef"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"lookback\":30"), std::string::npos) << r.output;
}

TEST(Cli, LiveWithoutCredentialsExitsThree) {
  TempDir dir("cli");
  const auto r = run_to_completion({kBin, "--live"}, dir.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("DHAN_ACCESS_TOKEN"), std::string::npos);
}

TEST(Cli, MissingDefaultConfigUsesDefaultsButExplicitPathMustExist) {
  TempDir dir("cli");
  auto r = run_to_completion({kBin, "check-config"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("using built-in defaults"), std::string::npos);
  r = run_to_completion({kBin, "--config", "typo.json", "check-config"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("typo.json: cannot read"), std::string::npos);
}

TEST(Cli, CreatesConfigFromExampleOnFirstRun) {
  TempDir dir("cli");
  write(dir.path() / "config.example.json", R"({"lookback": 42})");
  const auto r = run_to_completion({kBin, "check-config"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "config.json"));
  EXPECT_NE(r.output.find("\"lookback\":42"), std::string::npos);
}

TEST(Cli, DemoRunServesStatusAndStopsOnSigterm) {
  TempDir dir("cli");
  const int port = free_port();
  write(dir.path() / "config.json", "{}");
  ChildProcess scanner({kBin, "--demo", "--port", std::to_string(port)}, dir.path(), {}, dir.path() / "out.txt");
  const auto reply = wait_for_http(port, "/api/status", std::chrono::seconds(20));
  ASSERT_TRUE(reply) << scanner.output();
  EXPECT_EQ(reply->status, 200);
  const auto status = boost::json::parse(reply->body).as_object();
  EXPECT_EQ(status.at("mode").as_string(), "demo");
  EXPECT_TRUE(status.at("market").as_object().contains("open"));
  EXPECT_EQ(http_get(port, "/api/nope")->status, 404);
  const auto settings = boost::json::parse(http_get(port, "/api/settings")->body).as_object();
  EXPECT_EQ(settings.at("schema").at("lookback").at("max"), 5000);
  EXPECT_EQ(settings.at("secrets").at("DHAN_ACCESS_TOKEN"), false) << "whether it is set, never the value";
  EXPECT_EQ(scanner.stop(SIGTERM, std::chrono::seconds(10)), 0) << scanner.output();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "fno_breakout.log"));
}

TEST(Cli, DemoRecordingShowsItsQueueAndWritesAFile) {
  TempDir dir("cli-record");
  const int port = free_port();
  write(dir.path() / "config.json", R"({"record": {"enabled": true, "dir": "recordings"}})");
  ChildProcess scanner({kBin, "--demo", "--port", std::to_string(port)}, dir.path(), {}, dir.path() / "out.txt");
  const auto reply = wait_for_http(port, "/api/status", std::chrono::seconds(20));
  ASSERT_TRUE(reply) << scanner.output();
  EXPECT_TRUE(boost::json::parse(reply->body).at("queues").as_object().contains("recorder_drops")) << reply->body;
  // Files appear with the first frame: wait for data.
  const auto streaming = [&] {
    const auto r = http_get(port, "/api/status");
    return r && boost::json::parse(r->body).at("feed").at("packets").to_number<std::int64_t>() > 0;
  };
  for (int i = 0; i < 200 && !streaming(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_NE(http_get(port, "/metrics")->body.find("fno_queue_drops_total{queue=\"recorder\"}"), std::string::npos);
  EXPECT_EQ(scanner.stop(SIGTERM, std::chrono::seconds(10)), 0);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "recordings")) {
    files += entry.path().extension() == ".fnorec" && entry.file_size() > 0 ? 1 : 0;
  }
  EXPECT_EQ(files, 1u);
}

TEST(Cli, PortInUseIsARuntimeFailure) {
  TempDir dir("cli");
  const int port = free_port();
  write(dir.path() / "config.json", "{}");
  ChildProcess first({kBin, "--demo", "--port", std::to_string(port)}, dir.path(), {}, dir.path() / "a.txt");
  ASSERT_TRUE(wait_for_http(port, "/api/status", std::chrono::seconds(20)));
  const auto r = run_to_completion({kBin, "--demo", "--port", std::to_string(port)}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot listen"), std::string::npos);
}

}  // namespace
}  // namespace fno::test
