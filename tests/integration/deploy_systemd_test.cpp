// The systemd unit and its EnvironmentFile template: systemd-analyze accepts
// the unit and rates its hardening, and the real binary started exactly the
// way the unit starts it (arguments, environment file, working directory)
// refuses to run without credentials (--live) and serves /api/status in demo.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "deploy_support.hpp"
#include "support/child_process.hpp"

namespace fno::test {
namespace {

namespace fs = std::filesystem;
const std::string kBin = FNO_SCANNER_BIN;
const fs::path kUnit = kSourceDir / "deploy" / "dhan-scanner.service";
const fs::path kEnvTemplate = kSourceDir / "deploy" / "dhan-scanner.default";

bool contains(const std::vector<std::string>& values, const std::string& wanted) {
  return std::find(values.begin(), values.end(), wanted) != values.end();
}

// The unit with only the binary's path pointed at the build tree, because
// systemd-analyze checks that ExecStart's program exists.
fs::path unit_for_build_tree(const TempDir& dir, const std::string& unit_text) {
  std::string text = unit_text;
  const std::string installed = "/usr/bin/fno-scanner";
  const auto at = text.find(installed);
  if (at != std::string::npos) text.replace(at, installed.size(), kBin);
  const fs::path unit = dir.path() / "dhan-scanner.service";
  write_text(unit, text);
  return unit;
}

std::optional<fs::path> systemd_analyze() { return find_tool("systemd-analyze"); }

TEST(DeploySystemd, UnitPassesSystemdAnalyzeVerify) {
  const auto analyze = systemd_analyze();
  if (!analyze) GTEST_SKIP() << "systemd-analyze is not installed (package systemd)";
  TempDir dir("deploy_unit");
  const fs::path unit = unit_for_build_tree(dir, read_text(kUnit));
  const auto r = run_to_completion({analyze->string(), "verify", unit.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "") << "systemd-analyze verify complained";

  // The check itself must be able to fail: a misspelt setting is reported.
  write_text(unit, read_text(unit) + "\n[Service]\nRestart=sometimes\n");
  const auto bad = run_to_completion({analyze->string(), "verify", unit.string()}, dir.path());
  EXPECT_NE(bad.output.find("sometimes"), std::string::npos) << bad.output;
}

TEST(DeploySystemd, HardeningRatesOkInSystemdAnalyzeSecurity) {
  const auto analyze = systemd_analyze();
  if (!analyze) GTEST_SKIP() << "systemd-analyze is not installed (package systemd)";
  TempDir dir("deploy_unit");
  const fs::path unit = unit_for_build_tree(dir, read_text(kUnit));
  // Exposure 0..10 (x10 on the threshold scale); the unit rates ~1.5.
  const auto r = run_to_completion(
      {analyze->string(), "security", "--offline=yes", "--threshold=20", "--no-pager", unit.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(DeploySystemd, UnitDeclaresTheServiceContract) {
  const auto unit = parse_unit(read_text(kUnit));
  auto one = [&](const std::string& key) { return unit.count(key) ? unit.at(key).back() : std::string("<unset>"); };
  EXPECT_EQ(one("Type"), "notify");
  EXPECT_EQ(one("EnvironmentFile"), "/etc/default/dhan-scanner");
  EXPECT_EQ(one("Environment"), "FNO_ENV_FILE=/etc/default/dhan-scanner");
  EXPECT_EQ(one("User"), "dhan-scanner");
  EXPECT_EQ(one("StateDirectory"), "dhan-scanner");
  EXPECT_EQ(one("LogsDirectory"), "dhan-scanner");
  EXPECT_EQ(one("WorkingDirectory"), "/var/lib/dhan-scanner");
  EXPECT_EQ(one("Restart"), "on-failure");
  EXPECT_EQ(one("RestartPreventExitStatus"), "2 3");  // bad config, missing credentials
  EXPECT_NE(one("WatchdogSec"), "<unset>");
  EXPECT_NE(one("StartLimitBurst"), "<unset>");
  EXPECT_EQ(one("ExecReload"), "/bin/kill -HUP $MAINPID");
  EXPECT_EQ(one("NoNewPrivileges"), "yes");
  EXPECT_EQ(one("ProtectSystem"), "strict");
  EXPECT_EQ(one("ProtectHome"), "yes");
  EXPECT_EQ(one("PrivateTmp"), "yes");
  EXPECT_EQ(one("CapabilityBoundingSet"), "");
  EXPECT_EQ(one("RestrictAddressFamilies"), "AF_UNIX AF_INET AF_INET6 AF_NETLINK");
  EXPECT_TRUE(contains(unit.at("SystemCallFilter"), "@system-service"));
  EXPECT_NE(one("MemoryMax"), "<unset>");
  EXPECT_EQ(one("StandardOutput"), "journal");
}

struct UnitLaunch {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
};

// argv and environment exactly as systemd would build them from the unit and
// `env_file`, with the installed paths mapped into `dir`: the binary to the
// build tree, /etc/dhan-scanner/config.json to a copy of the packaged config
// whose state/log paths point into `dir`.
UnitLaunch launch_like_systemd(const TempDir& dir, const std::map<std::string, std::string>& env_file, int port) {
  const auto unit = parse_unit(read_text(kUnit));
  UnitLaunch launch;
  launch.env = env_file;
  for (const auto& assignment : unit.at("Environment")) {
    const auto eq = assignment.find('=');
    launch.env[assignment.substr(0, eq)] = assignment.substr(eq + 1);
  }
  launch.argv = expand_exec_start(unit.at("ExecStart").back(), launch.env);
  EXPECT_EQ(launch.argv.at(0), "/usr/bin/fno-scanner");
  launch.argv[0] = kBin;

  auto config = boost::json::parse(read_text(kSourceDir / "deploy" / "config.service.json")).as_object();
  EXPECT_EQ(config.at("db_path").as_string(), "/var/lib/dhan-scanner/alerts.db");
  EXPECT_EQ(config.at("log_dir").as_string(), "/var/log/dhan-scanner");
  fs::create_directories(dir.path() / "state");
  fs::create_directories(dir.path() / "logs");
  config["db_path"] = (dir.path() / "state" / "alerts.db").string();
  config["log_dir"] = (dir.path() / "logs").string();
  config["web"].as_object()["port"] = port;
  write_text(dir.path() / "config.json", boost::json::serialize(config));
  const auto it = std::find(launch.argv.begin(), launch.argv.end(), "/etc/dhan-scanner/config.json");
  EXPECT_NE(it, launch.argv.end());
  if (it != launch.argv.end()) *it = (dir.path() / "config.json").string();
  return launch;
}

TEST(DeploySystemd, TemplateEnvironmentWithoutCredentialsExitsThreeAndIsNotRestarted) {
  TempDir dir("deploy_unit");
  const auto env_file = parse_environment_file(read_text(kEnvTemplate));
  EXPECT_EQ(env_file.at("FNO_SCANNER_ARGS"), "--live");
  EXPECT_EQ(env_file.at("DHAN_ACCESS_TOKEN"), "");
  const UnitLaunch launch = launch_like_systemd(dir, env_file, free_port());
  const auto r = run_to_completion(launch.argv, dir.path() / "state", launch.env);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("DHAN_ACCESS_TOKEN"), std::string::npos) << r.output;
  EXPECT_TRUE(contains(parse_unit(read_text(kUnit)).at("RestartPreventExitStatus"), "2 3"));
}

TEST(DeploySystemd, DemoFromTheEnvironmentFileServesStatusAndStopsOnSigterm) {
  TempDir dir("deploy_unit");
  auto env_file = parse_environment_file(read_text(kEnvTemplate));
  env_file["FNO_SCANNER_ARGS"] = "--demo";  // the template's documented way to try it without an account
  const int port = free_port();
  const UnitLaunch launch = launch_like_systemd(dir, env_file, port);
  ChildProcess scanner(launch.argv, dir.path() / "state", launch.env, dir.path() / "out.txt");
  const auto reply = wait_for_http(port, "/api/status", std::chrono::seconds(20));
  ASSERT_TRUE(reply) << scanner.output();
  EXPECT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(boost::json::parse(reply->body).as_object().at("mode").as_string(), "demo");
  EXPECT_EQ(scanner.stop(SIGTERM, std::chrono::seconds(10)), 0) << scanner.output();
  EXPECT_TRUE(fs::exists(dir.path() / "logs" / "fno_breakout.log"));  // LogsDirectory, not the cwd
}

}  // namespace
}  // namespace fno::test
