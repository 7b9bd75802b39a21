#include "net/tls_frame_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <optional>

namespace fno::net {

namespace {

constexpr std::size_t kBufferSize = 64 * 1024;
// A receive leaves room for a whole TLS record's plaintext (at most 16 KiB).
constexpr std::size_t kReceiveRoom = 17 * 1024;
// Decrypting ahead stops when less room than this is left.
constexpr std::size_t kAheadRoom = 2 * 1024;

struct FrameHead {
  std::size_t size = 0;  // header + payload
  bool fin = false;
  unsigned opcode = 0;
};

// RFC 6455 5.2 frame header at `p`, or nothing while it is incomplete.
std::optional<FrameHead> parse_head(const std::uint8_t* p, std::size_t n) {
  if (n < 2) return std::nullopt;
  std::size_t header = 2 + ((p[1] & 0x80) ? 4 : 0);
  std::uint64_t payload = p[1] & 0x7f;
  if (payload == 126) {
    header += 2;
    if (n < 4) return std::nullopt;
    payload = (std::uint64_t{p[2]} << 8) | p[3];
  } else if (payload == 127) {
    header += 8;
    if (n < 10) return std::nullopt;
    payload = 0;
    for (int i = 2; i < 10; ++i) payload = (payload << 8) | p[i];
  }
  if (n < header) return std::nullopt;
  FrameHead head;
  // A length past any real message saturates; the WebSocket layer refuses it anyway.
  head.size = payload > SIZE_MAX - header ? SIZE_MAX : header + static_cast<std::size_t>(payload);
  head.fin = (p[0] & 0x80) != 0;
  head.opcode = p[0] & 0x0f;
  return head;
}

// Matches "\r\n\r\n" byte by byte: the state is how much of it has been seen.
unsigned next_blank_line_state(unsigned state, std::uint8_t c) {
  const std::uint8_t expected = state % 2 == 0 ? '\r' : '\n';
  if (c == expected) return state + 1;
  return c == '\r' ? 1 : 0;
}

}  // namespace

TlsFrameStream::TlsFrameStream(boost::asio::io_context& io, boost::asio::ssl::context& ctx)
    : tls_(io, ctx), data_(kBufferSize) {}

bool TlsFrameStream::message_buffered() const {
  if (!framing_ || frame_left_ != 0) return false;
  const std::size_t available = tail_ - head_;
  const auto head = parse_head(data_.data() + head_, available);
  return head && head->fin && (head->opcode == 1 || head->opcode == 2) && head->size <= available;
}

std::size_t TlsFrameStream::handout_size() const {
  const std::size_t available = tail_ - head_;
  if (available == 0) return 0;
  if (!framing_) {
    unsigned state = blank_line_;
    std::size_t n = 0;
    while (n < available && state < 4) state = next_blank_line_state(state, data_[head_ + n++]);
    return n;
  }
  if (frame_left_ > 0) return std::min(frame_left_, available);
  const auto head = parse_head(data_.data() + head_, available);
  return head ? std::min(head->size, available) : 0;
}

void TlsFrameStream::consumed(std::size_t n) {
  const std::uint8_t* p = data_.data() + head_;
  head_ += n;
  if (!framing_) {
    for (std::size_t i = 0; i < n; ++i) blank_line_ = next_blank_line_state(blank_line_, p[i]);
    framing_ = blank_line_ == 4;  // handout_size() stops there: the next byte starts a frame
  } else {
    while (n > 0) {
      if (frame_left_ == 0) frame_left_ = parse_head(p, n)->size;  // handed out, so the header was whole
      const std::size_t step = std::min(frame_left_, n);
      frame_left_ -= step;
      p += step;
      n -= step;
    }
  }
  if (head_ == tail_) head_ = tail_ = 0;
}

boost::asio::mutable_buffer TlsFrameStream::receive_space() {
  if (data_.size() - tail_ < kReceiveRoom) {
    std::memmove(data_.data(), data_.data() + head_, tail_ - head_);
    tail_ -= head_;
    head_ = 0;
  }
  return boost::asio::buffer(data_.data() + tail_, data_.size() - tail_);
}

void TlsFrameStream::decrypt_ahead() {
  if (!framing_) return;
  if (!non_blocking_) {
    boost::system::error_code ec;
    boost::beast::get_lowest_layer(tls_).socket().non_blocking(true, ec);
    if (ec) return;
    non_blocking_ = true;
  }
  SSL* ssl = tls_.native_handle();
  while (data_.size() - tail_ >= kAheadRoom) {
    // OpenSSL directly while it holds whole records: asio's engine adds an
    // error-queue reset and BIO checks per record. A record still arriving is
    // left to the async read; anything else (close_notify, an alert, a write
    // OpenSSL wants) goes through asio's read, which maps it to an error code.
    const int room = static_cast<int>(std::min<std::size_t>(data_.size() - tail_, INT_MAX));
    const int n = SSL_read(ssl, data_.data() + tail_, room);
    if (n > 0) {
      tail_ += static_cast<std::size_t>(n);
      continue;
    }
    if (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ) return;
    ERR_clear_error();
    boost::system::error_code ec;
    tail_ += tls_.read_some(boost::asio::buffer(data_.data() + tail_, data_.size() - tail_), ec);
    if (ec && ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) error_ = ec;
    return;
  }
}

void teardown(boost::beast::role_type role, TlsFrameStream& stream, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

}  // namespace fno::net
