// store.hpp
//
// AlertStore: the only writer of the alert database. Owns one store thread
// that takes alerts, outbox updates and settings-audit rows from a bounded
// queue and commits them in batched transactions, so the engine never waits
// on disk: submit() only enqueues, and a full queue drops (counted).
//
// Guarantees:
// - An alert is reported through `OnCommitted` only after its transaction
//   committed (WAL, synchronous=NORMAL: survives kill -9). Only then may the
//   caller push it to Telegram or the dashboard.
// - The dedupe key (instrument, strategy, kind, candle) is UNIQUE: a replay
//   or restart that re-submits an alert is counted as a duplicate and not
//   reported again.
// - When the database is unusable (disk full, read-only, corrupt, missing
//   directory) the store turns degraded with a clear error, keeps accepted
//   items in a bounded memory buffer and retries; it flushes the buffer once
//   the database works again.
//
// Thread-safety: submit/update/record/status/flush may be called from any
// thread. OnCommitted runs on the store thread and must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alerts/alert.hpp"

namespace fno::alerts {

struct StoreOptions {
  std::filesystem::path db_path = "alerts.db";
  // Outbox channels that get a `pending` notification row per new alert.
  std::vector<std::string> channels;
  std::size_t queue_capacity = 65536;
  std::size_t max_batch = 1024;
  // Items held in memory while degraded; beyond it new items are dropped.
  std::size_t degraded_buffer = 100000;
  std::chrono::milliseconds retry_interval{5000};
  std::chrono::milliseconds busy_timeout{5000};
  int retention_days = 0;  // 0 keeps everything
  // UTC epoch ms; retention cut-off clock (injectable for tests).
  std::function<std::int64_t()> now_ms;
};

enum class NotificationState { kPending, kSent, kFailed };
const char* to_string(NotificationState state);

struct NotificationUpdate {
  std::int64_t notification_id = 0;
  NotificationState state = NotificationState::kPending;
  int attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::string last_error;  // already redacted by the caller
};

// Who changed which setting. Values of secret settings must arrive masked;
// the store masks them again when the key names a secret.
struct SettingChange {
  std::int64_t time_ms = 0;
  std::string who;
  std::string key;
  std::string old_value;
  std::string new_value;
};

struct CommittedAlert {
  Alert alert;  // id assigned
  std::vector<std::pair<std::string, std::int64_t>> notifications;  // channel, notification id
};

struct StoreStatus {
  bool degraded = false;
  std::string error;            // why it is degraded; empty when healthy
  std::uint64_t committed = 0;  // new alerts written
  std::uint64_t duplicates = 0;
  std::uint64_t dropped = 0;   // queue or degraded buffer full
  std::uint64_t buffered = 0;  // waiting in memory (degraded)
  std::uint64_t queued = 0;
  std::uint64_t pruned = 0;  // removed by retention
};

class AlertStore {
 public:
  using OnCommitted = std::function<void(const std::vector<CommittedAlert>&)>;

  // Opens (creating and migrating) the database on the store thread; an
  // unusable database makes the store degraded, not the constructor throw.
  AlertStore(StoreOptions options, OnCommitted on_committed);
  // Writes what is queued (when the database works), then joins the thread.
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // Never blocks on disk. False when the queue is full (counted as dropped).
  bool submit(Alert alert);
  bool update_notification(NotificationUpdate update);
  bool record_setting_change(SettingChange change);

  // Waits for the store thread's first attempt to open the database (so
  // AlertReader can open the file); true when it opened healthy.
  bool wait_open(std::chrono::milliseconds timeout);

  // Waits until every item submitted before the call is resolved (committed,
  // duplicate or dropped). False on timeout, e.g. while degraded.
  bool flush(std::chrono::milliseconds timeout);

  StoreStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fno::alerts
