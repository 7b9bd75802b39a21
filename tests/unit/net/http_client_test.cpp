#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <thread>

#include "web/http_server.hpp"

namespace fno::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// A real HTTP server on loopback, run on its own thread.
class LocalServer {
 public:
  explicit LocalServer(web::Handler handler) : server_(io_, "127.0.0.1", 0, std::move(handler)) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LocalServer() {
    server_.stop();
    io_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(server_.port()) + path; }

 private:
  asio::io_context io_;
  web::HttpServer server_;
  std::thread thread_;
};

TEST(HttpClient, PostsBodyAndHeadersAndReadsResponse) {
  LocalServer server([](const web::Request& req) {
    auto res = web::json_response(req, http::status::created,
                                  std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                                      std::string(req["x-test"]) + " " + req.body());
    res.set("ETag", "\"v1\"");
    return res;
  });
  HttpRequest req;
  req.method = "POST";
  req.url = server.url("/v2/charts/intraday?x=1");
  req.headers = {{"x-test", "hello"}};
  req.body = "{\"a\":1}";
  const HttpResponse res = fetch(req);
  ASSERT_FALSE(res.error) << res.error.message();
  EXPECT_EQ(res.status, 201);
  EXPECT_TRUE(res.ok());
  EXPECT_EQ(res.body, "POST /v2/charts/intraday?x=1 hello {\"a\":1}");
  EXPECT_EQ(res.header("etag"), "\"v1\"");
}

TEST(HttpClient, ReusesKeptAliveConnectionsForSequentialRequests) {
  std::atomic<int> calls{0};
  LocalServer server([&](const web::Request& req) {
    ++calls;
    return web::json_response(req, http::status::ok, "{}");
  });
  asio::io_context io;
  HttpClient client(io, {});
  int done = 0;
  std::function<void()> next = [&] {
    HttpRequest req;
    req.url = server.url("/n");
    client.request(req, [&](HttpResponse res) {
      EXPECT_TRUE(res.ok()) << res.error.message();
      if (++done < 5) next();
    });
  };
  next();
  io.run();
  EXPECT_EQ(done, 5);
  EXPECT_EQ(calls.load(), 5);
  EXPECT_EQ(client.stats().requests, 5u);
  EXPECT_EQ(client.stats().connections_opened, 1u);
}

TEST(HttpClient, ReportsTransportErrors) {
  HttpRequest bad_url;
  bad_url.url = "ftp://example/x";
  EXPECT_TRUE(fetch(bad_url).error);

  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  HttpRequest refused;
  refused.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const HttpResponse res = fetch(refused);
  EXPECT_TRUE(res.error);
  EXPECT_EQ(res.status, 0);
  EXPECT_FALSE(res.ok());
}

TEST(HttpClient, TimesOutOnASilentServer) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket held(io);
  acceptor.async_accept(held, [](boost::system::error_code) {});
  HttpClient client(io, {});
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
  req.timeout = std::chrono::milliseconds(200);
  HttpResponse out;
  client.request(req, [&](HttpResponse res) { out = std::move(res); });
  io.run();
  EXPECT_EQ(out.error, boost::beast::error::timeout);
}

TEST(HttpClient, EnforcesBodyLimit) {
  LocalServer server([](const web::Request& req) { return web::json_response(req, http::status::ok, std::string(4096, 'x')); });
  HttpRequest req;
  req.url = server.url("/big");
  req.max_body_bytes = 1024;
  EXPECT_TRUE(fetch(req).error);
}

TEST(HttpClient, TlsHandshakeFailsAgainstPlainServerWithoutCrashing) {
  LocalServer server([](const web::Request& req) { return web::json_response(req, http::status::ok, "{}"); });
  HttpRequest req;
  req.url = "https://127.0.0.1:" + server.url("").substr(std::string("http://127.0.0.1:").size()) + "/";
  req.timeout = std::chrono::seconds(5);
  const HttpResponse res = fetch(req);
  EXPECT_TRUE(res.error);
}

}  // namespace
}  // namespace fno::net
