// web_server.hpp
//
// The scanner's web front: one HttpServer on the given io_context (the
// dashboard's web thread, apart from the feed's network thread) serving
// the REST API, /metrics, the embedded dashboard, /ws and Socket.IO, with
// auth and limits (docs/API.md). Owns the worker thread that answers API
// requests from the ApiBackend and builds push payloads, the Hub the app
// publishes to, and a 1 s timer that pushes status to live clients.
// Construction refuses a non-loopback bind without a token (runtime_error)
// and an unusable address (system_error). Construct, stop and destroy on
// the thread that owns `io` (or before it runs); hub() is for any thread.
// Stop publishing to the hub before destroying the server.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "web/auth.hpp"
#include "web/backend.hpp"
#include "web/http_server.hpp"
#include "web/hub.hpp"
#include "web/metrics.hpp"
#include "web/push_session.hpp"

namespace fno::web {

struct WebOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 5000;
  std::string token;    // DASHBOARD_TOKEN (from the environment, never config.json)
  std::string version;  // reported by hello/status
  std::string mode;     // "live" | "demo"
  ServerLimits limits;
  HubOptions hub;
  PushOptions push;  // version/mode are filled from above
  AuthOptions auth;  // token is filled from above
  std::chrono::milliseconds status_interval{1000};
};

class WebServer {
 public:
  WebServer(boost::asio::io_context& io, WebOptions options, ApiBackend& backend);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  Hub& hub() { return *hub_; }
  std::uint16_t port() const { return http_->port(); }
  WebCounters counters() const;
  // Stops accepting, stops the status timer and the worker. Idempotent.
  void stop();

 private:
  void arm_status_timer();

  WebOptions options_;
  ApiBackend& backend_;
  std::shared_ptr<boost::asio::thread_pool> worker_;
  std::shared_ptr<Hub> hub_;
  std::unique_ptr<HttpServer> http_;
  boost::asio::steady_timer status_timer_;
  bool stopped_ = false;
};

}  // namespace fno::web
