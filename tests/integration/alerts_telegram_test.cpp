// TelegramNotifier against a fake Bot API: a real HTTP server in the test
// process that records every request and answers from a script (200, 429
// with retry_after, 500, 401). Covers delivery, HTML mode, rate limits and
// digests, retries, giving up, disabling, restart resume through the real
// AlertStore, token redaction, and the test-telegram send.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/json/parse.hpp>

#include <deque>
#include <mutex>
#include <sstream>
#include <thread>

#include "alerts/reader.hpp"
#include "alerts/store.hpp"
#include "alerts/telegram.hpp"
#include "support/child_process.hpp"
#include "unit/alerts/alert_fixtures.hpp"
#include "web/http_server.hpp"

namespace fno::alerts {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using testing::sample_alert;

const std::string kToken = "123456:FAKE-test-token-abcdef";
const std::string kChat = "424242";

struct Recorded {
  std::string target;
  boost::json::object body;
  std::chrono::steady_clock::time_point at;
};

// Bot API stand-in plus the network thread the notifier runs on.
class FakeBotApi {
 public:
  FakeBotApi()
      : work_(asio::make_work_guard(io_)),
        server_(io_, "127.0.0.1", 0, [this](const web::Request& req) { return answer(req); }),
        http_(io_, net::TlsOptions{}),
        thread_([this] { io_.run(); }) {}
  ~FakeBotApi() { shutdown(); }

  // Stops the network thread; no notifier callback runs after this.
  void shutdown() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      server_.stop();
      http_.close_idle();
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  void script(int status, std::string body) {
    std::lock_guard lk(mu_);
    script_.emplace_back(status, std::move(body));
  }
  void always(int status, std::string body) {
    std::lock_guard lk(mu_);
    fallback_ = {status, std::move(body)};
  }
  std::vector<Recorded> requests() {
    std::lock_guard lk(mu_);
    return requests_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  asio::io_context& io() { return io_; }
  net::HttpClient& http() { return http_; }

 private:
  web::Response answer(const web::Request& req) {
    std::lock_guard lk(mu_);
    boost::system::error_code ec;
    const auto body = boost::json::parse(req.body(), ec);
    requests_.push_back({std::string(req.target()), body.is_object() ? body.get_object() : boost::json::object{},
                         std::chrono::steady_clock::now()});
    auto [status, text] = fallback_;
    if (!script_.empty()) {
      std::tie(status, text) = script_.front();
      script_.pop_front();
    }
    return web::json_response(req, static_cast<http::status>(status), text);
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  web::HttpServer server_;
  net::HttpClient http_;
  std::mutex mu_;
  std::deque<std::pair<int, std::string>> script_;
  std::pair<int, std::string> fallback_{200, R"({"ok":true,"result":{"message_id":1}})"};
  std::vector<Recorded> requests_;
  std::thread thread_;
};

struct Outcomes {
  std::mutex mu;
  std::vector<NotificationUpdate> updates;
  TelegramNotifier::OnOutcome listener() {
    return [this](const NotificationUpdate& u) {
      std::lock_guard lk(mu);
      updates.push_back(u);
    };
  }
  std::vector<NotificationUpdate> all() {
    std::lock_guard lk(mu);
    return updates;
  }
};

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 20s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TelegramOptions fast_options(const std::string& url) {
  TelegramOptions o;
  o.api_url = url;
  o.chat_interval = 0ms;
  o.backoff_initial = 20ms;
  o.backoff_max = 100ms;
  return o;
}

PendingNotification pending(int n) { return {100 + n, 0, 0, sample_alert(n)}; }

const char* const k429 =
    R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}})";
const char* const k500 = R"({"ok":false,"error_code":500,"description":"Internal Server Error"})";
const char* const k401 = R"({"ok":false,"error_code":401,"description":"Unauthorized"})";

TEST(TelegramNotifier, SendsOneHtmlMessagePerAlertToTheBotApi) {
  FakeBotApi api;
  Outcomes outcomes;
  TelegramOptions o = fast_options(api.url());
  o.public_url = "https://scanner.example.org";
  TelegramNotifier notifier(api.io(), api.http(), o, kToken, kChat, outcomes.listener());
  notifier.enqueue(pending(1));
  ASSERT_TRUE(eventually([&] { return outcomes.all().size() == 1; }));
  const auto reqs = api.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/bot" + kToken + "/sendMessage");
  EXPECT_EQ(reqs[0].body.at("chat_id").as_string(), kChat);
  EXPECT_EQ(reqs[0].body.at("parse_mode").as_string(), "HTML");
  const std::string text(reqs[0].body.at("text").as_string());
  EXPECT_NE(text.find("RELIANCE-Jan2025-FUT-1"), std::string::npos) << text;
  EXPECT_NE(text.find("?chart=2:40001"), std::string::npos) << text;
  const auto u = outcomes.all()[0];
  EXPECT_EQ(u.notification_id, 101);
  EXPECT_EQ(u.state, NotificationState::kSent);
  EXPECT_EQ(u.attempts, 1);
  EXPECT_EQ(notifier.status().sent, 1u);
}

TEST(TelegramNotifier, Honours429RetryAfter) {
  FakeBotApi api;
  api.script(429, k429);
  Outcomes outcomes;
  TelegramNotifier notifier(api.io(), api.http(), fast_options(api.url()), kToken, kChat, outcomes.listener());
  notifier.enqueue(pending(1));
  ASSERT_TRUE(eventually([&] { return outcomes.all().size() == 2; }));
  const auto reqs = api.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_GE(reqs[1].at - reqs[0].at, 990ms);
  const auto u = outcomes.all();
  EXPECT_EQ(u[0].state, NotificationState::kPending);
  EXPECT_NE(u[0].last_error.find("HTTP 429"), std::string::npos) << u[0].last_error;
  EXPECT_GT(u[0].next_attempt_ms, 0);
  EXPECT_EQ(u[1].state, NotificationState::kSent);
  EXPECT_EQ(u[1].attempts, 2);
}

TEST(TelegramNotifier, RetriesServerErrorsThenGivesUpAfterMaxAttempts) {
  FakeBotApi api;
  api.always(500, k500);
  Outcomes outcomes;
  TelegramOptions o = fast_options(api.url());
  o.max_attempts = 3;
  TelegramNotifier notifier(api.io(), api.http(), o, kToken, kChat, outcomes.listener());
  notifier.enqueue(pending(1));
  ASSERT_TRUE(eventually([&] {
    const auto u = outcomes.all();
    return !u.empty() && u.back().state == NotificationState::kFailed;
  }));
  EXPECT_EQ(api.requests().size(), 3u);
  const auto u = outcomes.all();
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].state, NotificationState::kPending);
  EXPECT_EQ(u[2].attempts, 3);
  EXPECT_NE(u[2].last_error.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(notifier.status().failed, 1u);
}

TEST(TelegramNotifier, RecoversAfterTransientServerErrors) {
  FakeBotApi api;
  api.script(502, k500);
  api.script(503, k500);
  Outcomes outcomes;
  TelegramNotifier notifier(api.io(), api.http(), fast_options(api.url()), kToken, kChat, outcomes.listener());
  notifier.enqueue(pending(1));
  ASSERT_TRUE(eventually([&] {
    const auto u = outcomes.all();
    return !u.empty() && u.back().state == NotificationState::kSent;
  }));
  EXPECT_EQ(api.requests().size(), 3u);
  EXPECT_EQ(outcomes.all().back().attempts, 3);
}

TEST(TelegramNotifier, CoalescesABurstIntoOneDigest) {
  FakeBotApi api;
  Outcomes outcomes;
  TelegramOptions o = fast_options(api.url());
  o.chat_interval = 400ms;
  TelegramNotifier notifier(api.io(), api.http(), o, kToken, kChat, outcomes.listener());
  for (int i = 0; i < 5; ++i) notifier.enqueue(pending(i));
  ASSERT_TRUE(eventually([&] { return outcomes.all().size() == 5; }));
  const auto reqs = api.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const std::string digest(reqs[1].body.at("text").as_string());
  EXPECT_NE(digest.find("4 alerts"), std::string::npos) << digest;
  EXPECT_GE(reqs[1].at - reqs[0].at, 390ms);
  for (const auto& u : outcomes.all()) EXPECT_EQ(u.state, NotificationState::kSent);
  EXPECT_EQ(notifier.status().messages, 2u);
}

TEST(TelegramNotifier, GroupChatsRespectThePerMinuteBudget) {
  FakeBotApi api;
  Outcomes outcomes;
  TelegramOptions o = fast_options(api.url());
  o.group_per_minute = 2;
  TelegramNotifier notifier(api.io(), api.http(), o, kToken, "-1001234567890", outcomes.listener());
  notifier.enqueue(pending(1));
  ASSERT_TRUE(eventually([&] { return outcomes.all().size() == 1; }));
  notifier.enqueue(pending(2));
  ASSERT_TRUE(eventually([&] { return outcomes.all().size() == 2; }));
  notifier.enqueue(pending(3));
  ASSERT_TRUE(eventually([&] { return notifier.status().queued == 1; }));
  std::this_thread::sleep_for(300ms);  // the third must wait for the minute window
  EXPECT_EQ(api.requests().size(), 2u);
}

TEST(TelegramNotifier, UnauthorizedDisablesWithAClearMessage) {
  FakeBotApi api;
  api.always(401, k401);
  Outcomes outcomes;
  TelegramNotifier notifier(api.io(), api.http(), fast_options(api.url()), kToken, kChat, outcomes.listener());
  notifier.enqueue(pending(1));
  ASSERT_TRUE(eventually([&] { return !notifier.status().enabled; }));
  const auto status = notifier.status();
  EXPECT_NE(status.disabled_reason.find("TELEGRAM_TOKEN"), std::string::npos) << status.disabled_reason;
  EXPECT_EQ(status.disabled_reason.find(kToken), std::string::npos);
  notifier.enqueue(pending(2));
  ASSERT_TRUE(eventually([&] { return notifier.status().dropped == 1; }));
  EXPECT_EQ(api.requests().size(), 1u);
  EXPECT_TRUE(outcomes.all().empty());  // rows stay pending for the next start
}

TEST(TelegramNotifier, ChatNotFoundDisables) {
  FakeBotApi api;
  api.always(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})");
  TelegramNotifier notifier(api.io(), api.http(), fast_options(api.url()), kToken, kChat, nullptr);
  notifier.enqueue(pending(1));
  ASSERT_TRUE(eventually([&] { return !notifier.status().enabled; }));
  EXPECT_NE(notifier.status().disabled_reason.find("TELEGRAM_CHAT_ID"), std::string::npos);
}

TEST(TelegramNotifier, TokenNeverReachesLogsOrStoredErrors) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
  {
    FakeBotApi api;
    // A proxy that echoes the request path would leak the token.
    api.always(500, R"({"ok":false,"description":"upstream failed for /bot)" + kToken + R"(/sendMessage"})");
    Outcomes outcomes;
    TelegramOptions o = fast_options(api.url());
    o.max_attempts = 2;
    TelegramNotifier notifier(api.io(), api.http(), o, kToken, kChat, outcomes.listener());
    notifier.enqueue(pending(1));
    ASSERT_TRUE(eventually([&] { return outcomes.all().size() == 2; }));
    for (const auto& u : outcomes.all()) {
      EXPECT_EQ(u.last_error.find("FAKE-test-token"), std::string::npos) << u.last_error;
      EXPECT_NE(u.last_error.find("HTTP 500"), std::string::npos);
    }
  }
  spdlog::set_default_logger(previous);
  EXPECT_NE(captured.str().find("telegram"), std::string::npos);
  EXPECT_EQ(captured.str().find("FAKE-test-token"), std::string::npos) << captured.str();
}

TEST(TelegramNotifier, PendingRowsResumeAfterRestart) {
  test::TempDir dir("alerts_telegram");
  StoreOptions so;
  so.db_path = dir.path() / "alerts.db";
  so.channels = {kTelegramChannel};
  {
    // First run: Telegram is down the whole time.
    FakeBotApi api;
    api.always(500, k500);
    TelegramOptions o = fast_options(api.url());
    o.max_attempts = 1000;
    std::unique_ptr<TelegramNotifier> notifier;
    AlertStore store(so, [&](const std::vector<CommittedAlert>& batch) {
      for (const auto& c : batch) notifier->on_committed(c);
    });
    notifier = std::make_unique<TelegramNotifier>(api.io(), api.http(), o, kToken, kChat,
                                                  [&](const NotificationUpdate& u) { store.update_notification(u); });
    for (int i = 0; i < 3; ++i) store.submit(sample_alert(i));
    ASSERT_TRUE(eventually([&] { return api.requests().size() >= 6; }));
    api.shutdown();
    ASSERT_TRUE(store.flush(20s));
  }
  AlertReader reader(so.db_path);
  auto rows = reader.pending_notifications(kTelegramChannel, 100);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) EXPECT_GE(r.attempts, 1);

  // Restart: Telegram is back.
  FakeBotApi api;
  AlertStore store(so, nullptr);
  TelegramNotifier notifier(api.io(), api.http(), fast_options(api.url()), kToken, kChat,
                            [&](const NotificationUpdate& u) { store.update_notification(u); });
  for (auto& r : rows) {
    r.next_attempt_ms = 0;  // do not wait out the first run's backoff
    notifier.enqueue(std::move(r));
  }
  ASSERT_TRUE(eventually([&] { return notifier.status().sent == 3; }));
  api.shutdown();
  ASSERT_TRUE(store.flush(20s));
  EXPECT_TRUE(reader.pending_notifications(kTelegramChannel, 100).empty());
  const std::vector<std::pair<std::string, std::int64_t>> sent = {{"sent", 3}};
  EXPECT_EQ(reader.notification_states(kTelegramChannel), sent);
}

TEST(TelegramTestMessage, ReportsSuccessAndRejection) {
  FakeBotApi api;
  const auto ok = send_test_message(fast_options(api.url()), kToken, kChat);
  EXPECT_TRUE(ok.ok) << ok.message;
  api.always(401, k401);
  const auto bad = send_test_message(fast_options(api.url()), kToken, kChat);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.message.find("TELEGRAM_TOKEN"), std::string::npos) << bad.message;
  EXPECT_EQ(bad.message.find(kToken), std::string::npos);
  EXPECT_FALSE(send_test_message(fast_options(api.url()), "", kChat).ok);
}

TEST(TelegramOptions, ParsesTheConfigSection) {
  const auto o = parse_telegram_options(
      boost::json::parse(R"({"api_url":"http://127.0.0.1:9","max_attempts":7,"chat_interval_ms":1500})").as_object());
  EXPECT_EQ(o.api_url, "http://127.0.0.1:9");
  EXPECT_EQ(o.max_attempts, 7);
  EXPECT_EQ(o.chat_interval, 1500ms);
  EXPECT_THROW(parse_telegram_options(boost::json::parse(R"({"max_attempts":0})").as_object()), std::invalid_argument);
  EXPECT_THROW(parse_telegram_options(boost::json::parse(R"({"api_url":"ftp://x"})").as_object()),
               std::invalid_argument);
  EXPECT_THROW(parse_telegram_options(boost::json::parse(R"({"max_atempts":3})").as_object()), std::invalid_argument);
}

}  // namespace
}  // namespace fno::alerts
