// telegram.hpp
//
// TelegramNotifier: drains the "telegram" outbox with Bot API sendMessage
// over the shared HTTP client. Owns an in-memory send queue (bounded; fed by
// committed alerts and, at startup, by the store's pending rows) and reports
// every outcome as a NotificationUpdate for the store to persist, so pending
// rows resume after a restart. Never touches disk or the database itself.
//
// Rules: at most one message per `chat_interval` (Telegram: 1 msg/s per
// chat) and `group_per_minute` for group chats (ids starting with '-');
// alerts due together while waiting for a slot go out as one digest. 429
// pauses the chat for `retry_after`; 5xx and transport errors retry with
// exponential backoff; after `max_attempts` a row is `failed`. 401/403/404
// or "chat not found" disable the notifier with a clear message (rows stay
// pending for the next start). The bot token is part of the URL and never
// appears in logs or stored errors.
//
// Thread-safety: enqueue/on_committed/status/stop may be called from any
// thread; all sending runs on the io_context (network thread). `on_outcome`
// runs there and must not block (AlertStore::update_notification does not).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "alerts/reader.hpp"
#include "alerts/store.hpp"
#include "net/http_client.hpp"

namespace fno::alerts {

inline constexpr const char* kTelegramChannel = "telegram";

struct TelegramOptions {
  std::string api_url = "https://api.telegram.org";
  std::string public_url;  // dashboard base URL for chart links; empty = none
  std::chrono::milliseconds chat_interval{1000};
  int group_per_minute = 20;
  int max_attempts = 5;
  std::chrono::milliseconds backoff_initial{2000};
  std::chrono::milliseconds backoff_max{60000};
  std::size_t digest_max = 20;
  std::size_t queue_capacity = 10000;
  std::chrono::milliseconds request_timeout{10000};
};

// Reads the `telegram` config section (keys as in TelegramOptions, durations
// in ms with an `_ms` suffix). Throws std::invalid_argument naming the key.
TelegramOptions parse_telegram_options(const boost::json::object& section);

struct TelegramStatus {
  bool enabled = false;
  std::string disabled_reason;
  std::uint64_t sent = 0;  // notifications delivered (a digest counts each alert)
  std::uint64_t messages = 0;
  std::uint64_t retries = 0;
  std::uint64_t failed = 0;
  std::uint64_t dropped = 0;  // queue full; the row stays pending for the next start
  std::uint64_t queued = 0;
};

class TelegramNotifier {
 public:
  using OnOutcome = std::function<void(const NotificationUpdate&)>;

  TelegramNotifier(boost::asio::io_context& io, net::HttpClient& http, TelegramOptions options, std::string token,
                   std::string chat_id, OnOutcome on_outcome);
  ~TelegramNotifier();
  TelegramNotifier(const TelegramNotifier&) = delete;
  TelegramNotifier& operator=(const TelegramNotifier&) = delete;

  void enqueue(PendingNotification notification);
  // Store commit listener: queues the alert's telegram outbox row, if any.
  void on_committed(const CommittedAlert& committed);
  TelegramStatus status() const;
  // Cancels timers; in-flight results are still reported.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct TelegramTestResult {
  bool ok = false;
  std::string message;  // user-facing, token-free
};

// Blocking: sends one test message (for `fno-scanner test-telegram`).
TelegramTestResult send_test_message(const TelegramOptions& options, const std::string& token,
                                     const std::string& chat_id, const net::TlsOptions& tls = {});

}  // namespace fno::alerts
