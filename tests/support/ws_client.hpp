// ws_client.hpp
//
// Test support: a blocking WebSocket client (Beast) for the server's /ws and
// Socket.IO endpoints on 127.0.0.1. Reads time out after 10 s (then read()
// returns empty), so a test waiting for a message fails instead of hanging.
#pragma once

#include <sys/socket.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace fno::test {

class WsClient {
 public:
  WsClient(std::uint16_t port, std::string target, std::map<std::string, std::string> headers = {}) : ws_(io_) {
    boost::asio::connect(ws_.next_layer(),
                         std::array{boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port)});
    set_receive_timeout(10);
    ws_.set_option(
        boost::beast::websocket::stream_base::decorator([headers](boost::beast::websocket::request_type& req) {
          for (const auto& [name, value] : headers) req.set(name, value);
        }));
    ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), target, ec_);
  }
  const boost::beast::error_code& error() const { return ec_; }
  const boost::beast::websocket::response_type& response() const { return response_; }

  // Next text message; empty on timeout or close.
  std::string read() {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return {};
    return boost::beast::buffers_to_string(buffer.data());
  }
  // Reads until a {"type": type} message arrives; null when none did.
  boost::json::value read_type(std::string_view type, int max_messages = 200) {
    for (int i = 0; i < max_messages; ++i) {
      const auto text = read();
      if (text.empty()) return nullptr;
      auto value = boost::json::parse(text);
      if (value.at("type").as_string() == type) return value;
    }
    return nullptr;
  }
  void send(const std::string& text) { ws_.write(boost::asio::buffer(text)); }
  boost::asio::ip::tcp::socket& socket() { return ws_.next_layer(); }

 private:
  void set_receive_timeout(int seconds) {
    timeval tv{seconds, 0};
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::websocket::response_type response_;
  boost::beast::error_code ec_;
};

}  // namespace fno::test
