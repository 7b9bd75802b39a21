#include "web/hub.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <string_view>
#include <utility>

#include "web/api_json.hpp"

namespace fno::web {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxDrainHistory = 1024;
constexpr std::size_t kDrainChunk = 256;  // rows installed per table lock
// write_row_json opens with the instrument's members: the row id every compact delta row keeps.
constexpr std::size_t kRowIdMembers = 2;

SharedText text(const json::value& value) { return std::make_shared<const std::string>(json::serialize(value)); }

std::string_view member(const std::string& json, const std::vector<std::uint32_t>& ends, std::size_t i) {
  const std::size_t begin = i == 0 ? 1 : ends[i - 1] + 1;  // after '{' or the ','
  return std::string_view(json).substr(begin, ends[i] - begin);
}

// A delta's rows as complete messages of about `limit` bytes each.
class DeltaParts {
 public:
  DeltaParts(std::uint64_t version, std::size_t limit)
      : head_("{\"version\":" + std::to_string(version) + ",\"rows\":["), limit_(limit) {}

  // The part to append one more row object to: the open one, or a new one
  // once the open one reached the limit.
  std::string& next_row() {
    if (parts_.empty() || parts_.back().size() >= limit_) {
      if (!parts_.empty()) parts_.back() += "]}";
      parts_.push_back(head_);
    } else {
      parts_.back() += ',';
    }
    return parts_.back();
  }

  // Closes the last part with the removed keys.
  std::vector<std::string> finish(const std::vector<market::InstrumentKey>& removed) && {
    if (parts_.empty()) parts_.push_back(head_);
    std::string& last = parts_.back();
    last += "],\"removed\":[";
    for (std::size_t i = 0; i < removed.size(); ++i) {
      if (i != 0) last += ',';
      last += json::serialize(instrument_json(removed[i]));
    }
    last += "]}";
    return std::move(parts_);
  }

 private:
  std::string head_;
  std::size_t limit_;
  std::vector<std::string> parts_;
};

}  // namespace

Hub::Hub(boost::asio::any_io_executor worker, HubOptions options)
    : worker_(std::move(worker)), options_(std::move(options)) {}

void Hub::publish_alert(const alerts::Alert& alert) {
  ++published_alerts_;
  fan_out(PushEvent{"alert", text(alert_json(alert)), false}, nullptr);
}

void Hub::publish_status(std::string status_json) {
  auto payload = std::make_shared<const std::string>(std::move(status_json));
  {
    std::lock_guard lock(table_mu_);
    status_ = payload;
  }
  fan_out(PushEvent{"status", std::move(payload), true}, nullptr);
}

void Hub::publish_candle(market::InstrumentKey key, const market::Candle& candle, std::optional<double> resistance,
                         std::optional<double> ema_short, std::optional<double> ema_long) {
  json::object payload = instrument_json(key);
  payload["candle"] = candle_json(candle);
  payload["resistance"] = opt(resistance);
  payload["ema_short"] = opt(ema_short);
  payload["ema_long"] = opt(ema_long);
  fan_out(PushEvent{"candle", text(payload), false}, &key);
}

void Hub::publish_rows(const scan::SnapshotDelta& delta) {
  published_rows_ += delta.rows.size();
  {
    std::lock_guard lock(pending_mu_);
    if (delta.full) {
      pending_.clear();
      pending_full_ = true;
    }
    // A row still waiting from an earlier publish is replaced: that publish is coalesced.
    for (const auto& row : delta.rows) {
      if (!pending_.insert_or_assign(row.key, row).second) ++coalesced_;
    }
    for (const auto& key : delta.removed) {
      if (!pending_.insert_or_assign(key, std::nullopt).second) ++coalesced_;
    }
  }
  if (attached_.load() > 0) schedule_drain();
}

void Hub::schedule_drain() {
  {
    std::lock_guard lock(pending_mu_);
    if ((pending_.empty() && !pending_full_) || std::exchange(drain_scheduled_, true)) return;
  }
  boost::asio::post(worker_, [this] { drain(); });
}

void Hub::drain() {
  std::unordered_map<market::InstrumentKey, std::optional<scan::DeltaRow>> batch;
  bool full = false;
  {
    std::lock_guard lock(pending_mu_);
    batch.swap(pending_);
    full = std::exchange(pending_full_, false);
    drain_scheduled_ = false;
  }
  serialized_rows_ += batch.size();
  std::vector<std::pair<market::InstrumentKey, std::optional<RowText>>> serialized;
  serialized.reserve(batch.size());
  for (auto& [key, row] : batch) {
    if (!row) {
      serialized.emplace_back(key, std::nullopt);
      continue;
    }
    ScannerRow scanner_row{row->row(), {}, {}};
    if (options_.describe) options_.describe(scanner_row);
    write_row_json(scanner_row, *serialized.emplace_back(key, RowText{}).second);
  }
  if (full) {
    // A full delta replaces everything: keys it does not list are gone.
    for (const auto& [key, entry] : rows_) {
      if (entry.json != nullptr && !batch.contains(key)) serialized.emplace_back(key, std::nullopt);
    }
  }
  // Compared with the table outside the lock (only this worker writes it)
  // and installed a chunk per lock, so a client's pull, and an alert queued
  // behind it, waits for one chunk, not a whole minute-boundary drain.
  std::uint64_t seq = seq_;
  std::vector<Entry> next;
  for (std::size_t begin = 0; begin < serialized.size(); begin += kDrainChunk) {
    const std::size_t end = std::min(serialized.size(), begin + kDrainChunk);
    next.clear();
    for (std::size_t i = begin; i < end; ++i) next.push_back(next_entry(++seq, serialized[i].first, serialized[i].second));
    std::lock_guard lock(table_mu_);
    for (std::size_t i = begin; i < end; ++i) install(serialized[i].first, std::move(next[i - begin]));
    seq_ = seq;
  }
  std::lock_guard lock(table_mu_);
  if (tombstones_ > rows_.size() / 2 + 64) {
    // Forget removed rows; clients older than this point get a snapshot.
    std::erase_if(rows_, [](const auto& entry) { return entry.second.json == nullptr; });
    std::erase_if(by_seq_, [this](const auto& entry) { return !rows_.contains(entry.second); });
    tombstones_ = 0;
    floor_seq_ = seq_;
  }
  drain_ends_.push_back(seq_);
  if (drain_ends_.size() > kMaxDrainHistory) drain_ends_.pop_front();
}

Hub::Entry Hub::next_entry(std::uint64_t seq, market::InstrumentKey key, std::optional<RowText>& row) const {
  Entry next{seq, nullptr, {}, {}};
  if (!row) return next;
  const auto it = rows_.find(key);
  const Entry* old = it != rows_.end() ? &it->second : nullptr;
  // A member keeps the seq it last changed at; a new (or reshaped) row changes all of them.
  const bool comparable = old != nullptr && old->json != nullptr && old->member_ends.size() == row->member_ends.size();
  next.member_seqs.assign(row->member_ends.size(), seq);
  for (std::size_t i = 0; comparable && i < row->member_ends.size(); ++i) {
    if (member(row->json, row->member_ends, i) == member(*old->json, old->member_ends, i)) {
      next.member_seqs[i] = old->member_seqs[i];
    }
  }
  next.member_ends = std::move(row->member_ends);
  next.json = std::make_shared<const std::string>(std::move(row->json));
  return next;
}

void Hub::install(market::InstrumentKey key, Entry next) {
  auto& entry = rows_[key];
  if (next.json == nullptr && entry.json != nullptr) ++tombstones_;
  if (next.json != nullptr && entry.seq != 0 && entry.json == nullptr) --tombstones_;
  if (entry.seq != 0) {
    auto node = by_seq_.extract(entry.seq);  // the map node moves to the new seq, no allocation
    node.key() = next.seq;
    by_seq_.insert(std::move(node));
  } else {
    by_seq_.emplace(next.seq, key);
  }
  entry = std::move(next);
}

RowsUpdate Hub::rows_since(std::optional<std::uint64_t> since, RowFields fields, std::size_t part_bytes) {
  std::vector<SharedText> changed;
  std::vector<market::InstrumentKey> removed;
  RowsUpdate update;
  std::optional<DeltaParts> parts;
  {
    std::lock_guard lock(table_mu_);
    if (!since || *since < floor_seq_) {
      if (since) ++snapshots_;
      return snapshot_locked();
    }
    const auto cursor = *since;
    update.version = seq_;
    if (cursor >= seq_) return update;
    parts.emplace(update.version, part_bytes);
    // Full rows (Socket.IO): when most of the table changed a snapshot is as
    // large and simpler. Changed members (/ws): a delta is always smaller
    // than a snapshot of full rows, however many rows it holds.
    const auto first = by_seq_.upper_bound(cursor);
    if (fields == RowFields::kAll) {
      const auto changes = static_cast<std::size_t>(std::distance(first, by_seq_.end()));
      if (changes > std::max<std::size_t>((rows_.size() - tombstones_) / 2, 16)) {
        ++snapshots_;
        return snapshot_locked();
      }
      changed.reserve(changes);
    }
    for (auto it = first; it != by_seq_.end(); ++it) {
      const auto& entry = rows_.at(it->second);
      if (entry.json == nullptr) {
        removed.push_back(it->second);
      } else if (fields == RowFields::kAll) {
        changed.push_back(entry.json);  // copied into the parts outside the lock
      } else {
        append_changed_members(parts->next_row(), entry, cursor);
      }
    }
    const auto drains = static_cast<std::size_t>(
        drain_ends_.end() - std::upper_bound(drain_ends_.begin(), drain_ends_.end(), cursor));
    update.merged_publishes = drains;
    if (drains > 1) coalesced_ += drains - 1;
  }
  for (const auto& row : changed) parts->next_row() += *row;
  update.parts = std::move(*parts).finish(removed);
  return update;
}

void Hub::append_changed_members(std::string& out, const Entry& entry, std::uint64_t cursor) {
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < entry.member_ends.size(); ++i) {
    if (i >= kRowIdMembers && entry.member_seqs[i] <= cursor) continue;
    if (!std::exchange(first, false)) out += ',';
    out += member(*entry.json, entry.member_ends, i);
  }
  out += '}';
}

RowsUpdate Hub::snapshot_locked() {
  RowsUpdate update;
  update.snapshot = true;
  update.version = seq_;
  std::string& out = update.parts.emplace_back();
  out = "{\"version\":" + std::to_string(seq_) + ",\"rows\":[";
  bool first = true;
  for (const auto& [seq, key] : by_seq_) {
    const auto& json = rows_.at(key).json;
    if (json == nullptr) continue;
    if (!first) out += ',';
    first = false;
    out += *json;
  }
  out += "]}";
  return update;
}

SharedText Hub::latest_status() const {
  std::lock_guard lock(table_mu_);
  return status_;
}

bool Hub::attach(const std::shared_ptr<PushClient>& client) {
  std::lock_guard lock(clients_mu_);
  std::erase_if(clients_, [](const auto& weak) { return weak.expired(); });
  if (clients_.size() >= options_.max_clients) {
    ++refused_clients_;
    return false;
  }
  clients_.push_back(client);
  attached_ = clients_.size();
  schedule_drain();  // rows that waited while nobody watched
  return true;
}

void Hub::detach(const PushClient* client) {
  std::lock_guard lock(clients_mu_);
  std::erase_if(clients_, [client](const auto& weak) {
    const auto strong = weak.lock();
    return strong == nullptr || strong.get() == client;
  });
  attached_ = clients_.size();
}

std::vector<std::shared_ptr<PushClient>> Hub::live_clients() const {
  std::vector<std::shared_ptr<PushClient>> out;
  std::lock_guard lock(clients_mu_);
  out.reserve(clients_.size());
  for (const auto& weak : clients_) {
    if (auto client = weak.lock()) out.push_back(std::move(client));
  }
  return out;
}

void Hub::fan_out(const PushEvent& event, const market::InstrumentKey* candle_key) {
  // Delivered outside the lock: a client closing itself may detach meanwhile.
  for (const auto& client : live_clients()) {
    if (candle_key == nullptr || client->wants_candles(*candle_key)) client->deliver(event);
  }
}

std::vector<market::InstrumentKey> Hub::charted() const {
  std::vector<market::InstrumentKey> out;
  for (const auto& client : live_clients()) client->collect_charted(out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

HubCounters Hub::counters() const {
  HubCounters out;
  out.published_rows = published_rows_;
  out.serialized_rows = serialized_rows_;
  out.published_alerts = published_alerts_;
  out.coalesced = coalesced_;
  out.snapshots = snapshots_;
  out.closed_slow = closed_slow_;
  out.refused_clients = refused_clients_;
  std::lock_guard lock(clients_mu_);
  for (const auto& weak : clients_) {
    const auto client = weak.lock();
    if (!client) continue;
    ++(client->protocol() == PushProtocol::kWebSocket ? out.ws_clients : out.socketio_clients);
  }
  return out;
}

}  // namespace fno::web
