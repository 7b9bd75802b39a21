// dashboard.hpp
//
// The dashboard of a run - the scanner's, or `replay --web`'s: the web
// server on a web thread of its own, and the links that feed its hub from
// the engine (row deltas, live chart candles) and the alert service
// (committed alerts). Its own io_context, so HTTP and /ws never queue behind
// the feed's reads on the network thread; what the web side needs from the
// network thread's objects reaches it as snapshots (AppBackend) or posts.
// The links exist before the server (the store may commit first) and
// publish nothing before start() or after stop(). Lifecycle, from the
// thread that owns the run: start(), stop() once the run ends, close() after
// the engine and the store stopped calling the links (it ends the web
// thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app/alert_service.hpp"
#include "app/config.hpp"
#include "app/engine.hpp"
#include "app/network_thread.hpp"
#include "web/web_server.hpp"

namespace fno::app {

// The web server's options for a run of `config` ("live" | "demo" | "replay").
web::WebOptions dashboard_options(const Config& config, std::string dashboard_token, std::string mode);

class Dashboard {
 public:
  Dashboard() = default;
  ~Dashboard() { close(); }
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  // Store thread: pushes a committed alert to live clients.
  AlertService::Listener alert_listener();
  // Engine hooks with on_delta, charted and on_chart_candle publishing to the hub.
  EngineHooks engine_hooks();

  // Listens and serves `backend`; the reason when it cannot (address in use,
  // non-loopback bind without a token).
  std::optional<std::string> start(const web::WebOptions& options, web::ApiBackend& backend);
  std::uint16_t port() const { return server_->port(); }
  void stop();
  // Destroys the server and ends the web thread. Idempotent.
  void close();

 private:
  NetworkThread web_;  // the web server's I/O: HTTP sessions, /ws and Socket.IO pushes
  std::atomic<web::Hub*> hub_{nullptr};
  std::unique_ptr<web::WebServer> server_;
  bool closed_ = false;
};

}  // namespace fno::app
