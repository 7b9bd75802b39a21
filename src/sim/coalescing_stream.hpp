// coalescing_stream.hpp
//
// The stream under the simulator's WebSocket server stream. Pass-through
// unless coalescing is on; then writes (every WebSocket frame Beast writes:
// data, ping, pong, close) are appended to one outgoing buffer and complete
// at once, and the buffer goes to the socket in one write when it holds a
// TLS record's worth (16 KiB), when the session ends its hold (its queue of
// frames ran dry), or, outside a hold, once a round of the executor passed
// with no new write (a ping or close frame). So the client receives full TLS
// records and TCP segments of many frames, as from a busy feed server that
// writes through a buffer, instead of one record and segment per frame.
//
// Backpressure: while a buffer write is in flight and `kHoldBytes` more are
// waiting, a new write waits for room, so a slow reader still slows the
// session's queue (which counts what it has to drop). A write error is
// reported by every later write.
//
// Posted work holds `owner` (set by the session before the first write):
// once it is gone, nothing more is written. One executor (the session's
// strand), like the stream it wraps.
#pragma once

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace fno::sim {

template <class Next>
class CoalescingStream {
 public:
  using next_layer_type = Next;
  using executor_type = typename Next::executor_type;

  static constexpr std::size_t kRecordBytes = 16 * 1024;
  static constexpr std::size_t kHoldBytes = 256 * 1024;

  // `writes` counts the writes to `next` (it must outlive the stream).
  CoalescingStream(Next&& next, bool coalesce, std::atomic<std::uint64_t>& writes)
      : next_(std::move(next)), coalesce_(coalesce), writes_(writes), room_(next_.get_executor()) {}

  // Who keeps this stream alive; posted flushes lock it first.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  // While held, only whole records are written; ending the hold writes the rest.
  void hold(bool on) {
    held_ = on;
    if (!on) flush();
  }

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return next_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        WriteOp<ConstBuffers>{*this, buffers}, token, next_);
  }

 private:
  template <class ConstBuffers>
  struct WriteOp {
    CoalescingStream& stream;
    ConstBuffers buffers;
    enum class Stage { kStart, kForwarded, kWaited, kAppended } stage = Stage::kStart;
    std::size_t appended = 0;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
      switch (stage) {
        case Stage::kStart:
          if (!stream.coalesce_) {
            stage = Stage::kForwarded;
            ++stream.writes_;
            return stream.next_.async_write_some(buffers, std::move(self));
          }
          [[fallthrough]];
        case Stage::kWaited:
          if (stream.flushing_ && stream.out_.size() >= kHoldBytes && !stream.error_) {
            stage = Stage::kWaited;
            stream.room_.expires_at(boost::asio::steady_timer::time_point::max());
            return stream.room_.async_wait(std::move(self));  // flush_done() cancels it
          }
          stage = Stage::kAppended;
          if (!stream.error_) appended = stream.append(buffers);
          // Completes on the executor, never inside the initiating call.
          return boost::asio::post(stream.get_executor(), std::move(self));
        case Stage::kForwarded:
          return self.complete(ec, n);
        case Stage::kAppended:
          return self.complete(stream.error_, appended);
      }
    }
  };

  template <class ConstBuffers>
  std::size_t append(const ConstBuffers& buffers) {
    const std::size_t n = boost::asio::buffer_size(buffers);
    const std::size_t at = out_.size();
    out_.resize(at + n);
    boost::asio::buffer_copy(boost::asio::buffer(out_.data() + at, n), buffers);
    ++appends_;
    if (out_.size() >= kRecordBytes) {
      flush();
    } else if (!held_ && !check_posted_) {
      post_check();
    }
    return n;
  }

  // Flushes once a whole executor round passed without a new write.
  void post_check() {
    check_posted_ = true;
    const std::uint64_t seen = appends_;
    boost::asio::post(get_executor(), [this, keep = owner_.lock(), seen] {
      if (!keep) return;
      check_posted_ = false;
      if (held_) return;  // hold(false) flushes
      if (appends_ != seen) return post_check();
      flush();
    });
  }

  void flush() {
    if (flushing_ || out_.empty() || error_) return;
    auto keep = owner_.lock();
    if (!keep) return;
    flushing_ = true;
    ++writes_;
    sending_.swap(out_);
    boost::asio::async_write(next_, boost::asio::buffer(sending_),
                             [this, keep](boost::system::error_code ec, std::size_t) { flush_done(ec); });
  }

  void flush_done(boost::system::error_code ec) {
    flushing_ = false;
    sending_.clear();
    if (ec) error_ = ec;
    room_.cancel();
    if (out_.size() >= kRecordBytes || (!held_ && !out_.empty())) flush();  // appended during the write
  }

  Next next_;
  bool coalesce_;
  std::atomic<std::uint64_t>& writes_;
  boost::asio::steady_timer room_;  // a write waiting for room
  std::weak_ptr<void> owner_;
  std::vector<std::uint8_t> out_;      // appended, not yet written
  std::vector<std::uint8_t> sending_;  // being written
  bool flushing_ = false;
  bool held_ = false;
  bool check_posted_ = false;
  std::uint64_t appends_ = 0;
  boost::system::error_code error_;
};

// websocket::stream's close handshake tears down the stream underneath.
template <class Next>
void teardown(boost::beast::role_type role, CoalescingStream<Next>& stream, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, CoalescingStream<Next>& stream, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

}  // namespace fno::sim
