// backup.hpp
//
// Online backup of the alert database with SQLite's backup API, safe while
// the scanner is running and writing (WAL: the copy reads a consistent
// snapshot page range per step and restarts by itself when a writer changes
// pages it already copied). The result is one self-contained file (rollback
// journal mode, no -wal/-shm side files) that passed `PRAGMA quick_check`;
// it appears at the destination only when complete (written beside it as
// `<dest>.partial`, then renamed), so a crash never leaves a half backup
// under the final name.
//
// Does not touch the source file beyond reading it. Bounded: gives up after
// `timeout`. Throws BackupError with a one-line, user-facing message.
// Thread-safety: a free function; runs on the caller's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>

namespace fno::alerts {

class BackupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BackupOptions {
  // Pages copied per step (4 KiB each by default): the read lock on the
  // source is held only for one step, so the store thread is never stalled.
  int pages_per_step = 1024;
  std::chrono::milliseconds pause_between_steps{2};
  std::chrono::milliseconds busy_timeout{5000};
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  bool overwrite = false;  // replace an existing destination file
};

struct BackupResult {
  std::filesystem::path destination;  // the final file (a directory gets a timestamped name inside)
  std::int64_t pages = 0;
  std::uintmax_t bytes = 0;
  int schema_version = 0;  // PRAGMA user_version of the copy
  std::int64_t alerts = 0;  // rows in `alerts`, 0 when the table does not exist
};

// Copies `source` to `destination`. When `destination` is an existing
// directory the file is `<dir>/alerts-YYYYMMDD-HHMMSSZ.db` (UTC).
BackupResult backup_database(const std::filesystem::path& source, const std::filesystem::path& destination,
                             const BackupOptions& options = {});

}  // namespace fno::alerts
