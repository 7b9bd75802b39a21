// libFuzzer target for the Telegram Bot API reply path: the input is the raw
// HTTP response a loopback server sends to `send_test_message` (status line,
// headers, body: Beast's response parser in net::HttpClient, then the Bot
// API error classification). Any reply must end in a result without a crash,
// hang or UB, and the user-facing message never carries the bot token nor
// its secret half, even when the server echoes them back.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "alerts/telegram.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr const char* kToken = "123456789:FUZZ-telegram-SECRET-AAHfiqksKZ8";
// The part after the colon is the secret; the numeric bot id before it is not.
constexpr const char* kTokenSecretPart = "FUZZ-telegram-SECRET-AAHfiqksKZ8";

// Answers every request with the current reply bytes, then closes.
class ReplyServer {
 public:
  ReplyServer() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    std::thread([this] { serve(); }).detach();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void set_reply(std::string bytes) {
    std::lock_guard lock(mu_);
    reply_ = std::move(bytes);
  }

 private:
  void serve() {
    for (;;) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) continue;
      // Answer after the headers (waiting for the body would cost a delayed
      // ACK per run), then drain what the client still sends until it
      // closes, so closing sends no RST that could eat the reply.
      boost::beast::flat_buffer buffer;
      http::request_parser<http::string_body> request;
      http::read_header(socket, buffer, request, ec);
      const std::string reply = current();
      asio::write(socket, asio::buffer(reply), ec);
      socket.shutdown(tcp::socket::shutdown_send, ec);
      char sink[4096];
      while (!ec) socket.read_some(asio::buffer(sink), ec);
    }
  }
  std::string current() {
    std::lock_guard lock(mu_);
    return reply_;
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::mutex mu_;
  std::string reply_;
};

ReplyServer& server() {
  static ReplyServer* instance = new ReplyServer();  // lives for the process; its thread never ends
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fno::alerts;
  server().set_reply(std::string(reinterpret_cast<const char*>(data), size));
  TelegramOptions options;
  options.api_url = "http://127.0.0.1:" + std::to_string(server().port());
  options.request_timeout = std::chrono::milliseconds(5000);
  const TelegramTestResult result = send_test_message(options, kToken, "-100123456");
  if (result.message.empty() || result.message.find(kTokenSecretPart) != std::string::npos) {
    std::fprintf(stderr, "unsafe result message: %s\n", result.message.c_str());
    std::abort();
  }
  return 0;
}
