#include "util/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/pattern_formatter.h>

#include <fstream>
#include <sstream>

namespace fno::util {
namespace {

namespace fs = std::filesystem;

class DailyRotatingSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fno_log_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A message stamped at IST noon of the given day offset from 2026-11-25.
  static spdlog::details::log_msg message_on(int day_offset, const std::string& text) {
    const std::int64_t utc = 1795578300 + std::int64_t{day_offset} * 86400;  // 09:15 IST
    const spdlog::log_clock::time_point when{std::chrono::seconds(utc)};
    static std::string storage;
    storage = text;
    return spdlog::details::log_msg(when, {}, "t", spdlog::level::info, storage);
  }

  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(DailyRotatingSinkTest, WritesToFnoBreakoutLog) {
  DailyRotatingSink sink(dir_, 14);
  sink.log(message_on(0, "first line"));
  sink.flush();
  EXPECT_NE(read(dir_ / "fno_breakout.log").find("first line"), std::string::npos);
}

TEST_F(DailyRotatingSinkTest, RotatesAtIstDayChangeAndKeepsFourteen) {
  DailyRotatingSink sink(dir_, 14);
  for (int day = 0; day < 20; ++day) sink.log(message_on(day, "day " + std::to_string(day)));
  sink.flush();
  int rotated = 0;
  for (const auto& e : fs::directory_iterator(dir_)) rotated += e.path().filename().string().starts_with("fno_breakout.log.");
  EXPECT_EQ(rotated, 14);
  EXPECT_NE(read(dir_ / "fno_breakout.log").find("day 19"), std::string::npos);
  EXPECT_NE(read(dir_ / "fno_breakout.log.2026-12-13").find("day 18"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "fno_breakout.log.2026-11-25"));  // oldest pruned
}

TEST(LogLevel, ParsesKnownNamesAndRejectsOthers) {
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(parse_log_level("off"), spdlog::level::off);
  EXPECT_THROW(parse_log_level("verbose"), std::invalid_argument);
}

}  // namespace
}  // namespace fno::util
