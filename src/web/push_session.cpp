#include "web/push_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <mutex>
#include <set>

#include "web/api_json.hpp"
#include "web/auth.hpp"

namespace fno::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxControlFrames = 64;  // pongs, pings, handshake replies waiting to be written

class PushSession : public PushClient, public std::enable_shared_from_this<PushSession> {
 public:
  PushSession(beast::tcp_stream stream, PushProtocol protocol, std::shared_ptr<Hub> hub, PushOptions options)
      : ws_(std::move(stream)), protocol_(protocol), hub_(std::move(hub)), options_(std::move(options)),
        timer_(ws_.get_executor()) {}

  void start(Request req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(options_.max_message);
    ws_.text(true);
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void deliver(const PushEvent& event) override {
    bool wake = false;
    bool overflow = false;
    {
      std::lock_guard lock(mu_);
      if (overflowed_) return;
      if (event.replaceable) {
        status_ = event;
      } else if (queue_.size() >= options_.max_queue || queue_bytes_ + event.payload->size() > options_.max_queue_bytes) {
        overflowed_ = overflow = true;
      } else {
        queue_bytes_ += event.payload->size();
        queue_.push_back(event);
      }
      wake = !overflow && !std::exchange(wake_pending_, true);
    }
    if (overflow) return asio::post(ws_.get_executor(), [self = shared_from_this()] { self->abort_slow(); });
    if (wake) asio::post(ws_.get_executor(), [self = shared_from_this()] { self->pump(); });
  }

  bool wants_candles(market::InstrumentKey key) const override {
    std::lock_guard lock(mu_);
    return candles_.contains(key);
  }

  void collect_charted(std::vector<market::InstrumentKey>& out) const override {
    std::lock_guard lock(mu_);
    out.insert(out.end(), candles_.begin(), candles_.end());
  }

  PushProtocol protocol() const override { return protocol_; }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    if (!hub_->attach(shared_from_this())) {
      closing_ = true;
      ws_.async_close(websocket::close_reason(websocket::close_code::try_again_later, "too many live clients"),
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    if (protocol_ == PushProtocol::kSocketIo) {
      sid_ = random_hex(10);
      push_control(fmt::format(
          R"(0{{"sid":"{}","upgrades":[],"pingInterval":{},"pingTimeout":{},"maxPayload":{}}})", sid_,
          options_.ping_interval.count(), options_.ping_timeout.count(), options_.max_message));
      last_ping_ = Clock::now();
    } else {
      ready_ = true;
      push_control(frame("hello", json::serialize(json::object{{"version", options_.version},
                                                                    {"mode", options_.mode}})));
    }
    if (auto status = hub_->latest_status()) {
      std::lock_guard lock(mu_);
      if (!status_) status_ = PushEvent{"status", std::move(status), true};
    }
    read();
    arm_timer();
    pump();
  }

  void read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();
    const std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    if (protocol_ == PushProtocol::kSocketIo) on_engine_io(text);
    else on_message(text);
    if (closing_) return;
    read();
    pump();
  }

  void on_engine_io(std::string_view packet) {
    if (packet == "3") {
      awaiting_pong_ = false;
    } else if (packet == "2") {
      push_control("3");
    } else if (packet == "1" || packet.starts_with("41")) {
      close(websocket::close_code::normal);
    } else if (packet.starts_with("40")) {
      if (packet.size() > 2 && packet[2] == '/') {
        push_control(R"(44{"message":"Invalid namespace"})");
        return;
      }
      push_control(fmt::format(R"(40{{"sid":"{}"}})", sid_));
      ready_ = true;
    } else if (packet.starts_with("42")) {
      on_socket_io_event(packet.substr(2));
    }
  }

  void on_socket_io_event(std::string_view text) {
    boost::system::error_code ec;
    const auto value = json::parse(text, ec);
    const auto* array = value.if_array();
    if (ec || array == nullptr || array->empty() || !array->at(0).is_string()) return;
    const json::object empty;
    const auto* data = array->size() > 1 ? array->at(1).if_object() : nullptr;
    on_event(array->at(0).get_string(), data != nullptr ? *data : empty);
  }

  void on_message(std::string_view text) {
    boost::system::error_code ec;
    const auto value = json::parse(text, ec);
    const auto* obj = value.if_object();
    if (ec || obj == nullptr) return;
    const auto* type = obj->if_contains("type");
    if (type == nullptr || !type->is_string()) return;
    on_event(type->get_string(), *obj);
  }

  void on_event(std::string_view type, const json::object& data) {
    if (type == "ping") {
      push_control(frame("pong", "{}"));
      return;
    }
    const bool subscribe = type == "subscribe_candles";
    if (!subscribe && type != "unsubscribe_candles") return;
    const auto* segment = data.if_contains("segment");
    const auto* id = data.if_contains("security_id");
    std::optional<std::uint8_t> seg;
    if (segment != nullptr && segment->is_string()) seg = parse_segment(segment->get_string());
    if (segment != nullptr && segment->is_int64()) seg = parse_segment(std::to_string(segment->get_int64()));
    if (!seg || id == nullptr || !id->is_int64() || id->get_int64() <= 0 || id->get_int64() > UINT32_MAX) return;
    const market::InstrumentKey key{*seg, static_cast<std::uint32_t>(id->get_int64())};
    std::lock_guard lock(mu_);
    if (!subscribe) candles_.erase(key);
    else if (candles_.size() < options_.max_candle_subscriptions) candles_.insert(key);
  }

  void arm_timer() {
    timer_.expires_after(options_.rows_interval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closing_) return;
      self->check_ping();
      self->pump();
      self->arm_timer();
    });
  }

  void check_ping() {
    if (protocol_ != PushProtocol::kSocketIo) return;
    const auto now = Clock::now();
    if (awaiting_pong_ && now - last_ping_ > options_.ping_timeout) return close(websocket::close_code::going_away);
    if (!awaiting_pong_ && now - last_ping_ >= options_.ping_interval) {
      push_control("2");
      awaiting_pong_ = true;
      last_ping_ = now;
    }
  }

  std::string frame(std::string_view type, std::string_view payload) const {
    if (protocol_ == PushProtocol::kSocketIo) return fmt::format(R"(42["{}",{}])", type, payload);
    return fmt::format(R"({{"type":"{}","data":{}}})", type, payload);
  }

  // The next frame to send, in priority order; empty when nothing is due.
  std::string next_frame() {
    if (!control_.empty()) {
      std::string out = std::move(control_.front());
      control_.pop_front();
      return out;
    }
    if (!ready_) return {};
    {
      std::lock_guard lock(mu_);
      if (!queue_.empty()) {
        PushEvent event = std::move(queue_.front());
        queue_.pop_front();
        queue_bytes_ -= event.payload->size();
        return frame(event.type, *event.payload);
      }
      if (status_) {
        PushEvent event = std::move(*status_);
        status_.reset();
        return frame(event.type, *event.payload);
      }
    }
    if (!row_parts_.empty()) {
      std::string out = frame("rows", row_parts_.front());
      row_parts_.pop_front();
      return out;
    }
    const auto now = Clock::now();
    if (now < next_rows_) return {};
    next_rows_ = now + options_.rows_interval;
    // Socket.IO keeps full rows (its consumers replace rows); /ws sends changed members only.
    auto update = hub_->rows_since(cursor_, protocol_ == PushProtocol::kWebSocket ? RowFields::kChanged : RowFields::kAll,
                                   options_.rows_frame_bytes);
    cursor_ = update.version;
    if (update.parts.empty()) return {};
    if (options_.rows_bytes_per_second > 0) {
      std::size_t bytes = 0;
      for (const auto& part : update.parts) bytes += part.size();
      const auto budget = std::chrono::microseconds(bytes * 1000000 / options_.rows_bytes_per_second);
      next_rows_ = std::max(next_rows_, now + std::chrono::duration_cast<Clock::duration>(budget));
    }
    // The first part now, the rest one per write: an alert queued meanwhile goes between them.
    row_parts_.assign(std::make_move_iterator(update.parts.begin() + 1), std::make_move_iterator(update.parts.end()));
    return frame(update.snapshot ? "snapshot" : "rows", update.parts.front());
  }

  void pump() {
    {
      std::lock_guard lock(mu_);
      wake_pending_ = false;
    }
    if (writing_ || closing_) return;
    out_ = next_frame();
    if (out_.empty()) return;
    writing_ = true;
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->finish();
      self->pump();
    });
  }

  void close(websocket::close_code code) {
    if (std::exchange(closing_, true)) return;
    finish();
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
  }

  // Protocol replies are bounded too: a client that pings but never reads
  // must not grow them without limit.
  void push_control(std::string frame_text) {
    if (control_.size() >= kMaxControlFrames) return abort_slow();
    control_.push_back(std::move(frame_text));
  }

  // Even the bounded queue overflowed: drop the connection without waiting on its stalled writes.
  void abort_slow() {
    if (closing_) return;
    closing_ = true;
    hub_->count_closed_slow();
    spdlog::warn("live-push client too slow; closing it");
    finish();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void finish() {
    closing_ = true;
    timer_.cancel();
    hub_->detach(this);
  }

  websocket::stream<beast::tcp_stream> ws_;
  PushProtocol protocol_;
  std::shared_ptr<Hub> hub_;
  PushOptions options_;
  asio::steady_timer timer_;
  beast::flat_buffer read_buffer_;

  // Strand-owned.
  std::deque<std::string> control_;  // protocol frames, sent first
  std::deque<std::string> row_parts_;  // the rest of the last rows update, sent before the next pull
  std::string out_;
  bool writing_ = false;
  bool closing_ = false;
  bool ready_ = false;  // events may flow (Socket.IO: after the client's "40")
  std::optional<std::uint64_t> cursor_;  // nullopt until the first snapshot
  Clock::time_point next_rows_{};  // no rows pull before it
  Clock::time_point last_ping_{};
  bool awaiting_pong_ = false;
  std::string sid_;

  // Shared with deliver() callers.
  mutable std::mutex mu_;
  std::deque<PushEvent> queue_;
  std::size_t queue_bytes_ = 0;
  std::optional<PushEvent> status_;
  bool wake_pending_ = false;
  bool overflowed_ = false;
  std::set<market::InstrumentKey> candles_;
};

}  // namespace

void start_push_session(beast::tcp_stream stream, Request req, PushProtocol protocol, std::shared_ptr<Hub> hub,
                        const PushOptions& options) {
  auto session = std::make_shared<PushSession>(std::move(stream), protocol, std::move(hub), options);
  session->start(std::move(req));
}

}  // namespace fno::web
