#include "alerts/backup.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <ctime>
#include <thread>

namespace fno::alerts {

namespace fs = std::filesystem;

namespace {

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

fs::path resolve_destination(const fs::path& source, const fs::path& destination, bool overwrite) {
  std::error_code ec;
  fs::path target = destination;
  if (fs::is_directory(destination, ec)) target = destination / ("alerts-" + utc_stamp() + ".db");
  if (fs::equivalent(source, target, ec)) throw BackupError(fmt::format("{}: is the source database", target.string()));
  if (fs::exists(target, ec) && !overwrite) {
    throw BackupError(fmt::format("{}: already exists (choose another name or pass --force)", target.string()));
  }
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) throw BackupError(fmt::format("{}: no such directory", parent.string()));
  return target;
}

// Steps the backup until done; BUSY/LOCKED (a writer holds the lock) is
// retried until the deadline, anything else throws from SQLiteCpp.
std::int64_t copy_pages(SQLite::Database& from, SQLite::Database& to, const BackupOptions& options) {
  SQLite::Backup backup(to, from);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  for (;;) {
    const int rc = backup.executeStep(options.pages_per_step);
    if (rc == SQLITE_DONE) return backup.getTotalPageCount();
    if (std::chrono::steady_clock::now() > deadline) {
      throw BackupError(fmt::format("backup did not finish within {} s ({} of {} pages left)",
                                    options.timeout.count() / 1000, backup.getRemainingPageCount(),
                                    backup.getTotalPageCount()));
    }
    std::this_thread::sleep_for(options.pause_between_steps);
  }
}

// Makes the copy one self-contained file and proves it readable.
void finish_copy(SQLite::Database& copy, BackupResult& result) {
  copy.exec("PRAGMA journal_mode=DELETE");
  const std::string check = copy.execAndGet("PRAGMA quick_check").getString();
  if (check != "ok") throw BackupError("the copy failed PRAGMA quick_check: " + check);
  result.schema_version = copy.execAndGet("PRAGMA user_version").getInt();
  if (copy.tableExists("alerts")) result.alerts = copy.execAndGet("SELECT count(*) FROM alerts").getInt64();
}

}  // namespace

BackupResult backup_database(const fs::path& source, const fs::path& destination, const BackupOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) throw BackupError(fmt::format("{}: no such database file", source.string()));
  BackupResult result;
  result.destination = resolve_destination(source, destination, options.overwrite);
  const fs::path partial = result.destination.string() + ".partial";
  fs::remove(partial, ec);  // left over from a crashed earlier run
  try {
    {
      SQLite::Database from(source.string(), SQLite::OPEN_READONLY, static_cast<int>(options.busy_timeout.count()));
      SQLite::Database to(partial.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      result.pages = copy_pages(from, to, options);
      finish_copy(to, result);
    }
    fs::rename(partial, result.destination);
  } catch (const SQLite::Exception& e) {
    fs::remove(partial, ec);
    throw BackupError(fmt::format("backup of {} failed: {}", source.string(), e.what()));
  } catch (...) {
    fs::remove(partial, ec);
    throw;
  }
  result.bytes = fs::file_size(result.destination, ec);
  return result;
}

}  // namespace fno::alerts
