#include "web/web_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <spdlog/spdlog.h>

#include "util/redact.hpp"
#include "web/api_json.hpp"
#include "web/router.hpp"

namespace fno::web {

WebServer::WebServer(boost::asio::io_context& io, WebOptions options, ApiBackend& backend)
    : options_(std::move(options)), backend_(backend), worker_(std::make_shared<boost::asio::thread_pool>(1)),
      status_timer_(io) {
  require_token_for_bind(options_.bind, options_.token);
  options_.push.version = options_.version;
  options_.push.mode = options_.mode;
  options_.auth.token = options_.token;
  hub_ = std::make_shared<Hub>(worker_->get_executor(), options_.hub);
  auto router = std::make_shared<Router>(worker_, backend_, std::make_shared<Auth>(options_.auth), hub_,
                                         options_.push, [this] { return counters(); });
  http_ = std::make_unique<HttpServer>(io, options_.bind, options_.port, options_.limits, std::move(router));
  arm_status_timer();
}

WebServer::~WebServer() { stop(); }

WebCounters WebServer::counters() const {
  const auto hub = hub_->counters();
  const auto& http = http_->counters();
  WebCounters out;
  out.clients.ws_clients = hub.ws_clients;
  out.clients.socketio_clients = hub.socketio_clients;
  out.clients.push_drops = hub.coalesced + hub.snapshots + hub.closed_slow;
  out.push_drops_coalesced = hub.coalesced;
  out.push_snapshots = hub.snapshots;
  out.push_closed_slow = hub.closed_slow;
  out.responses_2xx = http.by_class[2];
  out.responses_3xx = http.by_class[3];
  out.responses_4xx = http.by_class[4];
  out.responses_5xx = http.by_class[5];
  return out;
}

void WebServer::arm_status_timer() {
  status_timer_.expires_after(options_.status_interval);
  status_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    const auto clients = hub_->counters();
    if (clients.ws_clients + clients.socketio_clients > 0) {
      boost::asio::post(*worker_, [this] {
        try {
          hub_->publish_status(boost::json::serialize(status_json(backend_.status(), counters().clients)));
        } catch (const std::exception& e) {
          spdlog::error("web: status for live clients failed: {}", util::redact(e.what()));
        }
      });
    }
    arm_status_timer();
  });
}

void WebServer::stop() {
  if (std::exchange(stopped_, true)) return;
  status_timer_.cancel();
  http_->stop();
  worker_->stop();
  worker_->join();
}

}  // namespace fno::web
