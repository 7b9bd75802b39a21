// Secret hygiene: the real fno-scanner binary in LIVE mode against the
// simulator (`fno-scanner sim`, plain ws/http on loopback) with recognisable
// fake credentials in .env, a fake Telegram Bot API that echoes the request
// URL (bot token included) back in its error replies, every API endpoint
// exercised, a SIGHUP reload onto a rotated token, `test-telegram`, then a
// clean stop. Afterwards every byte the scanner produced (log files, SQLite
// files and caches, config.json as rewritten by a settings PUT, stdout and
// stderr, every /api/* and /metrics reply with its headers) is searched for
// the secrets: zero hits. The .env file itself is the only place they may be.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/child_process.hpp"

namespace fno::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

const std::string kBin = FNO_SCANNER_BIN;

constexpr const char* kClientId = "FAKECLIENT7731";
constexpr const char* kAccessToken = "FAKETOKEN-eyJhbGciOiJIUzUxMiJ9.first-4f1c2a";
constexpr const char* kRotatedToken = "FAKETOKEN-eyJhbGciOiJIUzUxMiJ9.rotated-9d3e7b";
constexpr const char* kTelegramToken = "7731000042:FAKETELEGRAM-AAE_hygiene_secret";
constexpr const char* kTelegramSecretPart = "FAKETELEGRAM-AAE_hygiene_secret";
constexpr const char* kDashboardToken = "FAKEDASH-hygiene-7f3a91c2";

const std::vector<std::string> kSecrets = {kClientId, kAccessToken, kRotatedToken, kTelegramSecretPart,
                                           kDashboardToken};

void write_file(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

// Which secrets occur in `text` ("" when none).
std::string leaks_in(const std::string& text) {
  std::string found;
  for (const auto& secret : kSecrets) {
    if (text.find(secret) != std::string::npos) found += (found.empty() ? "" : ", ") + secret;
  }
  return found;
}

// A Bot API stand-in that fails every request with 502 and echoes the
// request target, which carries the bot token, in the description.
class EchoingTelegram {
 public:
  EchoingTelegram() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoingTelegram() {
    io_.stop();
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  int requests() const { return requests_; }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (!ec) serve(std::move(socket));
      accept();
    });
  }
  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(socket, buffer, req, ec);
    if (ec) return;
    ++requests_;
    http::response<http::string_body> res{http::status::bad_gateway, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"ok":false,"error_code":502,"description":"Bad Gateway: upstream failed for POST )" +
                 std::string(req.target()) + R"("})";
    res.keep_alive(false);
    res.prepare_payload();
    http::write(socket, res, ec);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<int> requests_{0};
};

// One HTTP exchange with the dashboard token; the whole reply (status line,
// headers, body) as text, empty when nothing answered.
std::string exchange(int port, http::verb method, const std::string& target, const std::string& body = {},
                     const std::string& content_type = "application/json", bool bearer = true) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(10s);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (bearer) req.set(http::field::authorization, std::string("Bearer ") + kDashboardToken);
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    std::ostringstream text;
    text << res;
    return text.str();
  } catch (const std::exception&) {
    return {};
  }
}

std::string get(int port, const std::string& target) { return exchange(port, http::verb::get, target); }

// "  rest:   http://127.0.0.1:P/v2" -> the URL after `label` (the feed's
// "/?version=2&token=..." query template dropped).
std::string sim_url(const std::string& output, const std::string& label) {
  const auto at = output.find(label);
  if (at == std::string::npos) return {};
  const auto start = output.find_first_not_of(' ', at + label.size());
  std::string url = output.substr(start, output.find_first_of("\n ", start) - start);
  if (const auto query = url.find("/?"); query != std::string::npos) url.resize(query);
  return url;
}

std::string wait_for_sim(ChildProcess& sim) {
  for (int i = 0; i < 200; ++i) {
    const std::string out = sim.output();
    if (out.find("Ctrl-C to stop") != std::string::npos) return out;
    std::this_thread::sleep_for(50ms);
  }
  return {};
}

std::string config_json(const std::string& out, int telegram_port) {
  const std::string feed = sim_url(out, "feed:");
  const std::string rest = sim_url(out, "rest:");
  const std::string master = sim_url(out, "master:");
  return R"({"hist_days": 1, "db_path": "alerts.db", "log_dir": ".",
  "feed": {"url": ")" + feed + R"("},
  "instruments": {"url": ")" + master + R"(", "cache_path": "master-cache.csv"},
  "history": {"url": ")" + rest + R"(", "requests_per_second": 50, "cache_path": "history_cache.db"},
  "telegram": {"api_url": "http://127.0.0.1:)" + std::to_string(telegram_port) +
         R"(", "backoff_initial_ms": 200, "backoff_max_ms": 1000, "max_attempts": 2},
  "universe": {"security_ids": ["NSE_FNO:49224", "NSE_FNO:49225", "NSE_FNO:49229"]},
  "market": {"sessions": {"NSE_FNO": ["00:00", "23:59"], "IDX_I": ["00:00", "23:59"]}}})";
}

std::string dotenv(const std::string& access_token) {
  return std::string("DHAN_CLIENT_ID=") + kClientId + "\nDHAN_ACCESS_TOKEN=" + access_token +
         "\nTELEGRAM_TOKEN=" + kTelegramToken + "\nTELEGRAM_CHAT_ID=-1001234567\nDASHBOARD_TOKEN=" + kDashboardToken +
         "\n";
}

// Every API surface a dashboard or a scraper reaches, mutations included.
std::vector<std::pair<std::string, std::string>> exercise_api(int port) {
  std::vector<std::pair<std::string, std::string>> replies;
  for (const char* target : {"/api/status", "/api/scanner", "/api/scanner?limit=5&sort=distance", "/api/alerts",
                             "/api/alerts.csv", "/api/settings", "/api/strategies", "/api/watchlists",
                             "/api/instruments/search?q=NIFTY", "/metrics", "/api/candles/NSE_FNO/1"}) {
    replies.emplace_back(target, get(port, target));
  }
  replies.emplace_back("PUT /api/settings", exchange(port, http::verb::put, "/api/settings", R"({"lookback": 40})"));
  replies.emplace_back("PUT /api/settings (secret)",
                       exchange(port, http::verb::put, "/api/settings",
                                std::string(R"({"telegram": {"token": ")") + kTelegramToken + R"("}})"));
  replies.emplace_back("POST /api/watchlists",
                       exchange(port, http::verb::post, "/api/watchlists", R"({"name": "hygiene", "items": []})"));
  replies.emplace_back("POST /login (form)",
                       exchange(port, http::verb::post, "/login", std::string("token=") + kDashboardToken,
                                "application/x-www-form-urlencoded", false));
  replies.emplace_back("POST /login (json, wrong)",
                       exchange(port, http::verb::post, "/login", R"({"token": "FAKEDASH-wrong"})", "application/json",
                                false));
  replies.emplace_back("GET / (no token)", exchange(port, http::verb::get, "/api/status", {}, {}, false));
  return replies;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(SecretHygiene, LiveRunLeaksNoCredentialAnywhere) {
  TempDir dir("secret_hygiene");
  const auto work = dir.path() / "scanner";
  std::filesystem::create_directories(work);
  EchoingTelegram telegram;

  const int sim_port = free_port();
  ChildProcess sim({kBin, "sim", "--port", std::to_string(sim_port), "--always-open", "--ticks-per-second", "5"},
                   dir.path(), {{"DHAN_CLIENT_ID", kClientId}, {"DHAN_ACCESS_TOKEN", kAccessToken}},
                   dir.path() / "sim-output.txt");
  const std::string sim_out = wait_for_sim(sim);
  ASSERT_FALSE(sim_out.empty()) << sim.output();

  write_file(work / "config.json", config_json(sim_out, telegram.port()));
  write_file(work / ".env", dotenv(kAccessToken));
  const int port = free_port();
  ChildProcess scanner({kBin, "--live", "--port", std::to_string(port)}, work, {}, dir.path() / "scanner-output.txt");
  ASSERT_TRUE(wait_until([&] { return !get(port, "/api/status").empty(); }, 30s)) << scanner.output();
  // Streaming before the reload, so the reconnect carries the rotated token.
  // (The simulator's contracts have expired: the universe pins three by id.)
  EXPECT_TRUE(wait_until([&] { return get(port, "/api/status").find("\"streaming\"") != std::string::npos; }, 30s))
      << get(port, "/api/status");

  auto replies = exercise_api(port);
  // Telegram is configured here, so the status bar has something to show.
  EXPECT_NE(get(port, "/api/status").find(R"("telegram":{"enabled":true)"), std::string::npos) << get(port, "/api/status");
  write_file(work / ".env", dotenv(kRotatedToken));
  ASSERT_EQ(::kill(scanner.pid(), SIGHUP), 0);
  std::this_thread::sleep_for(3s);
  for (auto& reply : exercise_api(port)) replies.push_back(std::move(reply));
  const auto test_telegram = run_to_completion({kBin, "test-telegram"}, work, {}, 30s);
  EXPECT_EQ(scanner.stop(SIGTERM, 20s), 0) << scanner.output();
  sim.stop(SIGTERM, 10s);

  EXPECT_GT(telegram.requests(), 0) << "test-telegram never reached the fake Bot API: " << test_telegram.output;
  for (const auto& [what, text] : replies) {
    EXPECT_FALSE(text.empty()) << what << " got no answer";
    EXPECT_EQ(leaks_in(text), "") << what << ":\n" << text;
  }
  EXPECT_EQ(leaks_in(scanner.output()), "") << "scanner stdout/stderr:\n" << scanner.output();
  EXPECT_EQ(leaks_in(test_telegram.output), "") << "test-telegram output:\n" << test_telegram.output;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(work)) {
    if (!entry.is_regular_file() || entry.path().filename() == ".env") continue;
    ++files;
    EXPECT_EQ(leaks_in(read_text(entry.path())), "") << entry.path();
  }
  EXPECT_TRUE(std::filesystem::exists(work / "fno_breakout.log"));
  EXPECT_TRUE(std::filesystem::exists(work / "alerts.db"));
  EXPECT_GE(files, 3u);
}

}  // namespace
}  // namespace fno::test
