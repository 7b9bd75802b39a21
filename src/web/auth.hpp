// auth.hpp
//
// Who may use the dashboard and API (docs/API.md "Authentication"). Two
// modes: loopback without a token (Host must be a loopback name, a DNS
// rebinding guard) and token mode (DASHBOARD_TOKEN; required for any
// non-loopback bind): login sets an HttpOnly SameSite=Strict session cookie
// plus a CSRF cookie, the API also accepts `Authorization: Bearer`,
// mutations authenticated by cookie need a matching X-CSRF-Token header,
// foreign Origins are refused, failed logins are rate limited per address.
// Token and CSRF comparisons are constant-time. Sessions and failure records
// are bounded. Thread-safe (one mutex; every call is short).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace fno::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct AuthOptions {
  std::string token;  // DASHBOARD_TOKEN; empty: loopback mode
  std::chrono::seconds session_ttl{12 * 3600};
  std::size_t max_sessions = 256;
  int max_failed_logins = 5;  // per address per window
  std::chrono::seconds failed_login_window{60};
  std::size_t max_tracked_addresses = 4096;
};

enum class Access { kRead, kMutation, kUpgrade };
enum class Verdict { kAllowed, kUnauthorized, kForbiddenOrigin, kForbiddenHost, kCsrf };

inline constexpr std::string_view kSessionCookie = "fno_session";
inline constexpr std::string_view kCsrfCookie = "fno_csrf";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_bind(const std::string& bind);
// Throws std::runtime_error with a clear message when `bind` is not loopback
// and no token is configured.
void require_token_for_bind(const std::string& bind, const std::string& token);

// `bytes` bytes from the OpenSSL CSPRNG as lower-case hex; throws std::runtime_error when unavailable.
std::string random_hex(std::size_t bytes);

// Constant-time equality (compares SHA-256 digests, so lengths leak nothing).
bool secrets_equal(std::string_view a, std::string_view b);
// Value of cookie `name` in a Cookie header.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

class Auth {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Auth(AuthOptions options);

  bool token_mode() const { return !options_.token.empty(); }
  Verdict check(const Request& req, Access access, Clock::time_point now);

  struct Login {
    bool ok = false;
    std::optional<std::chrono::seconds> retry_after;  // set when rate limited
    std::string session;
    std::string csrf;
  };
  Login login(std::string_view token, const std::string& peer, Clock::time_point now);
  void logout(const Request& req);

  std::chrono::seconds session_ttl() const { return options_.session_ttl; }

 private:
  struct Session {
    std::string csrf;
    Clock::time_point expires;
  };
  struct Failures {
    int count = 0;
    Clock::time_point window_start;
  };

  bool bearer_ok(const Request& req) const;
  // The session the request's cookie names, if valid (mu_ held).
  const Session* session_of(const Request& req, Clock::time_point now);
  void prune(Clock::time_point now);

  AuthOptions options_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, Failures> failures_;
};

// Same-origin and Host checks, shared by every access kind.
bool origin_allowed(const Request& req);
bool host_is_loopback(const Request& req);

}  // namespace fno::web
