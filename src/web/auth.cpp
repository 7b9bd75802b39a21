#include "web/auth.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/field.hpp>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace fno::web {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kSessionIdBytes = 32;

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Host header without the port; IPv6 literals keep their brackets.
std::string_view host_name(std::string_view host) {
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  return host.substr(0, host.find(':'));
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("no secure random bytes available");
  }
  std::string out;
  out.reserve(bytes * 2);
  for (const auto b : random) fmt::format_to(std::back_inserter(out), "{:02x}", b);
  return out;
}

bool is_loopback_bind(const std::string& bind) {
  if (bind == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(bind, ec);
  return !ec && address.is_loopback();
}

void require_token_for_bind(const std::string& bind, const std::string& token) {
  if (is_loopback_bind(bind) || !token.empty()) return;
  throw std::runtime_error(fmt::format(
      "web.bind is {} (reachable from other machines) but DASHBOARD_TOKEN is not set; set DASHBOARD_TOKEN in the "
      "environment to protect the dashboard, or bind to 127.0.0.1",
      bind));
}

bool secrets_equal(std::string_view a, std::string_view b) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> da{};
  std::array<unsigned char, SHA256_DIGEST_LENGTH> db{};
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da.data());
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db.data());
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const auto pair = trim(header.substr(0, semi));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

bool origin_allowed(const Request& req) {
  const auto origin = req[http::field::origin];
  if (origin.empty()) return true;  // not a browser cross-origin request
  const auto host = req[http::field::host];
  if (host.empty()) return false;
  return iequals(origin, fmt::format("http://{}", host)) || iequals(origin, fmt::format("https://{}", host));
}

bool host_is_loopback(const Request& req) {
  const auto name = host_name(req[http::field::host]);
  return iequals(name, "localhost") || name == "[::1]" || name.starts_with("127.");
}

Auth::Auth(AuthOptions options) : options_(std::move(options)) {}

bool Auth::bearer_ok(const Request& req) const {
  constexpr std::string_view kBearer = "Bearer ";
  const auto header = req[http::field::authorization];
  if (!header.starts_with(kBearer)) return false;
  return secrets_equal(header.substr(kBearer.size()), options_.token);
}

const Auth::Session* Auth::session_of(const Request& req, Clock::time_point now) {
  const auto id = cookie_value(req[http::field::cookie], kSessionCookie);
  if (!id) return nullptr;
  const auto it = sessions_.find(*id);
  if (it == sessions_.end() || it->second.expires <= now) return nullptr;
  return &it->second;
}

Verdict Auth::check(const Request& req, Access access, Clock::time_point now) {
  if (access != Access::kRead && !origin_allowed(req)) return Verdict::kForbiddenOrigin;
  const auto csrf_header = req[kCsrfHeader];
  if (!token_mode()) {
    if (!host_is_loopback(req)) return Verdict::kForbiddenHost;
    if (access == Access::kMutation && csrf_header.empty()) return Verdict::kCsrf;
    return Verdict::kAllowed;
  }
  if (bearer_ok(req)) return Verdict::kAllowed;
  std::lock_guard lock(mu_);
  const Session* session = session_of(req, now);
  if (session == nullptr) return Verdict::kUnauthorized;
  if (access == Access::kMutation && !secrets_equal(csrf_header, session->csrf)) return Verdict::kCsrf;
  return Verdict::kAllowed;
}

Auth::Login Auth::login(std::string_view token, const std::string& peer, Clock::time_point now) {
  std::lock_guard lock(mu_);
  prune(now);
  auto& failures = failures_[peer];
  if (now - failures.window_start >= options_.failed_login_window) failures = Failures{0, now};
  if (failures.count >= options_.max_failed_logins) {
    const auto wait = options_.failed_login_window - (now - failures.window_start);
    return Login{false, std::chrono::ceil<std::chrono::seconds>(wait), {}, {}};
  }
  if (!token_mode() || !secrets_equal(token, options_.token)) {
    ++failures.count;
    return Login{};
  }
  failures_.erase(peer);
  if (sessions_.size() >= options_.max_sessions) {
    // Evict the session closest to expiry: bounded memory beats keeping stale logins.
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.expires < oldest->second.expires) oldest = it;
    }
    sessions_.erase(oldest);
  }
  Login result{true, std::nullopt, random_hex(kSessionIdBytes), random_hex(kSessionIdBytes)};
  sessions_[result.session] = Session{result.csrf, now + options_.session_ttl};
  return result;
}

void Auth::logout(const Request& req) {
  const auto id = cookie_value(req[http::field::cookie], kSessionCookie);
  if (!id) return;
  std::lock_guard lock(mu_);
  sessions_.erase(*id);
}

void Auth::prune(Clock::time_point now) {
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires <= now; });
  std::erase_if(failures_, [&](const auto& entry) {
    return now - entry.second.window_start >= options_.failed_login_window;
  });
  // Too many addresses inside the window (a spray): drop records to stay bounded.
  while (failures_.size() >= options_.max_tracked_addresses) failures_.erase(failures_.begin());
}

}  // namespace fno::web
