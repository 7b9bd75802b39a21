// tls_frame_stream.hpp
//
// The TLS layer under a client-side Beast WebSocket that receives many small
// messages (the Dhan feed: one packet per frame, one TLS record per frame).
// After every socket read it decrypts all the records already received into
// one plaintext buffer (the socket is non-blocking; it never waits), and it
// hands the WebSocket layer at most one frame per read. So when a message
// completes, nothing of the next one sits hidden in Beast's own buffer, and
// `message_buffered()` can say whether the next whole data message is here:
// then a synchronous `websocket::stream::read` returns it without any I/O,
// instead of one reactor round trip per message.
//
// Drop-in for `TlsStream` under `websocket::stream` (async and sync stream,
// teardown); writes pass straight through. A socket or TLS error met while
// decrypting ahead is reported once the bytes before it have been read.
// One io_context thread, like the stream it wraps.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/tls.hpp"

namespace fno::net {

class TlsFrameStream {
 public:
  using next_layer_type = TlsStream;
  using executor_type = TlsStream::executor_type;

  TlsFrameStream(boost::asio::io_context& io, boost::asio::ssl::context& ctx);

  executor_type get_executor() noexcept { return tls_.get_executor(); }
  TlsStream& next_layer() noexcept { return tls_; }
  const TlsStream& next_layer() const noexcept { return tls_; }

  // Whether the next unread bytes are one whole unfragmented text or binary
  // frame: a WebSocket read of one message now completes from the buffer.
  bool message_buffered() const;

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        ReadOp<MutableBuffers>{*this, buffers}, token, tls_);
  }

  // Serves buffered bytes only; would_block when none are (it never reads the socket).
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
    ec = {};
    const std::size_t n = take(buffers);
    if (n == 0 && boost::asio::buffer_size(buffers) > 0) ec = boost::asio::error::would_block;
    return n;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return tls_.async_write_some(buffers, std::forward<Token>(token));
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& ec) {
    return tls_.write_some(buffers, ec);
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers) {
    return tls_.write_some(buffers);
  }

 private:
  template <class MutableBuffers>
  struct ReadOp {
    TlsFrameStream& stream;
    MutableBuffers buffers;
    bool reading = false;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
      if (!reading) {
        reading = true;
        // Completes from the buffer, but never inside the initiating call.
        if (stream.handout_size() > 0 || stream.error_ || boost::asio::buffer_size(buffers) == 0) {
          return boost::asio::post(stream.get_executor(), std::move(self));
        }
        return stream.tls_.async_read_some(stream.receive_space(), std::move(self));
      }
      if (n > 0) stream.received(n);
      if (ec && !stream.error_) stream.error_ = ec;
      if (n > 0 && !ec) stream.decrypt_ahead();
      const std::size_t copied = stream.take(buffers);
      if (copied > 0 || boost::asio::buffer_size(buffers) == 0) return self.complete({}, copied);
      if (stream.error_) {
        const auto error = stream.error_;
        stream.error_ = {};
        return self.complete(error, 0);
      }
      stream.tls_.async_read_some(stream.receive_space(), std::move(self));  // only part of a frame header so far
    }
  };

  // Bytes the next read may hand out: up to the end of the HTTP upgrade
  // response, then up to the end of the current frame (none while the next
  // frame's header is incomplete).
  std::size_t handout_size() const;
  template <class MutableBuffers>
  std::size_t take(const MutableBuffers& buffers) {
    const std::size_t n = boost::asio::buffer_copy(buffers, boost::asio::buffer(data_.data() + head_, handout_size()));
    consumed(n);
    return n;
  }
  void consumed(std::size_t n);
  boost::asio::mutable_buffer receive_space();
  void received(std::size_t n) { tail_ += n; }
  // Decrypts the whole records already received, without waiting for the socket.
  void decrypt_ahead();

  TlsStream tls_;
  std::vector<std::uint8_t> data_;
  std::size_t head_ = 0;             // first byte not handed out
  std::size_t tail_ = 0;             // end of the plaintext received
  bool framing_ = false;             // past the upgrade response: the bytes are WebSocket frames
  unsigned blank_line_ = 0;          // bytes of the response's closing "\r\n\r\n" handed out so far
  std::size_t frame_left_ = 0;       // bytes of the frame being handed out still to hand out; 0 at a frame start
  bool non_blocking_ = false;        // the socket is set non-blocking (on the first decrypt_ahead)
  boost::system::error_code error_;  // met while reading; reported when the buffer is empty
};

// websocket::stream's close handshake tears down the TLS stream underneath.
void teardown(boost::beast::role_type role, TlsFrameStream& stream, boost::system::error_code& ec);

template <class Handler>
void async_teardown(boost::beast::role_type role, TlsFrameStream& stream, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

}  // namespace fno::net
