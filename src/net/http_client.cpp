#include "net/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <cctype>
#include <deque>
#include <optional>

namespace fno::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxIdlePerOrigin = 8;

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path;  // path + query
  std::string origin() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

std::optional<Target> parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  Target t;
  const auto scheme = parsed->scheme();
  if (scheme == "https") {
    t.tls = true;
  } else if (scheme != "http") {
    return std::nullopt;
  }
  t.host = parsed->host();
  if (t.host.empty()) return std::nullopt;
  t.port = parsed->has_port() ? std::string(parsed->port()) : (t.tls ? "443" : "80");
  t.path = parsed->encoded_resource().empty() ? "/" : std::string(parsed->encoded_resource());
  if (t.path.front() != '/') t.path.insert(t.path.begin(), '/');
  return t;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One kept-alive connection. Plain HTTP uses the lowest layer of the TLS stream
// type so both schemes share one code path.
struct Connection {
  Connection(asio::io_context& io, ssl::context& ctx) : stream(io, ctx) {}
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool tls = false;
};

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

struct ClientState {
  ClientState(asio::io_context& io, const TlsOptions& tls) : io(io), ctx(make_client_tls_context(tls, ca_error)), resolver(io) {}

  asio::io_context& io;
  boost::system::error_code ca_error;  // declared before ctx: the constructor fills it
  ssl::context ctx;
  tcp::resolver resolver;
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle;
  HttpClient::Stats stats;
};

// One request/response exchange; owns its connection while in flight.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<ClientState> client, Target target, HttpRequest req, HttpClient::Callback done)
      : client_(std::move(client)), target_(std::move(target)), req_(std::move(req)), done_(std::move(done)) {}

  void start() {
    ++client_->stats.requests;
    auto& pool = client_->idle[target_.origin()];
    if (!pool.empty()) {
      conn_ = std::move(pool.front());
      pool.pop_front();
      reused_ = true;
      return write();
    }
    connect();
  }

 private:
  void connect() {
    reused_ = false;
    ++client_->stats.connections_opened;
    conn_ = std::make_unique<Connection>(client_->io, client_->ctx);
    conn_->tls = target_.tls;
    beast::get_lowest_layer(conn_->stream).expires_after(req_.timeout);
    client_->resolver.async_resolve(target_.host, target_.port,
                                    [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
                                      self->on_resolve(ec, std::move(r));
                                    });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return finish(ec);
    beast::get_lowest_layer(conn_->stream)
        .async_connect(results, [self = shared_from_this()](beast::error_code cec, const tcp::endpoint&) {
          self->on_connect(cec);
        });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return finish(ec);
    if (!target_.tls) return write();
    if (client_->ca_error) return finish(client_->ca_error);
    beast::error_code ec_tls;
    if (!prepare_tls_stream(conn_->stream, target_.host, ec_tls)) return finish(ec_tls);
    conn_->stream.async_handshake(ssl::stream_base::client,
                                  [self = shared_from_this()](beast::error_code hec) { self->on_handshake(hec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return finish(ec);
    write();
  }

  void write() {
    request_ = {};
    request_.method_string(req_.method);
    request_.target(target_.path);
    request_.version(11);
    const bool default_port = target_.port == (target_.tls ? "443" : "80");
    request_.set(http::field::host, default_port ? target_.host : target_.host + ":" + target_.port);
    request_.set(http::field::user_agent, "fno-scanner");
    for (const auto& [name, value] : req_.headers) request_.set(name, value);
    request_.body() = req_.body;
    request_.keep_alive(true);
    request_.prepare_payload();
    beast::get_lowest_layer(conn_->stream).expires_after(req_.timeout);
    auto on_write = [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); };
    if (conn_->tls) {
      http::async_write(conn_->stream, request_, std::move(on_write));
    } else {
      http::async_write(conn_->stream.next_layer(), request_, std::move(on_write));
    }
  }

  void on_write(beast::error_code ec) {
    if (ec) return retry_or_finish(ec);
    parser_.emplace();
    parser_->body_limit(req_.max_body_bytes);
    if (req_.method == "HEAD") parser_->skip(true);
    auto on_read = [self = shared_from_this()](beast::error_code rec, std::size_t) { self->on_read(rec); };
    if (conn_->tls) {
      http::async_read(conn_->stream, conn_->buffer, *parser_, std::move(on_read));
    } else {
      http::async_read(conn_->stream.next_layer(), conn_->buffer, *parser_, std::move(on_read));
    }
  }

  void on_read(beast::error_code ec) {
    if (ec) return retry_or_finish(ec);
    auto& msg = parser_->get();
    HttpResponse res;
    res.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) res.headers[lower(field.name_string())] = std::string(field.value());
    res.body = std::move(msg.body());
    if (msg.keep_alive()) {
      auto& pool = client_->idle[target_.origin()];
      if (pool.size() < kMaxIdlePerOrigin) pool.push_back(std::move(conn_));
    }
    done_(std::move(res));
  }

  // A pooled connection may have been closed by the server while idle: one
  // fresh attempt, never more (the request may not be idempotent otherwise).
  void retry_or_finish(beast::error_code ec) {
    if (reused_ && (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                    ec == asio::error::broken_pipe || ec == asio::error::eof || ec == ssl::error::stream_truncated)) {
      return connect();
    }
    finish(ec);
  }

  void finish(beast::error_code ec) {
    HttpResponse res;
    res.error = ec;
    conn_.reset();
    done_(std::move(res));
  }

  std::shared_ptr<ClientState> client_;
  Target target_;
  HttpRequest req_;
  HttpClient::Callback done_;
  std::unique_ptr<Connection> conn_;
  bool reused_ = false;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace

struct HttpClient::Impl : ClientState {
  using ClientState::ClientState;
};

HttpClient::HttpClient(asio::io_context& io, TlsOptions tls) : impl_(std::make_shared<Impl>(io, std::move(tls))) {}

HttpClient::~HttpClient() = default;

void HttpClient::request(HttpRequest req, Callback done) {
  auto target = parse_target(req.url);
  if (!target) {
    asio::post(impl_->io, [done = std::move(done)] {
      HttpResponse res;
      res.error = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
      done(std::move(res));
    });
    return;
  }
  asio::post(impl_->io, [impl = std::static_pointer_cast<ClientState>(impl_), target = std::move(*target), req = std::move(req), done = std::move(done)]() mutable {
    std::make_shared<Exchange>(impl, std::move(target), std::move(req), std::move(done))->start();
  });
}

void HttpClient::close_idle() {
  asio::post(impl_->io, [impl = impl_] { impl->idle.clear(); });
}

HttpClient::Stats HttpClient::stats() const { return impl_->stats; }

HttpResponse fetch(HttpRequest req, TlsOptions tls) {
  asio::io_context io;
  HttpClient client(io, std::move(tls));
  HttpResponse out;
  client.request(std::move(req), [&](HttpResponse res) { out = std::move(res); });
  io.run();
  return out;
}

}  // namespace fno::net
