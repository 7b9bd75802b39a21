#include "alerts/telegram.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <stdexcept>

#include "alerts/telegram_message.hpp"
#include "util/clock.hpp"
#include "util/redact.hpp"

namespace fno::alerts {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

enum class Verdict { kSent, kRateLimited, kRetry, kDisable, kReject };

struct Reply {
  Verdict verdict = Verdict::kRetry;
  milliseconds retry_after{0};
  std::string detail;  // redacted, for logs, the outbox row and the UI
};

// Bot API errors carry {"ok":false,"error_code":N,"description":"...",
// "parameters":{"retry_after":S}}.
Reply classify(const net::HttpResponse& r, const std::vector<std::string>& secrets) {
  if (r.error) return {Verdict::kRetry, {}, "network error: " + util::redact(r.error.message(), secrets)};
  std::string description;
  std::int64_t retry_after = -1;
  boost::system::error_code ec;
  const json::value body = json::parse(r.body, ec);
  if (!ec && body.is_object()) {
    if (const auto* d = body.get_object().if_contains("description"); d && d->is_string()) {
      description = std::string(d->get_string());
    }
    if (const auto* p = body.get_object().if_contains("parameters"); p && p->is_object()) {
      if (const auto* ra = p->get_object().if_contains("retry_after"); ra && ra->is_int64()) {
        retry_after = ra->get_int64();
      }
    }
  }
  const std::string detail =
      util::redact(fmt::format("HTTP {}{}{}", r.status, description.empty() ? "" : ": ", description), secrets);
  if (r.ok()) return {Verdict::kSent, {}, ""};
  if (r.status == 429) {
    if (retry_after < 0) {
      const std::string header = r.header("retry-after");
      std::from_chars(header.data(), header.data() + header.size(), retry_after);
    }
    return {Verdict::kRateLimited, milliseconds(std::clamp<std::int64_t>(retry_after, 1, 3600) * 1000), detail};
  }
  if (r.status >= 500) return {Verdict::kRetry, {}, detail};
  if (r.status == 401 || r.status == 403 || r.status == 404 ||
      (r.status == 400 && description.find("chat not found") != std::string::npos)) {
    return {Verdict::kDisable, {}, detail};
  }
  return {Verdict::kReject, {}, detail};
}

// The whole bot token and its secret half (after "<bot id>:"): a reply may echo either.
std::vector<std::string> token_secrets(const std::string& token) {
  std::vector<std::string> secrets{token};
  if (const auto colon = token.find(':'); colon != std::string::npos) secrets.push_back(token.substr(colon + 1));
  return secrets;
}

std::string disable_reason(const std::string& detail) {
  if (detail.find("chat not found") != std::string::npos) {
    return "Telegram disabled: TELEGRAM_CHAT_ID was not found (" + detail +
           "); send /start to the bot or fix the chat id, then restart";
  }
  if (detail.rfind("HTTP 403", 0) == 0) {
    return "Telegram disabled: the bot may not post to TELEGRAM_CHAT_ID (" + detail +
           "); add the bot to the chat, then restart";
  }
  return "Telegram disabled: the Bot API rejected TELEGRAM_TOKEN (" + detail + "); fix the token, then restart";
}

net::HttpRequest send_message_request(const TelegramOptions& opt, const std::string& token,
                                      const std::string& chat_id, const std::string& text) {
  net::HttpRequest req;
  req.method = "POST";
  std::string_view base = opt.api_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  req.url = fmt::format("{}/bot{}/sendMessage", base, token);
  req.headers = {{"Content-Type", "application/json"}};
  req.body = json::serialize(json::object{
      {"chat_id", chat_id}, {"text", text}, {"parse_mode", "HTML"}, {"disable_web_page_preview", true}});
  req.timeout = opt.request_timeout;
  req.max_body_bytes = 1 << 20;
  return req;
}

std::int64_t int_key(const json::object& section, const char* key, std::int64_t fallback, std::int64_t lo,
                     std::int64_t hi) {
  const auto* v = section.if_contains(key);
  if (!v) return fallback;
  if (!v->is_int64() || v->get_int64() < lo || v->get_int64() > hi) {
    throw std::invalid_argument(fmt::format("telegram.{} must be an integer in [{}, {}], got {}", key, lo, hi,
                                            json::serialize(*v)));
  }
  return v->get_int64();
}

std::string string_key(const json::object& section, const char* key, std::string fallback) {
  const auto* v = section.if_contains(key);
  if (!v) return fallback;
  if (!v->is_string()) throw std::invalid_argument(fmt::format("telegram.{} must be a string", key));
  return std::string(v->get_string());
}

}  // namespace

TelegramOptions parse_telegram_options(const json::object& section) {
  static const std::vector<std::string> kKeys = {
      "api_url",       "public_url",   "chat_interval_ms", "group_per_minute", "max_attempts", "backoff_initial_ms",
      "backoff_max_ms", "digest_max", "queue_capacity",   "request_timeout_ms"};
  for (const auto& [key, value] : section) {
    if (std::find(kKeys.begin(), kKeys.end(), std::string(key)) == kKeys.end()) {
      throw std::invalid_argument(fmt::format("telegram.{}: unknown key", std::string(key)));
    }
  }
  TelegramOptions o;
  o.api_url = string_key(section, "api_url", o.api_url);
  if (o.api_url.rfind("https://", 0) != 0 && o.api_url.rfind("http://", 0) != 0) {
    throw std::invalid_argument("telegram.api_url must start with https:// or http://, got " + o.api_url);
  }
  o.public_url = string_key(section, "public_url", o.public_url);
  o.chat_interval = milliseconds(int_key(section, "chat_interval_ms", o.chat_interval.count(), 0, 60000));
  o.group_per_minute = static_cast<int>(int_key(section, "group_per_minute", o.group_per_minute, 1, 60));
  o.max_attempts = static_cast<int>(int_key(section, "max_attempts", o.max_attempts, 1, 100));
  o.backoff_initial = milliseconds(int_key(section, "backoff_initial_ms", o.backoff_initial.count(), 1, 600000));
  o.backoff_max = milliseconds(int_key(section, "backoff_max_ms", o.backoff_max.count(), 1, 3600000));
  o.digest_max = static_cast<std::size_t>(int_key(section, "digest_max", 20, 1, 100));
  o.queue_capacity = static_cast<std::size_t>(int_key(section, "queue_capacity", 10000, 1, 1000000));
  o.request_timeout = milliseconds(int_key(section, "request_timeout_ms", o.request_timeout.count(), 100, 120000));
  return o;
}

struct TelegramNotifier::Impl : std::enable_shared_from_this<Impl> {
  struct Item {
    PendingNotification n;
    Clock::time_point due;
  };

  Impl(asio::io_context& io, net::HttpClient& http) : io(io), http(http), timer(io) {}

  asio::io_context& io;
  net::HttpClient& http;
  TelegramOptions opt;
  std::string token;
  std::string chat_id;
  OnOutcome on_outcome;
  std::vector<std::string> secrets;
  bool group_chat = false;
  std::atomic<bool> stopped{false};

  // io thread only.
  asio::steady_timer timer;
  std::optional<Clock::time_point> timer_at;
  std::deque<Item> queue;
  bool in_flight = false;
  Clock::time_point next_slot{};
  Clock::time_point paused_until{};
  std::deque<Clock::time_point> recent_sends;  // group chats: sends in the last minute

  mutable std::mutex mu;
  TelegramStatus stats;

  void add(PendingNotification n);
  void pump();
  Clock::time_point slot_after(Clock::time_point now);
  void arm(Clock::time_point when);
  void send(std::vector<Item> batch, Clock::time_point now);
  void on_reply(const std::vector<Item>& batch, const net::HttpResponse& response);
  void requeue(const std::vector<Item>& batch, const Reply& reply);
  void report(const Item& item, NotificationState state, int attempts, std::int64_t next_ms, const std::string& error);
  void disable(const std::string& reason);
  void update_queued();
};

void TelegramNotifier::Impl::add(PendingNotification n) {
  bool refused = false;
  {
    std::lock_guard lk(mu);
    refused = !stats.enabled || queue.size() >= opt.queue_capacity;
    if (refused) ++stats.dropped;
  }
  if (refused || stopped) return;
  const auto wait = milliseconds(std::max<std::int64_t>(0, n.next_attempt_ms - util::utc_now_ms()));
  queue.push_back({std::move(n), Clock::now() + wait});
  update_queued();
  pump();
}

void TelegramNotifier::Impl::update_queued() {
  std::lock_guard lk(mu);
  stats.queued = queue.size();
}

// Earliest time the next message may go, given the per-chat interval, a 429
// pause and, for groups, the per-minute budget.
Clock::time_point TelegramNotifier::Impl::slot_after(Clock::time_point now) {
  Clock::time_point slot = std::max({now, next_slot, paused_until});
  if (group_chat) {
    while (!recent_sends.empty() && recent_sends.front() <= now - std::chrono::minutes(1)) recent_sends.pop_front();
    if (recent_sends.size() >= static_cast<std::size_t>(opt.group_per_minute)) {
      slot = std::max(slot, recent_sends.front() + std::chrono::minutes(1));
    }
  }
  return slot;
}

void TelegramNotifier::Impl::pump() {
  if (stopped || in_flight || queue.empty()) return;
  const auto now = Clock::now();
  auto earliest_due = queue.front().due;
  for (const auto& item : queue) earliest_due = std::min(earliest_due, item.due);
  const auto start = std::max(slot_after(now), earliest_due);
  if (start > now) {
    arm(start);
    return;
  }
  // Everything due now goes out together: a burst becomes one digest.
  std::vector<Item> batch;
  for (auto it = queue.begin(); it != queue.end() && batch.size() < opt.digest_max;) {
    if (it->due <= now) {
      batch.push_back(std::move(*it));
      it = queue.erase(it);
    } else {
      ++it;
    }
  }
  update_queued();
  send(std::move(batch), now);
}

void TelegramNotifier::Impl::arm(Clock::time_point when) {
  if (timer_at && *timer_at <= when) return;
  timer_at = when;
  timer.expires_at(when);
  timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;  // cancelled: re-armed earlier or stopped
    self->timer_at.reset();
    self->pump();
  });
}

void TelegramNotifier::Impl::send(std::vector<Item> batch, Clock::time_point now) {
  in_flight = true;
  next_slot = now + opt.chat_interval;
  recent_sends.push_back(now);
  std::string text;
  if (batch.size() == 1) {
    text = format_alert_message(batch.front().n.alert, opt.public_url);
  } else {
    std::vector<Alert> alerts;
    for (const auto& item : batch) alerts.push_back(item.n.alert);
    text = format_digest_message(alerts, opt.public_url);
  }
  http.request(send_message_request(opt, token, chat_id, text),
               [self = shared_from_this(), batch = std::move(batch)](net::HttpResponse r) { self->on_reply(batch, r); });
}

void TelegramNotifier::Impl::on_reply(const std::vector<Item>& batch, const net::HttpResponse& response) {
  in_flight = false;
  const Reply reply = classify(response, secrets);
  switch (reply.verdict) {
    case Verdict::kSent: {
      for (const auto& item : batch) report(item, NotificationState::kSent, item.n.attempts + 1, 0, "");
      std::lock_guard lk(mu);
      stats.sent += batch.size();
      ++stats.messages;
      break;
    }
    case Verdict::kRateLimited:
      paused_until = Clock::now() + reply.retry_after;
      spdlog::warn("telegram: rate limited, pausing {} s ({})", reply.retry_after.count() / 1000, reply.detail);
      requeue(batch, reply);
      break;
    case Verdict::kRetry:
      spdlog::warn("telegram: send failed, will retry: {}", reply.detail);
      requeue(batch, reply);
      break;
    case Verdict::kDisable: disable(disable_reason(reply.detail)); return;
    case Verdict::kReject: {
      spdlog::error("telegram: message rejected, not retrying: {}", reply.detail);
      for (const auto& item : batch) report(item, NotificationState::kFailed, item.n.attempts + 1, 0, reply.detail);
      std::lock_guard lk(mu);
      stats.failed += batch.size();
      break;
    }
  }
  pump();
}

// Puts the batch back at the front (keeping order) or fails rows that used
// up their attempts. 429 waits exactly retry_after; other errors back off
// exponentially per row.
void TelegramNotifier::Impl::requeue(const std::vector<Item>& batch, const Reply& reply) {
  const auto now = Clock::now();
  std::uint64_t failed = 0;
  std::uint64_t retried = 0;
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    Item item = *it;
    item.n.attempts += 1;
    if (item.n.attempts >= opt.max_attempts) {
      report(item, NotificationState::kFailed, item.n.attempts, 0, reply.detail);
      ++failed;
      continue;
    }
    milliseconds delay = reply.retry_after;
    if (reply.verdict == Verdict::kRetry) {
      const int doublings = std::min(item.n.attempts - 1, 20);
      delay = std::min(opt.backoff_max, opt.backoff_initial * (std::int64_t{1} << doublings));
    }
    item.due = now + delay;
    report(item, NotificationState::kPending, item.n.attempts, util::utc_now_ms() + delay.count(), reply.detail);
    queue.push_front(std::move(item));
    ++retried;
  }
  update_queued();
  std::lock_guard lk(mu);
  stats.failed += failed;
  stats.retries += retried;
}

void TelegramNotifier::Impl::report(const Item& item, NotificationState state, int attempts, std::int64_t next_ms,
                                    const std::string& error) {
  if (!on_outcome) return;
  on_outcome({item.n.notification_id, state, attempts, next_ms, error});
}

// Rows stay `pending` in the database: after the operator fixes the
// credentials, the next start sends them.
void TelegramNotifier::Impl::disable(const std::string& reason) {
  spdlog::error("{}", reason);
  queue.clear();
  timer.cancel();
  timer_at.reset();
  std::lock_guard lk(mu);
  stats.enabled = false;
  stats.disabled_reason = reason;
  stats.queued = 0;
}

TelegramNotifier::TelegramNotifier(asio::io_context& io, net::HttpClient& http, TelegramOptions options,
                                   std::string token, std::string chat_id, OnOutcome on_outcome)
    : impl_(std::make_shared<Impl>(io, http)) {
  impl_->opt = std::move(options);
  impl_->opt.digest_max = std::max<std::size_t>(impl_->opt.digest_max, 1);
  impl_->token = std::move(token);
  impl_->chat_id = std::move(chat_id);
  impl_->on_outcome = std::move(on_outcome);
  impl_->secrets = token_secrets(impl_->token);
  impl_->group_chat = !impl_->chat_id.empty() && impl_->chat_id.front() == '-';
  impl_->stats.enabled = !impl_->token.empty() && !impl_->chat_id.empty();
  if (!impl_->stats.enabled) impl_->stats.disabled_reason = "Telegram off: TELEGRAM_TOKEN and TELEGRAM_CHAT_ID not set";
}

TelegramNotifier::~TelegramNotifier() { stop(); }

void TelegramNotifier::enqueue(PendingNotification notification) {
  asio::post(impl_->io, [impl = impl_, n = std::move(notification)]() mutable { impl->add(std::move(n)); });
}

void TelegramNotifier::on_committed(const CommittedAlert& committed) {
  for (const auto& [channel, id] : committed.notifications) {
    if (channel == kTelegramChannel) enqueue({id, 0, 0, committed.alert});
  }
}

TelegramStatus TelegramNotifier::status() const {
  std::lock_guard lk(impl_->mu);
  return impl_->stats;
}

void TelegramNotifier::stop() {
  impl_->stopped = true;
  asio::post(impl_->io, [impl = impl_] { impl->timer.cancel(); });
}

TelegramTestResult send_test_message(const TelegramOptions& options, const std::string& token,
                                     const std::string& chat_id, const net::TlsOptions& tls) {
  if (token.empty() || chat_id.empty()) return {false, "TELEGRAM_TOKEN and TELEGRAM_CHAT_ID must both be set"};
  const std::string text = "✅ <b>fno-scanner</b> test message: Telegram alerts are working.";
  const net::HttpResponse r = net::fetch(send_message_request(options, token, chat_id, text), tls);
  const Reply reply = classify(r, token_secrets(token));
  switch (reply.verdict) {
    case Verdict::kSent: return {true, "test message sent to chat " + chat_id};
    case Verdict::kDisable: return {false, disable_reason(reply.detail)};
    default: return {false, "Telegram send failed: " + reply.detail};
  }
}

}  // namespace fno::alerts
