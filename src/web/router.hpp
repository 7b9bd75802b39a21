// router.hpp
//
// The web server's RequestSink: authenticates (Auth), then sends /api/* and
// /metrics to Api, login/logout to itself, /ws and /socket.io/ upgrades to
// push sessions, and everything else to the embedded StaticAssets. Request
// work runs on the worker thread pool (one thread, so the backend sees one
// call at a time), never on the I/O thread; upgrades are vetted on the
// I/O thread (cheap), and so is an authorised GET /api/status while
// Api holds a fresh answer (a copy of a cached body, no backend call).
// Unexpected exceptions become 500s and a log line.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <memory>

#include "web/api.hpp"
#include "web/auth.hpp"
#include "web/http_server.hpp"
#include "web/hub.hpp"
#include "web/push_session.hpp"
#include "web/static_assets.hpp"

namespace fno::web {

class Router : public RequestSink {
 public:
  Router(std::shared_ptr<boost::asio::thread_pool> worker, ApiBackend& backend, std::shared_ptr<Auth> auth,
         std::shared_ptr<Hub> hub, PushOptions push, std::function<WebCounters()> counters);

  void handle(Request req, const Peer& peer, std::function<void(Reply)> done) override;
  std::optional<Response> vet_upgrade(const Request& req, const Peer& peer) override;
  void adopt(boost::beast::tcp_stream stream, Request req, const Peer& peer) override;

 private:
  // The cached GET /api/status answer, when fresh and the request is allowed.
  std::optional<Response> fast_status(const Request& req);
  Reply route(const Request& req, const Peer& peer);
  Reply login(const Request& req, const Peer& peer);
  Reply logout(const Request& req);
  std::optional<Response> refuse(const Request& req, Verdict verdict, bool page) const;

  std::shared_ptr<boost::asio::thread_pool> worker_;
  std::shared_ptr<Auth> auth_;
  std::shared_ptr<Hub> hub_;
  PushOptions push_;
  Api api_;
  StaticAssets assets_;
};

// Which live-push protocol an upgrade target asks for; an ApiError when none (404/400).
Result<PushProtocol> push_protocol(const Query& query);

}  // namespace fno::web
