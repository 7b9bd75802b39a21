// schema.hpp
//
// The alert database schema and its versioned migrations, tracked in
// `PRAGMA user_version`. Migration N moves a database from version N-1 to N
// inside one transaction, so a crash mid-migration leaves the old version.
// Also the connection settings every connection uses (WAL, synchronous,
// busy timeout). Functions throw SQLite::Exception; callers own the
// connection and its thread.
#pragma once

#include <SQLiteCpp/Database.h>

#include <chrono>

namespace fno::alerts {

// Version written by the newest migration.
inline constexpr int kSchemaVersion = 3;

// WAL + synchronous=NORMAL: a committed transaction survives a process crash
// (kill -9); only an OS crash or power loss may lose the last commits.
void configure_connection(SQLite::Database& db, std::chrono::milliseconds busy_timeout);

int schema_version(SQLite::Database& db);

// Applies the missing migrations up to `target` (tests build older versions
// with a smaller target). Throws std::runtime_error when the file was written
// by a newer schema than this binary knows.
void migrate(SQLite::Database& db, int target = kSchemaVersion);

}  // namespace fno::alerts
