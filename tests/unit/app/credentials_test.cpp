#include "app/credentials.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace fno::app {
namespace {

TEST(DotEnv, ParsesQuotesCommentsAndExport) {
  const DotEnv env = parse_dotenv(
      "# comment\n"
      "DHAN_CLIENT_ID=1100123\r\n"
      "export DHAN_ACCESS_TOKEN=\"abc def\\\"x\"  # trailing\n"
      "TELEGRAM_TOKEN='literal \\n'\n"
      "TELEGRAM_CHAT_ID = 42 # note\n"
      "\n"
      "EMPTY=\n");
  EXPECT_TRUE(env.errors.empty());
  EXPECT_EQ(env.values.at("DHAN_CLIENT_ID"), "1100123");
  EXPECT_EQ(env.values.at("DHAN_ACCESS_TOKEN"), "abc def\"x");
  EXPECT_EQ(env.values.at("TELEGRAM_TOKEN"), "literal \\n");
  EXPECT_EQ(env.values.at("TELEGRAM_CHAT_ID"), "42");
  EXPECT_EQ(env.values.at("EMPTY"), "");
}

TEST(DotEnv, ReportsBadLinesWithoutValues) {
  const DotEnv env = parse_dotenv("GOOD=1\nno equals here\nBAD=\"unterminated secret\n1X=2\n");
  ASSERT_EQ(env.errors.size(), 3u);
  EXPECT_EQ(env.errors[0], "line 2: expected KEY=VALUE");
  EXPECT_EQ(env.errors[1], "line 3: BAD has an unterminated or malformed quoted value");
  EXPECT_EQ(env.errors[2].find("secret"), std::string::npos);
  EXPECT_EQ(env.values.at("GOOD"), "1");
}

TEST(Credentials, EnvironmentWinsOverDotEnv) {
  const auto path = std::filesystem::temp_directory_path() / ("fno_env_test_" + std::to_string(::getpid()));
  std::ofstream(path) << "DHAN_CLIENT_ID=from_file\nDHAN_ACCESS_TOKEN=file_token\nTELEGRAM_TOKEN=tg\n";
  const GetEnv env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "DHAN_CLIENT_ID") return "from_env";
    return std::nullopt;
  };
  std::vector<std::string> problems;
  const Credentials c = load_credentials(path, env, problems);
  std::filesystem::remove(path);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(c.dhan_client_id, "from_env");
  EXPECT_EQ(c.dhan_access_token, "file_token");
  EXPECT_TRUE(c.has_dhan());
  EXPECT_FALSE(c.has_telegram());
  EXPECT_EQ(c.secrets(), (std::vector<std::string>{"file_token", "tg"}));
}

TEST(Credentials, MissingFileMeansEnvironmentOnly) {
  std::vector<std::string> problems;
  const Credentials c = load_credentials("/nonexistent/.env", [](const std::string&) { return std::nullopt; }, problems);
  EXPECT_FALSE(c.has_dhan());
  EXPECT_TRUE(problems.empty());
}

TEST(Credentials, ReloadLetsTheEnvFileWinOverTheStaleEnvironment) {
  const auto path = std::filesystem::temp_directory_path() / ("fno_envfile_test_" + std::to_string(::getpid()));
  std::ofstream(path) << "DHAN_ACCESS_TOKEN=rolled_token\nTELEGRAM_TOKEN=\n";
  const GetEnv env = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "FNO_ENV_FILE") return path.string();
    if (name == "DHAN_CLIENT_ID") return "client";
    if (name == "DHAN_ACCESS_TOKEN") return "yesterdays_token";
    if (name == "TELEGRAM_TOKEN") return "tg";
    return std::nullopt;
  };
  std::vector<std::string> problems;
  EXPECT_EQ(load_credentials("/nonexistent/.env", env, problems).dhan_access_token, "yesterdays_token");
  const Credentials c = reload_credentials("/nonexistent/.env", env, problems);
  EXPECT_EQ(c.dhan_access_token, "rolled_token");
  EXPECT_EQ(c.dhan_client_id, "client") << "keys the file does not set keep their value";
  EXPECT_EQ(c.telegram_token, "tg") << "an empty value in the file does not erase one";
  EXPECT_TRUE(problems.empty());

  std::filesystem::remove(path);
  EXPECT_EQ(reload_credentials("/nonexistent/.env", env, problems).dhan_access_token, "yesterdays_token");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace fno::app
