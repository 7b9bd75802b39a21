// http_server.hpp
//
// HTTP/1.1 server on Boost.Beast, running on the caller's io_context (the
// network thread). Owns listening and per-connection sessions (keep-alive,
// read timeout, body size limit); delegates every request to a `Handler`
// that must answer quickly and never block (it runs on the network thread).
// Engine, disk and strategy work never happen here.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace fno::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

// Builds a JSON response with the request's version and keep-alive.
Response json_response(const Request& req, boost::beast::http::status status, std::string body);

class HttpServer {
 public:
  // Binds and listens immediately; throws boost::system::system_error when the
  // address is unusable (port taken, bad address).
  HttpServer(boost::asio::io_context& io, const std::string& bind, std::uint16_t port, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound (useful with port 0 in tests).
  std::uint16_t port() const { return port_; }
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace fno::web
