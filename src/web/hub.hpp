// hub.hpp
//
// Live push fan-out. The app publishes from any thread (engine, store,
// web) without blocking: alerts, scanner row deltas, status, candle
// updates. Rows are merged into a per-instrument table with a sequence
// number; clients pull "rows changed since my cursor" when they are ready
// to send, so a slow client naturally gets one coalesced delta (a fresh
// snapshot only when it fell behind the pruned tombstones, or for full rows
// when most of the table changed) and nothing queues per delta.
// Alerts and candles go to each client's bounded queue (PushClient); a
// client that overflows it is closed, never waited for. Row JSON is built
// once per change on the worker executor, not on the publisher's thread,
// and enters the table a chunk of rows per lock: a client pulling meanwhile
// gets the rows installed so far, and the rest in its next pull.
// Each row remembers which of its JSON members changed at which sequence,
// so a delta can carry only the members changed since the client's cursor
// (RowFields::kChanged, /ws) instead of every row in full (Socket.IO).
// Thread-safe; every lock is short and never held across I/O.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerts/alert.hpp"
#include "market/candle.hpp"
#include "market/instrument_key.hpp"
#include "scan/snapshot.hpp"
#include "web/api_json.hpp"
#include "web/backend.hpp"

namespace fno::web {

using SharedText = std::shared_ptr<const std::string>;

// One event for clients: a type ("alert", "status", "candle", ...) and its JSON payload.
struct PushEvent {
  std::string type;
  SharedText payload;
  bool replaceable = false;  // status: only the newest pending one matters
};

enum class PushProtocol { kWebSocket, kSocketIo };

// A connected live-push client as the hub sees it (push_session.cpp).
class PushClient {
 public:
  virtual ~PushClient() = default;
  // Thread-safe, non-blocking; a client whose queue overflows closes itself.
  virtual void deliver(const PushEvent& event) = 0;
  virtual bool wants_candles(market::InstrumentKey key) const = 0;
  // Appends the instruments this client charts.
  virtual void collect_charted(std::vector<market::InstrumentKey>& out) const = 0;
  virtual PushProtocol protocol() const = 0;
};

// Rows for one client send: a delta since its cursor or a full snapshot.
struct RowsUpdate {
  bool snapshot = false;
  std::uint64_t version = 0;  // the client's next cursor
  std::size_t merged_publishes = 0;  // hub publishes folded into this update
  // Complete {"version", "rows", "removed"?} JSON objects, each with a share
  // of the rows and every one with `version`; removed keys ride in the last.
  // A delta's parts end at the first row that reaches the part limit (so a
  // part exceeds it by at most one row); a snapshot is one part. Empty:
  // nothing changed.
  std::vector<std::string> parts;
};

// What a delta row carries: every member (Socket.IO, unchanged contract) or
// the row id (segment, security_id) plus the members changed since the
// cursor (/ws; version is among them whenever the row changed).
enum class RowFields { kAll, kChanged };

struct HubOptions {
  std::size_t max_clients = 64;
  // Fills ScannerRow::underlying/type for pushed rows (same shape as /api/scanner).
  std::function<void(ScannerRow&)> describe;
};

struct HubCounters {
  std::uint64_t published_rows = 0;
  std::uint64_t serialized_rows = 0;  // rows turned into JSON (only while clients are attached)
  std::uint64_t published_alerts = 0;
  std::uint64_t coalesced = 0;        // publishes merged into fewer client sends
  std::uint64_t snapshots = 0;        // snapshots sent after falling behind
  std::uint64_t closed_slow = 0;      // clients closed for overflowing their queue
  std::uint64_t refused_clients = 0;  // over max_clients
  std::size_t ws_clients = 0;
  std::size_t socketio_clients = 0;
};

class Hub {
 public:
  // `worker` builds row JSON off the publisher's thread.
  Hub(boost::asio::any_io_executor worker, HubOptions options);

  // ---- Publishers: any thread, non-blocking, bounded ----
  void publish_alert(const alerts::Alert& alert);
  // Merged into the table; memory is bounded by the number of instruments.
  void publish_rows(const scan::SnapshotDelta& delta);
  // The /api/status object (status_json); clients get the newest one.
  void publish_status(std::string status_json);
  // A closed or updated candle for clients charting `key`; lines may be null.
  void publish_candle(market::InstrumentKey key, const market::Candle& candle, std::optional<double> resistance,
                      std::optional<double> ema_short, std::optional<double> ema_long);

  // Every instrument some attached client charts, without repeats: the
  // engine pushes closed candles for these only. Any thread.
  std::vector<market::InstrumentKey> charted() const;

  // ---- Client side ----
  bool attach(const std::shared_ptr<PushClient>& client);
  void detach(const PushClient* client);
  // Changes after `cursor` (nullopt: a snapshot, always full rows), in parts
  // of about `part_bytes` (a sender interleaves other messages between
  // them). Cheap when nothing changed.
  RowsUpdate rows_since(std::optional<std::uint64_t> cursor, RowFields fields = RowFields::kAll,
                        std::size_t part_bytes = SIZE_MAX);
  SharedText latest_status() const;
  void count_closed_slow() { ++closed_slow_; }

  HubCounters counters() const;

 private:
  struct Entry {
    std::uint64_t seq = 0;
    SharedText json;  // null: removed
    // Per top-level member of `json`: where it ends and the seq that last changed it.
    std::vector<std::uint32_t> member_ends;
    std::vector<std::uint64_t> member_seqs;
  };

  void drain();  // worker: serialize pending rows into the table
  // Worker: the table entry for `row` (null: removed) at `seq`, keeping the
  // seq of each member unchanged since the entry the table holds. Reads the
  // table without the lock: only the worker writes it.
  Entry next_entry(std::uint64_t seq, market::InstrumentKey key, std::optional<RowText>& row) const;
  void install(market::InstrumentKey key, Entry next);  // worker, under table_mu_
  // Posts a drain when rows wait and none is scheduled. Without clients rows
  // just wait (latest per key, bounded by the universe): serializing every
  // row for nobody was the scanner's largest CPU cost.
  void schedule_drain();
  void fan_out(const PushEvent& event, const market::InstrumentKey* candle_key);
  // Clients still alive, copied so callers work outside clients_mu_.
  std::vector<std::shared_ptr<PushClient>> live_clients() const;
  RowsUpdate snapshot_locked();
  // The row id and the members of `entry` changed after `cursor`, as one JSON object.
  static void append_changed_members(std::string& out, const Entry& entry, std::uint64_t cursor);

  boost::asio::any_io_executor worker_;
  HubOptions options_;

  // Publisher side: rows waiting for the worker (latest per key wins).
  std::mutex pending_mu_;
  std::unordered_map<market::InstrumentKey, std::optional<scan::DeltaRow>> pending_;
  bool pending_full_ = false;
  bool drain_scheduled_ = false;

  // Table.
  mutable std::mutex table_mu_;
  std::unordered_map<market::InstrumentKey, Entry> rows_;
  std::map<std::uint64_t, market::InstrumentKey> by_seq_;
  std::uint64_t seq_ = 0;
  std::uint64_t floor_seq_ = 0;  // cursors below this get a snapshot (tombstones pruned)
  std::size_t tombstones_ = 0;
  std::deque<std::uint64_t> drain_ends_;  // last seq of each recent drain (bounded)
  SharedText status_;

  // Clients.
  mutable std::mutex clients_mu_;
  std::vector<std::weak_ptr<PushClient>> clients_;

  std::atomic<std::uint64_t> published_rows_{0};
  std::atomic<std::uint64_t> serialized_rows_{0};
  std::atomic<std::size_t> attached_{0};  // clients_.size(), read without the lock
  std::atomic<std::uint64_t> published_alerts_{0};
  std::atomic<std::uint64_t> coalesced_{0};
  std::atomic<std::uint64_t> snapshots_{0};
  std::atomic<std::uint64_t> closed_slow_{0};
  std::atomic<std::uint64_t> refused_clients_{0};
};

}  // namespace fno::web
