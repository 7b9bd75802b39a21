// http_server.hpp
//
// HTTP/1.1 server on Boost.Beast, running on the caller's io_context (the
// dashboard's web thread, the simulator's network thread). Owns listening and per-connection sessions: keep-alive,
// header/body size caps, a per-request read deadline (slowloris), a write
// deadline, a connection cap, and the security headers on every response.
// What to answer is a RequestSink's business; it may answer later and from
// any thread (the session hops back to its own strand), so slow work never
// runs on the I/O thread. WebSocket upgrades are handed to the sink with
// the connection. A simple synchronous Handler form serves tests and tools.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace fno::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

// Builds a JSON response with the request's version and keep-alive.
Response json_response(const Request& req, boost::beast::http::status status, std::string body);

// Adds X-Content-Type-Options, Referrer-Policy, X-Frame-Options and the CSP.
void add_security_headers(Response& res);

// A response whose body is produced in chunks (chunked transfer encoding).
// `pull` is called once per chunk and must eventually call its callback,
// from any thread, with the next chunk or nullopt at the end.
struct StreamReply {
  Response head;  // status and headers; the body is ignored
  std::function<void(std::function<void(std::optional<std::string>)>)> pull;
};
using Reply = std::variant<Response, StreamReply>;

struct Peer {
  std::string address;
};

class RequestSink {
 public:
  virtual ~RequestSink() = default;
  // Answers `req` by calling `done` exactly once, from any thread.
  virtual void handle(Request req, const Peer& peer, std::function<void(Reply)> done) = 0;
  // A WebSocket upgrade request (I/O thread): a refusal to send, or
  // nullopt to take the connection through adopt().
  virtual std::optional<Response> vet_upgrade(const Request& req, const Peer& peer) = 0;
  virtual void adopt(boost::beast::tcp_stream stream, Request req, const Peer& peer) = 0;
};

struct ServerLimits {
  std::uint32_t header_limit = 16 * 1024;
  std::uint64_t body_limit = 1u << 20;
  std::chrono::seconds request_timeout{15};  // idle keep-alive + whole request
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 256;
};

struct HttpCounters {
  std::atomic<std::uint64_t> by_class[6] = {};  // index = status / 100
  std::atomic<std::uint64_t> refused_connections{0};
  std::atomic<std::uint64_t> open_connections{0};
};

class HttpServer {
 public:
  // Binds and listens immediately; throws boost::system::system_error when the
  // address is unusable (port taken, bad address).
  HttpServer(boost::asio::io_context& io, const std::string& bind, std::uint16_t port, Handler handler);
  HttpServer(boost::asio::io_context& io, const std::string& bind, std::uint16_t port, ServerLimits limits,
             std::shared_ptr<RequestSink> sink);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound (useful with port 0 in tests).
  std::uint16_t port() const { return port_; }
  const HttpCounters& counters() const;
  // Stops accepting; open connections finish their current exchange.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace fno::web
