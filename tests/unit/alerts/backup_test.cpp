#include "alerts/backup.hpp"

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "alert_fixtures.hpp"
#include "alerts/schema.hpp"
#include "alerts/store.hpp"
#include "support/child_process.hpp"

namespace fno::alerts {
namespace {

namespace fs = std::filesystem;
using testing::sample_alert;
constexpr auto kWait = std::chrono::seconds(20);

StoreOptions options_for(const fs::path& db) {
  StoreOptions o;
  o.db_path = db;
  o.retry_interval = std::chrono::milliseconds(20);
  return o;
}

std::int64_t alert_rows(const fs::path& db) {
  SQLite::Database d(db.string());
  return d.execAndGet("SELECT count(*) FROM alerts").getInt64();
}

TEST(Backup, CopiesCommittedAlertsWhileTheStoreIsOpen) {
  test::TempDir dir("alerts_backup");
  AlertStore store(options_for(dir.path() / "alerts.db"), {});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.submit(sample_alert(i)));
  ASSERT_TRUE(store.flush(kWait));
  // The store still holds its connection: the alerts sit in the -wal file,
  // which the backup must include.
  ASSERT_TRUE(fs::exists(dir.path() / "alerts.db-wal"));

  const BackupResult r = backup_database(dir.path() / "alerts.db", dir.path() / "copy.db");
  EXPECT_EQ(r.destination, dir.path() / "copy.db");
  EXPECT_EQ(r.alerts, 10);
  EXPECT_EQ(r.schema_version, kSchemaVersion);
  EXPECT_GT(r.pages, 0);
  EXPECT_EQ(r.bytes, fs::file_size(dir.path() / "copy.db"));
  EXPECT_EQ(alert_rows(dir.path() / "copy.db"), 10);
  EXPECT_FALSE(fs::exists(dir.path() / "copy.db.partial"));
  SQLite::Database copy((dir.path() / "copy.db").string());
  EXPECT_EQ(copy.execAndGet("PRAGMA journal_mode").getString(), "delete");  // one self-contained file
}

TEST(Backup, DirectoryDestinationGetsATimestampedFile) {
  test::TempDir dir("alerts_backup");
  { AlertStore store(options_for(dir.path() / "alerts.db"), {}); }
  fs::create_directory(dir.path() / "backups");
  const BackupResult r = backup_database(dir.path() / "alerts.db", dir.path() / "backups");
  EXPECT_EQ(r.destination.parent_path(), dir.path() / "backups");
  const std::string name = r.destination.filename().string();
  EXPECT_EQ(name.rfind("alerts-", 0), 0u) << name;
  ASSERT_EQ(name.size(), std::string("alerts-20250106-091500Z.db").size()) << name;
  EXPECT_EQ(name.substr(name.size() - 4), "Z.db") << name;
  EXPECT_EQ(r.alerts, 0);
  EXPECT_TRUE(fs::exists(r.destination));
}

TEST(Backup, RefusesToOverwriteUnlessAsked) {
  test::TempDir dir("alerts_backup");
  {
    AlertStore store(options_for(dir.path() / "alerts.db"), {});
    ASSERT_TRUE(store.submit(sample_alert(1)));
    ASSERT_TRUE(store.flush(kWait));
  }
  { std::ofstream(dir.path() / "old.db") << "not a database"; }
  EXPECT_THROW(backup_database(dir.path() / "alerts.db", dir.path() / "old.db"), BackupError);
  BackupOptions force;
  force.overwrite = true;
  EXPECT_EQ(backup_database(dir.path() / "alerts.db", dir.path() / "old.db", force).alerts, 1);
  EXPECT_EQ(alert_rows(dir.path() / "old.db"), 1);
  EXPECT_THROW(backup_database(dir.path() / "alerts.db", dir.path() / "alerts.db", force), BackupError);
}

TEST(Backup, MissingSourceOrDirectoryIsAClearError) {
  test::TempDir dir("alerts_backup");
  try {
    backup_database(dir.path() / "nope.db", dir.path() / "copy.db");
    FAIL() << "expected BackupError";
  } catch (const BackupError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.db: no such database file"), std::string::npos) << e.what();
  }
  { AlertStore store(options_for(dir.path() / "alerts.db"), {}); }
  EXPECT_THROW(backup_database(dir.path() / "alerts.db", dir.path() / "missing-dir" / "copy.db"), BackupError);
  EXPECT_FALSE(fs::exists(dir.path() / "copy.db"));
}

TEST(Backup, NotADatabaseFailsAndLeavesNoPartialFile) {
  test::TempDir dir("alerts_backup");
  { std::ofstream(dir.path() / "junk.db") << std::string(8192, 'x'); }
  EXPECT_THROW(backup_database(dir.path() / "junk.db", dir.path() / "copy.db"), BackupError);
  EXPECT_FALSE(fs::exists(dir.path() / "copy.db"));
  EXPECT_FALSE(fs::exists(dir.path() / "copy.db.partial"));
}

TEST(Backup, FinishesWhileAWriterKeepsCommitting) {
  test::TempDir dir("alerts_backup");
  AlertStore store(options_for(dir.path() / "alerts.db"), {});
  for (int i = 0; i < 2000; ++i) store.submit(sample_alert(i));
  ASSERT_TRUE(store.flush(kWait));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 2000; i < 3000 && !done; ++i) {
      store.submit(sample_alert(i));
      store.flush(kWait);
    }
  });
  BackupOptions small_steps;
  small_steps.pages_per_step = 4;
  const BackupResult r = backup_database(dir.path() / "alerts.db", dir.path() / "copy.db", small_steps);
  done = true;
  writer.join();
  // A consistent snapshot: at least what was committed before, no torn pages.
  EXPECT_GE(r.alerts, 2000);
  EXPECT_LE(r.alerts, 3000);
  EXPECT_EQ(alert_rows(dir.path() / "copy.db"), r.alerts);
}

}  // namespace
}  // namespace fno::alerts
