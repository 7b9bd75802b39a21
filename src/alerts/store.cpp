#include "alerts/store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

#include "alerts/schema.hpp"
#include "util/redact.hpp"

namespace fno::alerts {

namespace {

using Item = std::variant<Alert, NotificationUpdate, SettingChange>;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kPruneInterval = std::chrono::hours(1);

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What a trader should read instead of a bare SQLite code.
std::string explain(const std::exception& e) {
  const auto* sql = dynamic_cast<const SQLite::Exception*>(&e);
  const int code = sql ? (sql->getErrorCode() & 0xff) : 0;
  const char* what = "database error";
  switch (code) {
    case SQLITE_FULL: what = "disk full"; break;
    case SQLITE_READONLY: what = "database is read-only"; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: what = "file is corrupt or not an fno-scanner database"; break;
    case SQLITE_CANTOPEN: what = "cannot open the database file (missing directory or no permission?)"; break;
    case SQLITE_IOERR: what = "I/O error"; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: what = "database is locked by another process"; break;
    default: break;
  }
  return fmt::format("{} ({})", what, util::redact(e.what()));
}

bool is_secret_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"token", "secret", "password", "key"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

const char* to_string(NotificationState state) {
  switch (state) {
    case NotificationState::kPending: return "pending";
    case NotificationState::kSent: return "sent";
    case NotificationState::kFailed: return "failed";
  }
  return "pending";
}

struct AlertStore::Impl {
  StoreOptions opt;
  OnCommitted on_committed;

  // Shared with callers, guarded by mu.
  mutable std::mutex mu;
  std::condition_variable wake;
  std::condition_variable resolved_cv;
  std::deque<Item> queue;
  bool stopping = false;
  bool open_tried = false;
  std::uint64_t submitted = 0;
  std::uint64_t resolved = 0;
  StoreStatus stats;

  // Store thread only.
  std::unique_ptr<SQLite::Database> db;
  std::unique_ptr<SQLite::Statement> insert_alert;
  std::unique_ptr<SQLite::Statement> insert_notification;
  std::unique_ptr<SQLite::Statement> update_notification;
  std::unique_ptr<SQLite::Statement> insert_audit;
  std::deque<Item> pending;  // taken from the queue, not yet committed
  SteadyClock::time_point next_retry{};
  SteadyClock::time_point next_prune{};

  std::thread thread;

  bool enqueue(Item item);
  void run();
  void take_queue();
  void write_pending();
  void write_batch(std::size_t count);
  bool open();
  void close();
  void degrade(const std::exception& e);
  void prune_if_due();
  void resolve(std::uint64_t n);
  void add_alert(Alert& alert, std::vector<CommittedAlert>& committed, std::uint64_t& duplicates);
  void apply(const NotificationUpdate& u);
  void apply(const SettingChange& c);
};

bool AlertStore::Impl::enqueue(Item item) {
  {
    std::lock_guard lk(mu);
    ++submitted;
    if (queue.size() >= opt.queue_capacity) {
      ++stats.dropped;
      ++resolved;
      return false;
    }
    queue.push_back(std::move(item));
    stats.queued = queue.size();
  }
  wake.notify_one();
  return true;
}

void AlertStore::Impl::resolve(std::uint64_t n) {
  if (n == 0) return;
  {
    std::lock_guard lk(mu);
    resolved += n;
  }
  resolved_cv.notify_all();
}

void AlertStore::Impl::run() {
  open();
  std::unique_lock lk(mu);
  open_tried = true;
  resolved_cv.notify_all();
  for (;;) {
    auto until = next_prune;
    if (!pending.empty()) until = std::min(until, next_retry);
    wake.wait_until(lk, until, [&] { return stopping || !queue.empty(); });
    const bool stop = stopping;
    lk.unlock();
    take_queue();
    prune_if_due();
    write_pending();
    lk.lock();
    if (stop && queue.empty()) break;
  }
  if (!pending.empty()) {
    spdlog::error("alert store: {} item(s) could not be written before shutdown: {}", pending.size(), stats.error);
    stats.dropped += pending.size();
    resolved += pending.size();
    stats.buffered = 0;
  }
  lk.unlock();
  resolved_cv.notify_all();
  close();
}

void AlertStore::Impl::take_queue() {
  std::uint64_t dropped = 0;
  {
    std::lock_guard lk(mu);
    const std::size_t cap = std::max(opt.degraded_buffer, opt.max_batch);
    while (!queue.empty()) {
      if (pending.size() >= cap) {
        ++dropped;
      } else {
        pending.push_back(std::move(queue.front()));
      }
      queue.pop_front();
    }
    stats.queued = 0;
    stats.dropped += dropped;
    stats.buffered = stats.degraded ? pending.size() : 0;
  }
  if (dropped > 0) spdlog::error("alert store: degraded buffer full, {} item(s) dropped", dropped);
  resolve(dropped);
}

void AlertStore::Impl::write_pending() {
  if (pending.empty()) return;
  if (!db) {
    if (SteadyClock::now() < next_retry || !open()) {
      std::lock_guard lk(mu);
      stats.buffered = pending.size();
      return;
    }
  }
  while (!pending.empty()) {
    const std::size_t n = std::min(pending.size(), opt.max_batch);
    try {
      write_batch(n);
    } catch (const std::exception& e) {
      degrade(e);
      std::lock_guard lk(mu);
      stats.buffered = pending.size();
      return;
    }
  }
}

// One transaction for `count` items from the front of `pending`. They leave
// `pending` only after the commit, so a failure keeps them for the retry.
void AlertStore::Impl::write_batch(std::size_t count) {
  std::vector<CommittedAlert> committed;
  std::uint64_t duplicates = 0;
  {
    SQLite::Transaction tx(*db);
    for (std::size_t i = 0; i < count; ++i) {
      std::visit(
          [&](auto& item) {
            if constexpr (std::is_same_v<std::decay_t<decltype(item)>, Alert>) {
              add_alert(item, committed, duplicates);
            } else {
              apply(item);
            }
          },
          pending[i]);
    }
    tx.commit();
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(count));
  {
    std::lock_guard lk(mu);
    stats.committed += committed.size();
    stats.duplicates += duplicates;
  }
  if (!committed.empty() && on_committed) {
    try {
      on_committed(committed);
    } catch (const std::exception& e) {
      spdlog::error("alert store: commit listener failed: {}", util::redact(e.what()));
    }
  }
  resolve(count);
}

void AlertStore::Impl::add_alert(Alert& alert, std::vector<CommittedAlert>& committed, std::uint64_t& duplicates) {
  SQLite::Statement& s = *insert_alert;
  s.reset();
  s.bind(1, alert.time_ms);
  s.bind(2, alert.created_ms);
  s.bind(3, static_cast<int>(alert.instrument.segment));
  s.bind(4, static_cast<std::int64_t>(alert.instrument.security_id));
  s.bind(5, alert.trading_symbol);
  s.bind(6, alert.underlying);
  s.bind(7, alert.strategy);
  s.bind(8, scan::to_string(alert.kind));
  s.bind(9, alert.price);
  s.bind(10, alert.reason);
  s.bind(11, numbers_to_json(alert.numbers));
  s.bind(12, static_cast<std::int64_t>(alert.candle_time));
  if (s.exec() == 0) {
    ++duplicates;
    return;
  }
  CommittedAlert c;
  c.alert = alert;
  c.alert.id = db->getLastInsertRowid();
  for (const auto& channel : opt.channels) {
    SQLite::Statement& n = *insert_notification;
    n.reset();
    n.bind(1, c.alert.id);
    n.bind(2, channel);
    n.exec();
    c.notifications.emplace_back(channel, db->getLastInsertRowid());
  }
  committed.push_back(std::move(c));
}

void AlertStore::Impl::apply(const NotificationUpdate& u) {
  SQLite::Statement& s = *update_notification;
  s.reset();
  s.bind(1, to_string(u.state));
  s.bind(2, u.attempts);
  s.bind(3, u.next_attempt_ms);
  s.bind(4, u.last_error);
  s.bind(5, u.notification_id);
  s.exec();
}

void AlertStore::Impl::apply(const SettingChange& c) {
  const bool secret = is_secret_key(c.key);
  SQLite::Statement& s = *insert_audit;
  s.reset();
  s.bind(1, c.time_ms);
  s.bind(2, c.who);
  s.bind(3, c.key);
  s.bind(4, secret ? util::mask_secret(c.old_value) : c.old_value);
  s.bind(5, secret ? util::mask_secret(c.new_value) : c.new_value);
  s.exec();
}

bool AlertStore::Impl::open() {
  try {
    std::error_code ec;  // a failure here surfaces as SQLITE_CANTOPEN below
    if (opt.db_path.has_parent_path()) std::filesystem::create_directories(opt.db_path.parent_path(), ec);
    db = std::make_unique<SQLite::Database>(opt.db_path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    configure_connection(*db, opt.busy_timeout);
    migrate(*db);
    insert_alert = std::make_unique<SQLite::Statement>(
        *db,
        "INSERT OR IGNORE INTO alerts (time_ms, created_ms, segment, security_id, trading_symbol, underlying, "
        "strategy, kind, price, reason, numbers, candle_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    insert_notification = std::make_unique<SQLite::Statement>(
        *db, "INSERT INTO notifications (alert_id, channel, state) VALUES (?, ?, 'pending')");
    update_notification = std::make_unique<SQLite::Statement>(
        *db, "UPDATE notifications SET state = ?, attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?");
    insert_audit = std::make_unique<SQLite::Statement>(
        *db, "INSERT INTO settings_audit (time_ms, who, key, old_value, new_value) VALUES (?,?,?,?,?)");
  } catch (const std::exception& e) {
    degrade(e);
    return false;
  }
  bool was_degraded = false;
  {
    std::lock_guard lk(mu);
    was_degraded = stats.degraded;
    stats.degraded = false;
    stats.error.clear();
    stats.buffered = 0;
  }
  if (was_degraded) spdlog::info("alert store: {} is usable again, writing buffered alerts", opt.db_path.string());
  next_prune = SteadyClock::now();
  return true;
}

void AlertStore::Impl::close() {
  insert_alert.reset();
  insert_notification.reset();
  update_notification.reset();
  insert_audit.reset();
  db.reset();
}

void AlertStore::Impl::degrade(const std::exception& e) {
  close();
  next_retry = SteadyClock::now() + opt.retry_interval;
  const std::string error = fmt::format("{}: {}", opt.db_path.string(), explain(e));
  bool changed = false;
  {
    std::lock_guard lk(mu);
    changed = !stats.degraded || stats.error != error;
    stats.degraded = true;
    stats.error = error;
  }
  if (changed) {
    spdlog::error("alert store degraded: {}; scanning continues, alerts are kept in memory and written when it "
                  "recovers",
                  error);
  }
}

void AlertStore::Impl::prune_if_due() {
  const auto now = SteadyClock::now();
  if (now < next_prune) return;
  next_prune = now + kPruneInterval;
  if (!db || opt.retention_days <= 0) return;
  const std::int64_t cutoff = opt.now_ms() - std::int64_t{opt.retention_days} * market::kSecondsPerDay * 1000;
  try {
    SQLite::Statement s(*db, "DELETE FROM alerts WHERE time_ms < ?");
    s.bind(1, cutoff);
    const int removed = s.exec();
    std::lock_guard lk(mu);
    stats.pruned += static_cast<std::uint64_t>(removed);
  } catch (const std::exception& e) {
    degrade(e);
  }
}

AlertStore::AlertStore(StoreOptions options, OnCommitted on_committed) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  if (!impl_->opt.now_ms) impl_->opt.now_ms = system_now_ms;
  impl_->opt.max_batch = std::max<std::size_t>(impl_->opt.max_batch, 1);
  impl_->on_committed = std::move(on_committed);
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

AlertStore::~AlertStore() {
  {
    std::lock_guard lk(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

bool AlertStore::submit(Alert alert) { return impl_->enqueue(std::move(alert)); }
bool AlertStore::update_notification(NotificationUpdate update) { return impl_->enqueue(std::move(update)); }
bool AlertStore::record_setting_change(SettingChange change) { return impl_->enqueue(std::move(change)); }

bool AlertStore::wait_open(std::chrono::milliseconds timeout) {
  std::unique_lock lk(impl_->mu);
  return impl_->resolved_cv.wait_for(lk, timeout, [&] { return impl_->open_tried; }) && !impl_->stats.degraded;
}

bool AlertStore::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lk(impl_->mu);
  const std::uint64_t target = impl_->submitted;
  return impl_->resolved_cv.wait_for(lk, timeout, [&] { return impl_->resolved >= target; });
}

StoreStatus AlertStore::status() const {
  std::lock_guard lk(impl_->mu);
  return impl_->stats;
}

}  // namespace fno::alerts
