// Container files without a Docker daemon: the invariant checker accepts the
// real Dockerfile/.dockerignore/compose file and rejects broken ones; the
// entrypoint, health check and runtime-package scripts run for real against
// the built binary (with the image's /app and /data mapped to temp dirs).
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>

#include "deploy_support.hpp"
#include "support/child_process.hpp"

namespace fno::test {
namespace {

namespace fs = std::filesystem;
const std::string kBin = FNO_SCANNER_BIN;
const fs::path kLint = kSourceDir / "deploy" / "lint-container.py";

// Runs a tool in a fresh directory: run_to_completion keeps its output file
// in the working directory, which parallel tests must not share.
RunResult run_isolated(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
                       std::chrono::milliseconds timeout = std::chrono::minutes(2)) {
  TempDir cwd("deploy_run");
  return run_to_completion(std::move(argv), cwd.path(), std::move(env), timeout);
}

// Debian's python3 with python3-yaml (scripts/bootstrap.sh installs both).
std::optional<std::string> python_with_yaml() {
  for (const char* python : {"/usr/bin/python3"}) {
    if (run_isolated({python, "-c", "import yaml"}).exit_code == 0) return python;
  }
  return std::nullopt;
}

RunResult lint(const std::string& python, const fs::path& dockerfile, const fs::path& dockerignore,
               const fs::path& compose) {
  return run_isolated({python, kLint.string(), "--dockerfile", dockerfile.string(), "--dockerignore",
                       dockerignore.string(), "--compose", compose.string()});
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(DeployDocker, RepositoryContainerFilesPassTheInvariants) {
  const auto python = python_with_yaml();
  if (!python) GTEST_SKIP() << "/usr/bin/python3 with python3-yaml is not installed (scripts/bootstrap.sh)";
  const auto r = lint(*python, kSourceDir / "Dockerfile", kSourceDir / ".dockerignore", kSourceDir / "docker-compose.yml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_text(kSourceDir / "deploy" / "Dockerfile"), read_text(kSourceDir / "Dockerfile"));
}

TEST(DeployDocker, InvariantCheckerRejectsBrokenFiles) {
  const auto python = python_with_yaml();
  if (!python) GTEST_SKIP() << "/usr/bin/python3 with python3-yaml is not installed (scripts/bootstrap.sh)";
  TempDir dir("deploy_lint");
  const std::string dockerfile = read_text(kSourceDir / "Dockerfile");
  std::string bad = replaced(dockerfile, "USER scanner:scanner", "USER root");
  bad = replaced(bad, "HEALTHCHECK ", "# HEALTHCHECK ");
  bad = replaced(bad, "ENV TZ=Asia/Kolkata", "ENV TZ=Asia/Kolkata DHAN_ACCESS_TOKEN=fake-token-for-test");
  bad = replaced(bad, "FROM debian:bookworm-slim\n", "FROM ubuntu:latest\n");
  write_text(dir.path() / "Dockerfile", bad);
  write_text(dir.path() / ".dockerignore", "build/\n");
  std::string compose = read_text(kSourceDir / "docker-compose.yml");
  compose = replaced(compose, "env_file: .env", "env_file: secrets.env");
  compose = replaced(compose, "max-file: \"5\"", "compress: \"true\"");
  compose = replaced(compose, "    restart: unless-stopped\n",
                     "    restart: unless-stopped\n    environment:\n      DHAN_ACCESS_TOKEN: fake-token-for-test\n");
  write_text(dir.path() / "compose.yml", compose);

  const auto r = lint(*python, dir.path() / "Dockerfile", dir.path() / ".dockerignore", dir.path() / "compose.yml");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const char* problem :
       {"USER root: the runtime stage must not run as root", "the runtime stage has no HEALTHCHECK",
        "ENV DHAN_ACCESS_TOKEN: secrets come from the runtime environment only",
        "FROM ubuntu:latest: every stage must use debian:bookworm-slim", "must exclude .env", "must exclude *.db",
        "env_file must include .env", "logging.options needs max-size and max-file",
        "environment DHAN_ACCESS_TOKEN has an inline value"}) {
    EXPECT_NE(r.output.find(problem), std::string::npos) << problem << "\n" << r.output;
  }
  EXPECT_EQ(r.output.find("fake-token-for-test"), std::string::npos) << "the checker must not echo secret values";
}

TEST(DeployDocker, RuntimePackagesAreTheLinkedLibrariesOnly) {
  if (!find_tool("dpkg")) GTEST_SKIP() << "not a Debian system (dpkg missing)";
  // dpkg -S per library is slow on a busy machine: a generous bound, not a timing check.
  const auto r = run_isolated({"/bin/bash", (kSourceDir / "deploy" / "runtime-packages.sh").string(), kBin}, {},
                              std::chrono::minutes(3));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("libstdc++6\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("libc6\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("-dev"), std::string::npos) << r.output;
  EXPECT_NE(run_isolated({"/bin/bash", (kSourceDir / "deploy" / "runtime-packages.sh").string(), "/nonexistent"})
                .exit_code,
            0);
}

struct Container {
  TempDir dir{"deploy_container"};
  fs::path app() const { return dir.path() / "app"; }
  fs::path data() const { return dir.path() / "data"; }
  Container() {
    fs::create_directories(app());
    fs::create_directories(data());
    fs::copy_file(kSourceDir / "config.example.json", app() / "config.example.json");
  }
  std::map<std::string, std::string> env(int port) const {
    return {{"FNO_APP_DIR", app().string()},
            {"FNO_DATA_DIR", data().string()},
            {"FNO_SCANNER_BIN", kBin},
            {"FNO_HEALTH_PORT", std::to_string(port)}};
  }
  std::vector<std::string> entrypoint(std::vector<std::string> args) const {
    args.insert(args.begin(), {"/bin/bash", (kSourceDir / "deploy" / "docker-entrypoint.sh").string()});
    return args;
  }
};

RunResult healthcheck(const std::map<std::string, std::string>& env) {
  return run_isolated({"/bin/bash", (kSourceDir / "deploy" / "healthcheck.sh").string()}, env, std::chrono::seconds(30));
}

TEST(DeployDocker, EntrypointWithoutTokenBindsLoopbackExplainsAndIsHealthy) {
  Container c;
  const int port = free_port();
  ChildProcess scanner(c.entrypoint({"--demo", "--port", std::to_string(port)}), c.app(), c.env(port),
                       c.dir.path() / "out.txt");
  ASSERT_TRUE(wait_for_http(port, "/api/status", std::chrono::seconds(20))) << scanner.output();
  EXPECT_NE(scanner.output().find("DASHBOARD_TOKEN is not set"), std::string::npos) << scanner.output();
  EXPECT_NE(scanner.output().find("--network host"), std::string::npos);
  // No config mounted: the data directory's copy of the example is used.
  EXPECT_TRUE(fs::exists(c.data() / "config.json"));
  EXPECT_TRUE(fs::exists(c.data() / "fno_breakout.log"));  // relative paths resolve in /data
  const auto health = healthcheck(c.env(port));
  EXPECT_EQ(health.exit_code, 0) << health.output;
  EXPECT_EQ(scanner.stop(SIGTERM, std::chrono::seconds(10)), 0) << scanner.output();
  EXPECT_NE(healthcheck(c.env(port)).exit_code, 0) << "nothing listens any more";
}

TEST(DeployDocker, EntrypointRejectsAnAlertsDbDirectoryWithAFix) {
  Container c;
  fs::create_directories(c.app() / "alerts.db");  // what `-v $(pwd)/alerts.db:...` makes of a missing file
  const auto r = run_to_completion(c.entrypoint({"version"}), c.app(), c.env(free_port()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("touch alerts.db"), std::string::npos) << r.output;
}

TEST(DeployDocker, EntrypointSingleFileMountKeepsRelativePathsInApp) {
  Container c;
  write_text(c.app() / "alerts.db", "");  // the seed's `-v $(pwd)/alerts.db:/app/alerts.db`
  write_text(c.app() / "config.json", R"({"lookback": 30})");  // `-v $(pwd)/config.json:/app/config.json:ro`
  auto env = c.env(free_port());
  env["DASHBOARD_TOKEN"] = "fake-dashboard-token-for-test";
  const auto r = run_to_completion(c.entrypoint({"check-config"}), c.dir.path(), env);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"lookback\":30"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"bind\":\"0.0.0.0\""), std::string::npos) << "token set: serve outside\n" << r.output;
  EXPECT_EQ(r.output.find("fake-dashboard-token-for-test"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(c.data() / "config.json"));

  // db_path "alerts.db" and other relative paths resolve beside the mounted file.
  const auto backup = run_to_completion(c.entrypoint({"backup", "snapshot.db"}), c.dir.path(), env);
  EXPECT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_TRUE(fs::exists(c.app() / "snapshot.db")) << backup.output;
}

}  // namespace
}  // namespace fno::test
