#include "net/tls_frame_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "sim/tls_cert.hpp"

namespace fno::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

struct Message {
  bool text = false;
  std::string payload;
  bool operator==(const Message&) const = default;
};

std::string pattern(std::size_t size, int seed) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) & 0xff);
  return s;
}

// A real wss server on loopback (its own thread): after the upgrade it sends
// `burst` at once (so they wait in the client's socket), says so, then sends
// `rest` with a ping and a two-fragment message among them, and closes.
class BurstServer {
 public:
  BurstServer(const sim::SelfSignedCert& cert, std::vector<Message> burst, std::vector<Message> rest)
      : ctx_(ssl::context::tls_server), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain(asio::buffer(cert.cert_pem));
    ctx_.use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
    thread_ = std::thread([this, burst = std::move(burst), rest = std::move(rest)] { serve(burst, rest); });
  }
  ~BurstServer() { thread_.join(); }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::future<void> burst_sent() { return burst_sent_.get_future(); }

 private:
  void serve(const std::vector<Message>& burst, const std::vector<Message>& rest) {
    websocket::stream<ssl::stream<tcp::socket>> ws(acceptor_.accept(), ctx_);
    ws.next_layer().handshake(ssl::stream_base::server);
    ws.accept();
    const auto send = [&](const Message& m) {
      ws.text(m.text);
      ws.write(asio::buffer(m.payload));
    };
    for (const auto& m : burst) send(m);
    burst_sent_.set_value();
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (i == rest.size() / 2) ws.ping({});
      if (i + 1 == rest.size()) {  // the last one in two fragments
        const std::string& p = rest[i].payload;
        ws.binary(true);
        ws.write_some(false, asio::buffer(p.data(), p.size() / 2));
        ws.write_some(true, asio::buffer(p.data() + p.size() / 2, p.size() - p.size() / 2));
      } else {
        send(rest[i]);
      }
    }
    ws.close(websocket::close_code::normal);
    boost::beast::flat_buffer sink;
    boost::system::error_code ec;
    while (!ec) ws.read(sink, ec);  // until the client's close reply
  }

  asio::io_context io_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::promise<void> burst_sent_;
  std::thread thread_;
};

// The feed client's read loop: one async read, then every message already
// buffered read synchronously, until the stream ends.
struct Reader {
  explicit Reader(websocket::stream<TlsFrameStream>& stream) : ws(stream) {}

  websocket::stream<TlsFrameStream>& ws;
  boost::beast::flat_buffer buffer;
  std::vector<Message> got;
  int buffered_reads = 0;
  boost::system::error_code end;

  void take() {
    got.push_back({ws.got_text(), boost::beast::buffers_to_string(buffer.data())});
    buffer.consume(buffer.size());
  }
  void read() {
    ws.async_read(buffer, [this](boost::system::error_code ec, std::size_t) {
      if (ec) {
        end = ec;
        return;
      }
      take();
      while (ws.next_layer().message_buffered()) {
        ws.read(buffer, ec);
        if (ec) {
          end = ec;
          return;
        }
        ++buffered_reads;
        take();
      }
      read();
    });
  }
};

TEST(TlsFrameStream, DeliversEveryMessageIntactAndReadsBufferedOnesWithoutWaiting) {
  const auto cert = sim::generate_self_signed_cert();
  std::vector<Message> burst;
  for (int i = 0; i < 600; ++i) {
    const bool text = i % 97 == 0;  // text must be UTF-8
    burst.push_back({text, text ? std::string(static_cast<std::size_t>(i % 50), 'x')
                                : pattern(static_cast<std::size_t>(20 + i % 60), i)});
  }
  // Every length encoding, records split across frames and frames across records.
  std::vector<Message> rest;
  for (std::size_t size : {0, 1, 125, 126, 127, 65535, 65536, 70000, 16384, 16385, 3})
    rest.push_back({false, pattern(size, static_cast<int>(size))});
  rest.push_back({true, "{\"text\":true}"});
  rest.push_back({false, pattern(40000, 7)});  // sent in two fragments
  BurstServer server(cert, burst, rest);
  auto burst_sent = server.burst_sent();

  asio::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  ctx.add_certificate_authority(asio::buffer(cert.cert_pem));
  ctx.set_verify_mode(ssl::verify_peer);
  websocket::stream<TlsFrameStream> ws(io, ctx);
  boost::beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  ws.next_layer().next_layer().handshake(ssl::stream_base::client);
  ws.read_message_max(1u << 20);
  Reader reader(ws);
  ws.async_handshake("127.0.0.1", "/", [&](boost::system::error_code ec) {
    ASSERT_FALSE(ec) << ec.message();
    burst_sent.wait();  // the whole burst is in the socket before the first read
    reader.read();
  });
  io.run();

  std::vector<Message> sent = burst;
  sent.insert(sent.end(), rest.begin(), rest.end());
  ASSERT_EQ(reader.got.size(), sent.size()) << reader.end.message();
  for (std::size_t i = 0; i < sent.size(); ++i) ASSERT_EQ(reader.got[i], sent[i]) << "message " << i;
  EXPECT_EQ(reader.end, websocket::error::closed);  // the server's close, answered through the TLS teardown
  // The burst sat decrypted in one buffer: all but the first of each socket read came without waiting.
  EXPECT_GT(reader.buffered_reads, 500);
}

}  // namespace
}  // namespace fno::net
