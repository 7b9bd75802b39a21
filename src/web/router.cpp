#include "web/router.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/redact.hpp"
#include "web/api_json.hpp"

namespace fno::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::string_view kLoginPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fno-scanner login</title></head>
<body><h1>fno-scanner</h1>{}
<form method="post" action="/login">
<label>Dashboard token <input type="password" name="token" autocomplete="current-password" autofocus></label>
<button type="submit">Log in</button>
</form></body></html>
)";

Response html(const Request& req, http::status status, std::string body) {
  Response res{status, req.version()};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

Response redirect(const Request& req, std::string_view location) {
  Response res{http::status::see_other, req.version()};
  res.set(http::field::location, location);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  return res;
}

bool is_json(const Request& req) {
  return req[http::field::content_type].find("application/json") != std::string_view::npos;
}

// The token field of a JSON or form-encoded login body.
std::string login_token(const Request& req) {
  if (is_json(req)) {
    boost::system::error_code ec;
    const auto value = json::parse(req.body(), ec);
    const auto* obj = value.if_object();
    const auto* token = obj != nullptr ? obj->if_contains("token") : nullptr;
    return token != nullptr && token->is_string() ? std::string(token->get_string()) : std::string();
  }
  const std::string target = "/?" + req.body();
  const auto form = boost::urls::parse_origin_form(target);
  if (!form) return {};
  for (const auto param : form->params()) {
    if (param.key == "token" && param.has_value) return param.value;
  }
  return {};
}

std::string cookie(std::string_view name, std::string_view value, bool http_only, std::int64_t max_age) {
  return fmt::format("{}={}; Path=/; SameSite=Strict; Max-Age={}{}", name, value, max_age,
                     http_only ? "; HttpOnly" : "");
}

}  // namespace

Result<PushProtocol> push_protocol(const Query& query) {
  const auto& s = query.segments();
  if (s.size() == 1 && s[0] == "ws") return PushProtocol::kWebSocket;
  if (s.empty() || s[0] != "socket.io") return ApiError{404, "not_found", "no WebSocket endpoint here", {}};
  if (query.text("transport") != "websocket") {
    return ApiError{400, "unsupported_transport", "only transport=websocket is supported (no long-polling)",
                    "transport"};
  }
  if (query.text("EIO") != "4") return ApiError{400, "unsupported_transport", "only Engine.IO v4 (EIO=4) is supported", "EIO"};
  return PushProtocol::kSocketIo;
}

Router::Router(std::shared_ptr<boost::asio::thread_pool> worker, ApiBackend& backend, std::shared_ptr<Auth> auth,
               std::shared_ptr<Hub> hub, PushOptions push, std::function<WebCounters()> counters)
    : worker_(std::move(worker)), auth_(std::move(auth)), hub_(std::move(hub)), push_(std::move(push)),
      api_(backend, worker_->get_executor(), std::move(counters)) {}

void Router::handle(Request req, const Peer& peer, std::function<void(Reply)> done) {
  if (auto cached = fast_status(req)) return done(std::move(*cached));
  boost::asio::post(*worker_, [this, req = std::move(req), peer, done = std::move(done)] {
    try {
      done(route(req, peer));
    } catch (const std::exception& e) {
      spdlog::error("web: {} {} failed: {}", std::string(req.method_string()), util::redact(req.target()),
                    util::redact(e.what()));
      done(api_error(req, ApiError{500, "internal", "internal error (see the server log)", {}}));
    }
  });
}

std::optional<Response> Router::fast_status(const Request& req) {
  // Anything else about the request (a refusal, a query string) is the worker's to answer.
  if (req.method() != http::verb::get || req.target() != "/api/status") return std::nullopt;
  if (auth_->check(req, Access::kRead, Auth::Clock::now()) != Verdict::kAllowed) return std::nullopt;
  return api_.cached_status(req);
}

std::optional<Response> Router::refuse(const Request& req, Verdict verdict, bool page) const {
  switch (verdict) {
    case Verdict::kAllowed:
      return std::nullopt;
    case Verdict::kUnauthorized:
      if (page) return redirect(req, "/login");
      return api_error(req, ApiError{401, "unauthorized", "log in or send Authorization: Bearer <DASHBOARD_TOKEN>", {}});
    case Verdict::kForbiddenOrigin:
      return api_error(req, ApiError{403, "forbidden_origin", "cross-origin request refused", {}});
    case Verdict::kForbiddenHost:
      return api_error(req, ApiError{403, "forbidden_origin",
                                     "Host must be a loopback name (localhost, 127.0.0.1) without DASHBOARD_TOKEN", {}});
    case Verdict::kCsrf:
      return api_error(req, ApiError{403, "csrf", "mutations need the X-CSRF-Token header (value of the fno_csrf cookie)", {}});
  }
  return std::nullopt;
}

Reply Router::route(const Request& req, const Peer& peer) {
  const auto query = Query::parse(req.target());
  if (!query) return api_error(req, ApiError{400, "bad_request", "malformed request target", {}});
  const auto& s = query->segments();
  const bool read = req.method() == http::verb::get || req.method() == http::verb::head;
  const auto now = Auth::Clock::now();
  if (query->path() == "/login") return read ? html(req, http::status::ok, fmt::format(kLoginPage, "")) : login(req, peer);
  if (query->path() == "/logout") return req.method() == http::verb::post ? logout(req) : method_not_allowed(req, "POST");
  if ((!s.empty() && s[0] == "api") || query->path() == "/metrics") {
    if (auto refusal = refuse(req, auth_->check(req, read ? Access::kRead : Access::kMutation, now), false)) {
      return *refusal;
    }
    return api_.handle(req, *query);
  }
  if (!s.empty() && (s[0] == "ws" || s[0] == "socket.io")) {
    const auto protocol = push_protocol(*query);
    if (const auto* e = std::get_if<ApiError>(&protocol)) return api_error(req, *e);
    return api_error(req, ApiError{426, "upgrade_required", "connect with a WebSocket client", {}});
  }
  if (!read) return method_not_allowed(req, "GET, HEAD");
  if (auto refusal = refuse(req, auth_->check(req, Access::kRead, now), true)) return *refusal;
  if (auto res = assets_.serve(req)) return std::move(*res);
  return api_error(req, ApiError{404, "not_found", "no such file", {}});
}

Reply Router::login(const Request& req, const Peer& peer) {
  if (req.method() != http::verb::post) return method_not_allowed(req, "GET, POST");
  if (!origin_allowed(req)) return *refuse(req, Verdict::kForbiddenOrigin, false);
  if (!auth_->token_mode()) {
    return api_error(req, ApiError{400, "bad_request", "no DASHBOARD_TOKEN is configured: no login needed", {}});
  }
  const bool json_body = is_json(req);
  const auto result = auth_->login(login_token(req), peer.address, Auth::Clock::now());
  if (result.retry_after) {
    auto res = api_error(req, ApiError{429, "rate_limited", "too many failed logins; try again later", {}});
    res.set(http::field::retry_after, std::to_string(result.retry_after->count()));
    return res;
  }
  if (!result.ok) {
    spdlog::warn("web: failed dashboard login from {}", peer.address);
    if (json_body) return api_error(req, ApiError{401, "unauthorized", "wrong token", "token"});
    return html(req, http::status::unauthorized, fmt::format(kLoginPage, "<p>Wrong token.</p>"));
  }
  const auto max_age = auth_->session_ttl().count();
  Response res = json_body ? api_ok(req, json::object{{"csrf_token", result.csrf}}) : redirect(req, "/");
  res.insert(http::field::set_cookie, cookie(kSessionCookie, result.session, true, max_age));
  res.insert(http::field::set_cookie, cookie(kCsrfCookie, result.csrf, false, max_age));
  return res;
}

Reply Router::logout(const Request& req) {
  if (!origin_allowed(req)) return *refuse(req, Verdict::kForbiddenOrigin, false);
  auth_->logout(req);
  Response res{http::status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  res.insert(http::field::set_cookie, cookie(kSessionCookie, "", true, 0));
  res.insert(http::field::set_cookie, cookie(kCsrfCookie, "", false, 0));
  return res;
}

std::optional<Response> Router::vet_upgrade(const Request& req, const Peer&) {
  const auto query = Query::parse(req.target());
  if (!query) return api_error(req, ApiError{400, "bad_request", "malformed request target", {}});
  const auto protocol = push_protocol(*query);
  if (const auto* e = std::get_if<ApiError>(&protocol)) return api_error(req, *e);
  return refuse(req, auth_->check(req, Access::kUpgrade, Auth::Clock::now()), false);
}

void Router::adopt(boost::beast::tcp_stream stream, Request req, const Peer&) {
  const auto query = Query::parse(req.target());
  const auto protocol = push_protocol(*query);
  start_push_session(std::move(stream), std::move(req), std::get<PushProtocol>(protocol), hub_, push_);
}

}  // namespace fno::web
