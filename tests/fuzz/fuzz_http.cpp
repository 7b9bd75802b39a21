// libFuzzer target for HTTP request handling: the input (after one mode
// byte) is raw request bytes, parsed by Beast with the server's limits
// (16 KiB headers, 1 MiB body) and handed to the real Router (auth, query
// parsing, /api/* JSON bodies, static assets, upgrade vetting) over an
// in-memory ApiBackend. Whatever arrives must be answered with a 1xx-4xx
// status (a 500 means an unexpected exception: a bug), API JSON bodies must
// be valid JSON, streamed CSV exports must end, and no answer may carry the
// dashboard token. Mode byte: even = loopback mode, odd = token mode.
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>

#include "integration/web_test_backend.hpp"
#include "web/router.hpp"

namespace {

namespace http = boost::beast::http;
using namespace fno::web;

constexpr const char* kDashboardToken = "FUZZ-DASHBOARD-TOKEN-5521";
constexpr std::size_t kMaxCsvChunks = 64;

struct World {
  std::shared_ptr<boost::asio::thread_pool> worker = std::make_shared<boost::asio::thread_pool>(1);
  test::TestBackend backend;
  std::shared_ptr<Hub> hub = std::make_shared<Hub>(worker->get_executor(), HubOptions{});
};

World& world() {
  static World* instance = [] {
    spdlog::set_level(spdlog::level::err);  // failed logins warn on every run; errors (500s) stay visible
    return new World();  // lives for the process: its worker thread outlives main
  }();
  return *instance;
}

std::optional<Request> parse_request(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1u << 20);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < size) {
    const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) return std::nullopt;
  return parser.release();
}

void check(const Response& res) {
  const auto status = static_cast<unsigned>(res.result());
  if (status < 100 || status >= 500) std::abort();
  if (res.body().find(kDashboardToken) != std::string::npos) std::abort();
  for (const auto& field : res) {
    if (std::string_view(field.value()).find(kDashboardToken) != std::string_view::npos) std::abort();
  }
  if (res[http::field::content_type].starts_with("application/json")) {
    boost::system::error_code ec;
    boost::json::parse(res.body(), ec);
    if (ec) std::abort();
  }
}

void drain(StreamReply& reply) {
  check(reply.head);
  for (std::size_t i = 0;; ++i) {
    if (i == kMaxCsvChunks) std::abort();  // an export that never ends
    std::promise<std::optional<std::string>> next;
    reply.pull([&next](std::optional<std::string> chunk) { next.set_value(std::move(chunk)); });
    const auto chunk = next.get_future().get();
    if (!chunk) return;
    if (chunk->find(kDashboardToken) != std::string::npos) std::abort();
  }
}

// Keeps the in-memory watchlists small across millions of inputs.
void reset_watchlists(test::TestBackend& backend) {
  if (backend.watchlists().size() < 16) return;
  for (const auto& list : backend.watchlists()) backend.delete_watchlist(list.id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto request = parse_request(data + 1, size - 1);
  if (!request) return 0;  // the server answers 400/413 itself before routing
  World& w = world();
  AuthOptions auth;
  if (data[0] % 2 == 1) auth.token = kDashboardToken;
  Router router(w.worker, w.backend, std::make_shared<Auth>(auth), w.hub, PushOptions{}, [] { return WebCounters{}; });
  const Peer peer{"127.0.0.1"};
  if (boost::beast::websocket::is_upgrade(*request)) {
    if (const auto refusal = router.vet_upgrade(*request, peer)) check(*refusal);
    return 0;
  }
  std::promise<Reply> answered;
  router.handle(std::move(*request), peer, [&answered](Reply reply) { answered.set_value(std::move(reply)); });
  Reply reply = answered.get_future().get();
  if (auto* res = std::get_if<Response>(&reply)) {
    check(*res);
  } else {
    drain(std::get<StreamReply>(reply));
  }
  reset_watchlists(w.backend);
  return 0;
}
