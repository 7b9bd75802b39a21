#include "dhan/instruments_download.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "web/http_server.hpp"

namespace fno::dhan {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono;

constexpr const char* kEtag = "\"master-v1\"";
constexpr const char* kLastModified = "Tue, 20 Jan 2026 02:00:00 GMT";

std::string master_csv(int rows) {
  std::string csv =
      "SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_TRADING_SYMBOL,SEM_LOT_UNITS,"
      "SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE\n";
  for (int i = 1; i <= rows; ++i) {
    csv += "NSE,D," + std::to_string(i) + ",FUTSTK,S" + std::to_string(i) +
           "-Jan2026-FUT,50,S JAN FUT,27-01-2026 14:30,-0.01,XX,5\n";
  }
  return csv;
}

// The instrument-master endpoint: ETag/Last-Modified, 304 on a matching
// validator, or a scripted failure.
class MasterServer {
 public:
  enum class Mode { kServe, kFail, kGarbage };

  MasterServer()
      : server_(io_, "127.0.0.1", 0, [this](const web::Request& req) { return handle(req); }),
        thread_([this] { io_.run(); }) {}
  ~MasterServer() {
    server_.stop();
    io_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api-scrip-master.csv"; }
  void set_mode(Mode mode) { mode_ = mode; }
  // A new master version: the old validator no longer matches.
  void publish(std::string body, std::string etag) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
    etag_ = std::move(etag);
  }
  int requests() const { return requests_; }
  int not_modified() const { return not_modified_; }

 private:
  web::Response handle(const web::Request& req) {
    ++requests_;
    web::Response res{http::status::ok, req.version()};
    res.keep_alive(req.keep_alive());
    if (mode_ != Mode::kServe) {
      if (mode_ == Mode::kFail) res.result(http::status::internal_server_error);
      res.body() = mode_ == Mode::kFail ? "upstream down" : "<html>maintenance</html>\n";
      res.prepare_payload();
      return res;
    }
    std::lock_guard lock(mutex_);
    if (req[http::field::if_none_match] == etag_) {
      ++not_modified_;
      res.result(http::status::not_modified);
    } else {
      res.set(http::field::etag, etag_);
      res.set(http::field::last_modified, kLastModified);
      res.body() = body_;
    }
    res.prepare_payload();
    return res;
  }

  std::mutex mutex_;
  std::string body_ = master_csv(3);
  std::string etag_ = kEtag;
  std::atomic<Mode> mode_{Mode::kServe};
  std::atomic<int> requests_{0};
  std::atomic<int> not_modified_{0};
  boost::asio::io_context io_;
  web::HttpServer server_;
  std::thread thread_;
};

class InstrumentsDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fno_instruments_download_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  MasterSourceConfig config(const std::string& url) const {
    MasterSourceConfig c;
    c.url = url;
    c.cache_path = dir_ / "api-scrip-master.csv";
    c.timeout = milliseconds(5000);
    return c;
  }

  static market::IstSeconds at(year_month_day day, int h, int m) {
    return market::ist_midnight(day) + h * 3600 + m * 60;
  }

  std::filesystem::path dir_;
};

TEST_F(InstrumentsDownload, FirstRunDownloadsAndCaches) {
  MasterServer server;
  MasterSource source(config(server.url()));
  const auto now = at(year{2026} / January / 20, 8, 30);
  EXPECT_TRUE(source.refresh_due(now));
  const LoadedMaster loaded = source.load(now);
  EXPECT_EQ(loaded.status.source, MasterStatus::Source::kDownloaded);
  EXPECT_EQ(loaded.master.table.size(), 3u);
  EXPECT_EQ(loaded.status.fetched_at, now);
  EXPECT_EQ(loaded.status.age_seconds(now + 60), 60);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "api-scrip-master.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "api-scrip-master.csv.download"));
  EXPECT_FALSE(source.refresh_due(now + 3600));  // same day, already checked
}

TEST_F(InstrumentsDownload, NextDayUsesConditionalGetAnd304KeepsCache) {
  MasterServer server;
  MasterSource source(config(server.url()));
  const auto day1 = at(year{2026} / January / 20, 8, 30);
  source.load(day1);
  source.load(day1 + 3600);  // not due: no request
  EXPECT_EQ(server.requests(), 1);

  const auto day2 = day1 + 86400;
  ASSERT_TRUE(source.refresh_due(day2));
  const LoadedMaster loaded = source.load(day2);
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(server.not_modified(), 1);
  EXPECT_EQ(loaded.status.source, MasterStatus::Source::kNotModified);
  EXPECT_EQ(loaded.status.fetched_at, day1);  // the copy is still the day-1 download
  EXPECT_EQ(loaded.status.checked_at, day2);
  EXPECT_EQ(loaded.master.table.size(), 3u);
}

TEST_F(InstrumentsDownload, BeforeEightItIsStillYesterdaysCheck) {
  MasterServer server;
  MasterSource source(config(server.url()));
  source.load(at(year{2026} / January / 20, 9, 0));
  EXPECT_FALSE(source.refresh_due(at(year{2026} / January / 21, 7, 59)));
  EXPECT_TRUE(source.refresh_due(at(year{2026} / January / 21, 8, 0)));
}

TEST_F(InstrumentsDownload, ChangedMasterReplacesCache) {
  MasterServer server;
  MasterSource source(config(server.url()));
  const auto day1 = at(year{2026} / January / 20, 8, 30);
  source.load(day1);
  server.publish(master_csv(5), "\"master-v2\"");
  const LoadedMaster loaded = source.load(day1 + 86400);
  EXPECT_EQ(loaded.status.source, MasterStatus::Source::kDownloaded);
  EXPECT_EQ(loaded.master.table.size(), 5u);
}

TEST_F(InstrumentsDownload, FailureKeepsLastGoodCache) {
  MasterServer server;
  MasterSource source(config(server.url()));
  const auto day1 = at(year{2026} / January / 20, 8, 30);
  source.load(day1);
  server.set_mode(MasterServer::Mode::kFail);
  const LoadedMaster loaded = source.load(day1 + 86400);
  EXPECT_EQ(loaded.status.source, MasterStatus::Source::kCacheAfterFailure);
  EXPECT_NE(loaded.status.last_error.find("HTTP 500"), std::string::npos) << loaded.status.last_error;
  EXPECT_EQ(loaded.status.age_seconds(day1 + 86400), 86400);
  EXPECT_EQ(loaded.master.table.size(), 3u);
}

TEST_F(InstrumentsDownload, MalformedDownloadNeverReplacesCache) {
  MasterServer server;
  MasterSource source(config(server.url()));
  const auto day1 = at(year{2026} / January / 20, 8, 30);
  source.load(day1);
  server.set_mode(MasterServer::Mode::kGarbage);
  const LoadedMaster loaded = source.load(day1 + 86400);
  EXPECT_EQ(loaded.status.source, MasterStatus::Source::kCacheAfterFailure);
  EXPECT_NE(loaded.status.last_error.find("required column"), std::string::npos) << loaded.status.last_error;
  EXPECT_EQ(loaded.master.table.size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "api-scrip-master.csv.download"));
}

TEST_F(InstrumentsDownload, NoCacheAndNoNetworkIsAClearError) {
  std::string url;
  {
    MasterServer gone;  // a port that was just closed: connection refused
    url = gone.url();
  }
  MasterSource source(config(url + "?token=secret-value"));
  try {
    source.load(at(year{2026} / January / 20, 8, 30));
    FAIL() << "expected MasterUnavailableError";
  } catch (const MasterUnavailableError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no cache at"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret-value"), std::string::npos) << message;
  }
}

TEST(InstrumentsConfig, ValidatesKeys) {
  std::vector<std::string> warnings;
  const auto parse = [&](const char* text) {
    return parse_instruments_config(boost::json::parse(text).as_object(), warnings);
  };
  const MasterSourceConfig defaults = parse("{}");
  EXPECT_EQ(defaults.url, kDefaultMasterUrl);
  const MasterSourceConfig custom =
      parse(R"({"url": "http://127.0.0.1:8081/m.csv", "cache_path": "/tmp/m.csv", "timeout_ms": 5000, "x": 1})");
  EXPECT_EQ(custom.url, "http://127.0.0.1:8081/m.csv");
  EXPECT_EQ(custom.timeout, milliseconds(5000));
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_THROW(parse(R"({"url": "ftp://x"})"), std::invalid_argument);
  EXPECT_THROW(parse(R"({"timeout_ms": 10})"), std::invalid_argument);
}

}  // namespace
}  // namespace fno::dhan
