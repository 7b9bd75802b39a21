#include "sim/rest_api.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "sim/scenario.hpp"

namespace fno::sim {
namespace {

namespace http = boost::beast::http;

// 2026-11-24 (a Tuesday) 11:00 IST.
const market::IstSeconds kLiveStart = market::ist_midnight(std::chrono::year_month_day{
                                          std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{24}}) +
                                      11 * 3600;

class RestApiTest : public ::testing::Test {
 protected:
  RestApiTest() : model_(default_universe(), ModelOptions{7, 1.0}, kLiveStart), api_(model_, calendar_, "csv", {}) {}

  web::Response post(std::string_view path, const std::string& body, bool auth = true) {
    web::Request req{http::verb::post, path, 11};
    if (auth) {
      req.set("access-token", "fake-token");
      req.set("client-id", "1000000001");
    }
    req.body() = body;
    req.prepare_payload();
    now_ += std::chrono::milliseconds(250);  // 4 req/s: under the limit
    return api_.handle(req, now_);
  }

  std::string intraday_body(std::string_view from, std::string_view to, int interval = 1) {
    return R"({"securityId":")" + std::to_string(model_.instrument(0).key.security_id) +
           R"(","exchangeSegment":"NSE_FNO","instrument":"FUTIDX","interval":)" + std::to_string(interval) +
           R"(,"oi":false,"fromDate":")" + std::string(from) + R"(","toDate":")" + std::string(to) + R"("})";
  }

  market::MarketCalendar calendar_;
  MarketModel model_;
  RestApi api_;
  RestApi::Clock::time_point now_{};
};

TEST_F(RestApiTest, IntradayParallelArraysEndWhereLiveStarts) {
  const auto res = post(kIntradayPath, intraday_body("2026-11-24", "2026-11-25"));
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  const auto doc = boost::json::parse(res.body()).as_object();
  const auto n = doc.at("timestamp").as_array().size();
  ASSERT_EQ(n, 105u);  // 09:15 .. 10:59
  for (const char* key : {"open", "high", "low", "close", "volume"}) EXPECT_EQ(doc.at(key).as_array().size(), n);
  EXPECT_EQ(doc.at("timestamp").as_array()[0].as_int64(), market::utc_from_ist(kLiveStart - 105 * 60));
  EXPECT_DOUBLE_EQ(doc.at("close").as_array().back().as_double(), model_.state(0).ltp);
  EXPECT_FALSE(doc.contains("open_interest"));
}

TEST_F(RestApiTest, FiveMinuteCandlesAlignToSessionOpen) {
  const auto res = post(kIntradayPath, intraday_body("2026-11-24", "2026-11-25", 5));
  ASSERT_EQ(res.result(), http::status::ok);
  const auto doc = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(doc.at("timestamp").as_array().size(), 21u);
  EXPECT_EQ(doc.at("timestamp").as_array()[1].as_int64() - doc.at("timestamp").as_array()[0].as_int64(), 300);
}

TEST_F(RestApiTest, HistoricalDailyCandles) {
  auto body = intraday_body("2026-11-16", "2026-11-24");
  const auto res = post(kHistoricalPath, body);
  ASSERT_EQ(res.result(), http::status::ok);
  const auto doc = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(doc.at("timestamp").as_array().size(), 6u);  // Mon 16 .. Mon 23, no weekend
  EXPECT_EQ(doc.at("timestamp").as_array()[0].as_int64(), 1794767400);  // 2026-11-16 00:00 IST
}

TEST_F(RestApiTest, ErrorsUseDhanCodes) {
  auto code_of = [](const web::Response& r) {
    return std::string(boost::json::parse(r.body()).as_object().at("errorCode").as_string());
  };
  EXPECT_EQ(code_of(post(kIntradayPath, intraday_body("2026-01-01", "2026-11-25"))), "DH-905");  // > 90 days
  EXPECT_EQ(code_of(post(kIntradayPath, R"({"securityId":"1","exchangeSegment":"NSE_FNO","interval":1,)"
                                        R"("fromDate":"2026-11-24","toDate":"2026-11-25"})")),
            "DH-907");
  const auto unauth = post(kIntradayPath, intraday_body("2026-11-24", "2026-11-25"), false);
  EXPECT_EQ(unauth.result(), http::status::unauthorized);
  EXPECT_EQ(code_of(unauth), "DH-901");
}

TEST_F(RestApiTest, SixthRequestWithinASecondIs429) {
  web::Request req{http::verb::post, kIntradayPath, 11};
  req.set("access-token", "fake-token");
  req.set("client-id", "1000000001");
  req.body() = intraday_body("2026-11-24", "2026-11-25");
  const RestApi::Clock::time_point t{};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(api_.handle(req, t).result(), http::status::ok);
  const auto limited = api_.handle(req, t + std::chrono::milliseconds(500));
  EXPECT_EQ(limited.result(), http::status::too_many_requests);
  EXPECT_NE(limited.body().find("DH-904"), std::string::npos);
  EXPECT_EQ(api_.rate_limited(), 1u);
  EXPECT_EQ(api_.handle(req, t + std::chrono::seconds(1)).result(), http::status::ok);
}

TEST_F(RestApiTest, MasterCsvWithEtag) {
  web::Request req{http::verb::get, kMasterPath, 11};
  const auto first = api_.handle(req, now_);
  EXPECT_EQ(first.result(), http::status::ok);
  EXPECT_EQ(first.body(), "csv");
  req.set(http::field::if_none_match, first[http::field::etag]);
  EXPECT_EQ(api_.handle(req, now_).result(), http::status::not_modified);
}

TEST(Universe, EmbeddedDefaultIsRealNearMonthFutures) {
  const auto& u = default_universe();
  EXPECT_GE(u.size(), 150u);
  const auto nifty = std::find_if(u.begin(), u.end(), [](const auto& i) { return i.symbol == "NIFTY-Jan2026-FUT"; });
  ASSERT_NE(nifty, u.end());
  EXPECT_EQ(nifty->key, (market::InstrumentKey{2, 49229}));
  EXPECT_DOUBLE_EQ(nifty->tick_size, 0.10);
  for (const auto& i : u) EXPECT_EQ(i.symbol.find("NSETEST"), std::string::npos);
}

TEST(MarketModel, DeterministicFromSeed) {
  MarketModel a(default_universe(), ModelOptions{42, 5.0}, kLiveStart);
  MarketModel b(default_universe(), ModelOptions{42, 5.0}, kLiveStart);
  std::vector<std::size_t> ta, tb;
  for (int s = 1; s <= 20; ++s) {
    a.advance(kLiveStart + s, 1.0, ta);
    b.advance(kLiveStart + s, 1.0, tb);
  }
  EXPECT_EQ(ta, tb);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.state(i).ltp, b.state(i).ltp);
    const double ticks = a.state(i).ltp / a.instrument(i).tick_size;
    EXPECT_NEAR(ticks, std::round(ticks), 1e-6) << "price on the tick grid";
  }
}

TEST_F(RestApiTest, ALimitOfZeroAnswersEveryChartRequestWith429) {
  api_.set_requests_per_second(0);
  const auto res = post(kIntradayPath, intraday_body("2026-11-24", "2026-11-25"));
  EXPECT_EQ(res.result(), http::status::too_many_requests);
  EXPECT_NE(res.body().find("DH-904"), std::string::npos) << res.body();
  EXPECT_EQ(api_.rate_limited(), 1u);
  api_.set_requests_per_second(5);
  EXPECT_EQ(post(kIntradayPath, intraday_body("2026-11-24", "2026-11-25")).result(), http::status::ok);
}

TEST(Scenario, ParsesJsonSteps) {
  const auto s = parse_scenario(R"({"steps":[{"at":30,"action":"breakout","security_id":"49229","volume_multiplier":5},
                                            {"at":90,"action":"disconnect","code":807}]})");
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].instrument, (market::InstrumentKey{2, 49229}));
  EXPECT_EQ(s.steps[0].volume_multiplier, 5.0);
  EXPECT_EQ(s.steps[1].action, Action::kDisconnect);
  EXPECT_EQ(s.steps[1].code, 807);
  EXPECT_THROW(parse_scenario(R"({"steps":[{"action":"explode"}]})"), std::invalid_argument);
}

TEST(Scenario, ParsesFaultSteps) {
  const auto s = parse_scenario(R"({"steps":[{"at":1,"action":"oversized"},
      {"at":2,"action":"rest_slow","delay_ms":400,"duration":30},{"at":3,"action":"rest_limit","rate":1,"duration":9}]})");
  ASSERT_EQ(s.steps.size(), 3u);
  EXPECT_EQ(s.steps[0].action, Action::kOversized);
  EXPECT_EQ(s.steps[1].action, Action::kRestSlow);
  EXPECT_EQ(s.steps[1].delay_ms, 400);
  EXPECT_EQ(s.steps[1].duration, 30.0);
  EXPECT_EQ(s.steps[2].action, Action::kRestLimit);
  EXPECT_EQ(s.steps[2].rate, 1.0);
  EXPECT_EQ(to_string(Action::kRestLimit), "rest_limit");
}

TEST(Scenario, DemoStepsLandFifteenSecondsIntoWholeMinutes) {
  constexpr market::IstSeconds kMinute = 20782LL * 86400 + 10 * 3600;  // 10:00:00 IST
  EXPECT_EQ(demo_first_step(kMinute + 49), 26.0) << "10:00:49 -> 10:01:15";
  EXPECT_EQ(demo_first_step(kMinute + 5), 70.0) << "10:00:05 -> 10:01:15, never inside the partial minute";
  EXPECT_EQ(demo_first_step(kMinute), 75.0);
  const auto scenario = demo_scenario(default_universe(), 3, demo_first_step(kMinute + 49));
  for (const auto& step : scenario.steps) EXPECT_EQ(static_cast<int>(49 + step.at) % 60, 15);
}

}  // namespace
}  // namespace fno::sim
