#include "web/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include <chrono>

namespace fno::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kReadTimeout = std::chrono::seconds(30);
constexpr std::uint32_t kBodyLimit = 1u << 20;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<const Handler> handler)
      : stream_(std::move(socket)), handler_(std::move(handler)) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return close();
    if (ec) return;  // timeout, reset or oversized request: drop the connection
    const Request req = parser_->release();
    response_ = (*handler_)(req);
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
      self->on_write(wec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec) return;
    if (!response_.keep_alive()) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  std::shared_ptr<const Handler> handler_;
};

}  // namespace

Response json_response(const Request& req, http::status status, std::string body) {
  Response res{status, req.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Handler h) : io(io), acceptor(asio::make_strand(io)),
        handler(std::make_shared<const Handler>(std::move(h))) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec,
                                                                            tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) std::make_shared<Session>(std::move(socket), self->handler)->start();
      self->accept();
    });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::shared_ptr<const Handler> handler;
};

HttpServer::HttpServer(asio::io_context& io, const std::string& bind, std::uint16_t port, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(handler))) {
  const tcp::endpoint endpoint{asio::ip::make_address(bind), port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor.local_endpoint().port();
  impl_->accept();
}

HttpServer::~HttpServer() { stop(); }


void HttpServer::stop() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
}

}  // namespace fno::web
