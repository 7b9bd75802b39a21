#include "web/http_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <utility>

namespace fno::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kLinger = std::chrono::seconds(2);  // draining a closed connection's input

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

struct Shared {
  ServerLimits limits;
  std::shared_ptr<RequestSink> sink;
  HttpCounters counters;
};

// Answers synchronously on the I/O thread (the simple Handler form).
class HandlerSink : public RequestSink {
 public:
  explicit HandlerSink(Handler handler) : handler_(std::move(handler)) {}
  void handle(Request req, const Peer&, std::function<void(Reply)> done) override { done(handler_(req)); }
  std::optional<Response> vet_upgrade(const Request& req, const Peer&) override {
    return json_response(req, http::status::not_found, R"({"error":{"code":"not_found","message":"no WebSocket here"}})");
  }
  void adopt(beast::tcp_stream, Request, const Peer&) override {}

 private:
  Handler handler_;
};

Response plain_error(http::status status, std::string_view code, std::string_view message) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(false);
  res.body() = std::string(R"({"error":{"code":")") + std::string(code) + R"(","message":")" +
               std::string(message) + "\"}}";
  return res;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared) : stream_(std::move(socket)), shared_(std::move(shared)) {
    ++shared_->counters.open_connections;
  }
  ~Session() { --shared_->counters.open_connections; }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_.address = endpoint.address().to_string();
    read();
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(shared_->limits.header_limit);
    parser_->body_limit(shared_->limits.body_limit);
    stream_.expires_after(shared_->limits.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::header_limit || ec == http::error::body_limit) {
      return write(plain_error(http::status::payload_too_large, "too_large", "request headers or body too large"));
    }
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return;  // idle, slow or gone: just drop the connection
    }
    if (ec) return write(plain_error(http::status::bad_request, "bad_request", "malformed HTTP request"));
    stream_.expires_never();
    Request req = parser_->release();
    if (beast::websocket::is_upgrade(req)) return upgrade(std::move(req));
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    shared_->sink->handle(std::move(req), peer_, [self = shared_from_this()](Reply reply) {
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), reply = std::move(reply)]() mutable {
        self->send(std::move(reply));
      });
    });
  }

  void upgrade(Request req) {
    if (auto refusal = shared_->sink->vet_upgrade(req, peer_)) {
      refusal->keep_alive(false);
      return write(std::move(*refusal));
    }
    shared_->sink->adopt(std::move(stream_), std::move(req), peer_);
  }

  void send(Reply reply) {
    if (auto* res = std::get_if<Response>(&reply)) return write(std::move(*res));
    send_stream(std::move(std::get<StreamReply>(reply)));
  }

  void count(http::status status) {
    const auto cls = static_cast<unsigned>(status) / 100;
    if (cls < std::size(shared_->counters.by_class)) ++shared_->counters.by_class[cls];
  }

  void write(Response res) {
    response_ = std::move(res);
    response_.version(version_);
    if (!keep_alive_) response_.keep_alive(false);
    add_security_headers(response_);
    response_.prepare_payload();
    count(response_.result());
    stream_.expires_after(shared_->limits.write_timeout);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec) return;
    if (!response_.keep_alive()) return close();
    read();
  }

  // Chunked body; the connection closes afterwards (exports are one-off downloads).
  void send_stream(StreamReply reply) {
    stream_head_ = http::response<http::empty_body>{reply.head.result(), version_};
    for (const auto& field : reply.head) stream_head_.set(field.name_string(), field.value());
    stream_head_.chunked(true);
    stream_head_.keep_alive(false);
    stream_pull_ = std::move(reply.pull);
    count(stream_head_.result());
    serializer_.emplace(stream_head_);
    stream_.expires_after(shared_->limits.write_timeout);
    http::async_write_header(stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->pull_chunk();
    });
  }

  void pull_chunk() {
    stream_pull_([self = shared_from_this()](std::optional<std::string> chunk) {
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), chunk = std::move(chunk)]() mutable {
        self->write_chunk(std::move(chunk));
      });
    });
  }

  void write_chunk(std::optional<std::string> chunk) {
    stream_.expires_after(shared_->limits.write_timeout);
    if (!chunk) {
      return asio::async_write(stream_, http::make_chunk_last(),
                               [self = shared_from_this()](beast::error_code, std::size_t) { self->close(); });
    }
    chunk_ = std::move(*chunk);
    asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec) self->pull_chunk();
                      });
  }

  // Half-close, then read and discard what the client still sends until it
  // closes or kLinger passes: closing a socket with unread input resets the
  // connection, and a client still uploading (an oversized body) would lose
  // our reply instead of reading it.
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLinger);  // one deadline for the whole drain
    linger();
  }
  void linger() {
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->linger();
    });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  Peer peer_;
  beast::flat_buffer buffer_;
  std::array<char, 1024> discard_{};
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  Response response_;
  http::response<http::empty_body> stream_head_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::function<void(std::function<void(std::optional<std::string>)>)> stream_pull_;
  std::string chunk_;
};

}  // namespace

Response json_response(const Request& req, http::status status, std::string body) {
  Response res{status, req.version()};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

void add_security_headers(Response& res) {
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
}

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::shared_ptr<Shared> shared)
      : io(io), acceptor(asio::make_strand(io)), shared(std::move(shared)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) self->admit(std::move(socket));
      self->accept();
    });
  }

  void admit(tcp::socket socket) {
    if (shared->counters.open_connections >= shared->limits.max_connections) {
      ++shared->counters.refused_connections;
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    // Live pushes are small frames written back to back: with Nagle on, one
    // sent while the previous is unacknowledged waits for the client's
    // delayed ACK (up to 40 ms on Linux).
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Session>(std::move(socket), shared)->start();
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::shared_ptr<Shared> shared;
};

HttpServer::HttpServer(asio::io_context& io, const std::string& bind, std::uint16_t port, Handler handler)
    : HttpServer(io, bind, port, ServerLimits{}, std::make_shared<HandlerSink>(std::move(handler))) {}

HttpServer::HttpServer(asio::io_context& io, const std::string& bind, std::uint16_t port, ServerLimits limits,
                       std::shared_ptr<RequestSink> sink) {
  auto shared = std::make_shared<Shared>();
  shared->limits = limits;
  shared->sink = std::move(sink);
  impl_ = std::make_shared<Impl>(io, std::move(shared));
  const tcp::endpoint endpoint{asio::ip::make_address(bind == "localhost" ? "127.0.0.1" : bind), port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor.local_endpoint().port();
  impl_->accept();
}

HttpServer::~HttpServer() { stop(); }

const HttpCounters& HttpServer::counters() const { return impl_->shared->counters; }

void HttpServer::stop() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
}

}  // namespace fno::web
