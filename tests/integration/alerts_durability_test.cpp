// kill -9 durability of the alert store: a child process writes alerts, the
// parent SIGKILLs it mid-stream, then checks that every alert the child saw
// committed is on disk, each with its outbox row, and that re-running the
// same alerts after the "restart" adds exactly the missing ones.
#include <gtest/gtest.h>
#include <signal.h>

#include <SQLiteCpp/Database.h>

#include <charconv>
#include <string_view>
#include <thread>

#include "support/child_process.hpp"

namespace fno::test {
namespace {

const std::string kChild = FNO_ALERTS_WRITER_CHILD;
constexpr int kAlerts = 20000;

// Highest "committed N" the child printed. (No std::regex: GCC 12 under
// ASan reports false maybe-uninitialized warnings inside it.)
std::uint64_t last_committed(const std::string& output) {
  static constexpr std::string_view kPrefix = "committed ";
  std::uint64_t last = 0;
  for (auto pos = output.find(kPrefix); pos != std::string::npos; pos = output.find(kPrefix, pos + 1)) {
    std::uint64_t n = 0;
    const char* first = output.data() + pos + kPrefix.size();
    const auto [end, ec] = std::from_chars(first, output.data() + output.size(), n);
    if (ec == std::errc() && end != first) last = std::max(last, n);
  }
  return last;
}

std::int64_t count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

TEST(AlertsDurability, KillNineLosesNoCommittedAlertAndRestartAddsNoDuplicates) {
  TempDir dir("alerts_kill9");
  const auto db_path = dir.path() / "alerts.db";
  std::uint64_t reported = 0;
  {
    ChildProcess child({kChild, db_path.string(), std::to_string(kAlerts)}, dir.path(), {}, dir.path() / "child1.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (last_committed(child.output()) < 2000 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_GE(last_committed(child.output()), 2000u) << child.output();
    ::kill(child.pid(), SIGKILL);
    const auto rc = child.wait(std::chrono::seconds(10));
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 128 + SIGKILL);
    reported = last_committed(child.output());
    ASSERT_EQ(child.output().find("done"), std::string::npos) << "child finished before the kill";
  }
  std::int64_t survived = 0;
  {
    SQLite::Database db(db_path.string(), SQLite::OPEN_READWRITE);
    ASSERT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    survived = count(db, "SELECT count(*) FROM alerts");
    EXPECT_GE(survived, static_cast<std::int64_t>(reported));
    EXPECT_LT(survived, kAlerts);
    EXPECT_EQ(count(db, "SELECT count(*) FROM notifications"), survived);
  }
  // Restart: the same session replays every alert.
  ChildProcess again({kChild, db_path.string(), std::to_string(kAlerts)}, dir.path(), {}, dir.path() / "child2.log");
  const auto rc = again.wait(std::chrono::seconds(120));
  ASSERT_TRUE(rc);
  ASSERT_EQ(*rc, 0) << again.output();
  EXPECT_EQ(last_committed(again.output()), static_cast<std::uint64_t>(kAlerts - survived));
  SQLite::Database db(db_path.string());
  EXPECT_EQ(count(db, "SELECT count(*) FROM alerts"), kAlerts);
  EXPECT_EQ(count(db, "SELECT count(DISTINCT segment || ':' || security_id || ':' || strategy || ':' || kind || ':' || "
                      "candle_time) FROM alerts"),
            kAlerts);
  EXPECT_EQ(count(db, "SELECT count(*) FROM notifications"), kAlerts);
}

}  // namespace
}  // namespace fno::test
