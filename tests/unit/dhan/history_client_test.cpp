#include "dhan/history_client.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "dhan/codec.hpp"
#include "history_sim_fixture.hpp"
#include "sim/universe.hpp"

namespace fno::dhan {
namespace {

using testing::kNow;

TEST(HistoryClock, RestTimestampIsUtcCandleStart) {
  // PROTOCOL.md: the docs' daily sample 1326220200 is 2012-01-11 00:00 IST.
  EXPECT_EQ(market::format_ist(candle_start_from_rest(1326220200)), "2012-01-11 00:00:00");
  // 09:15 IST = 03:45 UTC.
  EXPECT_EQ(market::format_ist(candle_start_from_rest(1326220200 + 9 * 3600 + 15 * 60)), "2012-01-11 09:15:00");
}

TEST(HistoryRequestBody, IntradayCarriesDhanFields) {
  ChartRequest r{{2, 49229}, InstrumentType::kFutIdx, ChartKind::kIntraday1m, kNow - 86400, kNow};
  const auto body = boost::json::parse(chart_request_body(r)).as_object();
  EXPECT_EQ(body.at("securityId").as_string(), "49229");
  EXPECT_EQ(body.at("exchangeSegment").as_string(), "NSE_FNO");
  EXPECT_EQ(body.at("instrument").as_string(), "FUTIDX");
  EXPECT_EQ(body.at("interval").as_int64(), 1);
  EXPECT_EQ(body.at("fromDate").as_string(), "2026-11-23 11:00:00");
  EXPECT_EQ(body.at("toDate").as_string(), "2026-11-24 11:00:00");
}

TEST(HistoryRequestBody, DailyUsesDatesAndHeadersCarryCredentials) {
  ChartRequest r{{2, 1}, InstrumentType::kFutStk, ChartKind::kDaily, kNow - 10 * 86400, kNow};
  const auto req = build_chart_request({"http://x/v2/", "1000000001", "fake-token"}, r);
  EXPECT_EQ(req.url, "http://x/v2/charts/historical");
  const auto body = boost::json::parse(req.body).as_object();
  EXPECT_EQ(body.at("fromDate").as_string(), "2026-11-14");
  EXPECT_EQ(body.at("toDate").as_string(), "2026-11-24");
  EXPECT_EQ(body.at("instrument").as_string(), "FUTSTK");
  EXPECT_NE(std::find(req.headers.begin(), req.headers.end(), std::pair<std::string, std::string>{"access-token", "fake-token"}),
            req.headers.end());
}

TEST(HistoryParse, ParallelArraysBecomeSortedCandles) {
  std::string error;
  const auto candles = parse_chart_candles(
      R"({"open":[2,1],"high":[3,2],"low":[1,0.5],"close":[2.5,1.5],"volume":[10,20.0],"timestamp":[1326253560,1326253500.0]})",
      error);
  ASSERT_TRUE(candles) << error;
  ASSERT_EQ(candles->size(), 2u);
  EXPECT_EQ((*candles)[0].start, candle_start_from_rest(1326253500));
  EXPECT_EQ((*candles)[0].volume, 20u);
  EXPECT_TRUE((*candles)[0].volume_known);
  EXPECT_DOUBLE_EQ((*candles)[1].close, 2.5);
}

TEST(HistoryParse, RejectsMismatchedOrMissingArraysAcceptsEmpty) {
  std::string error;
  EXPECT_FALSE(parse_chart_candles(R"({"open":[1],"high":[1],"low":[1],"close":[1],"volume":[],"timestamp":[1]})", error));
  EXPECT_FALSE(parse_chart_candles(R"({"open":[1]})", error));
  EXPECT_FALSE(parse_chart_candles("not json", error));
  const auto empty = parse_chart_candles("{}", error);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

net::HttpResponse reply(int status, std::string body, std::map<std::string, std::string> headers = {}) {
  net::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(HistoryClassify, MapsDhanErrorCodes) {
  const std::vector<std::string> secrets{"fake-history-token"};
  auto err = [](std::string code) {
    return R"({"errorType":"x","errorCode":")" + code + R"(","errorMessage":"token fake-history-token bad"})";
  };
  const auto fatal = classify_chart_response(reply(401, err("DH-901")), secrets);
  EXPECT_EQ(fatal.status, ChartStatus::kFatal);
  EXPECT_NE(fatal.message.find("DH-901"), std::string::npos);
  EXPECT_EQ(fatal.message.find("fake-history-token"), std::string::npos);
  EXPECT_EQ(classify_chart_response(reply(403, err("DH-902")), secrets).status, ChartStatus::kFatal);
  const auto limited = classify_chart_response(reply(429, err("DH-904"), {{"retry-after", "2"}}), secrets);
  EXPECT_EQ(limited.status, ChartStatus::kRateLimited);
  EXPECT_EQ(limited.retry_after, std::chrono::milliseconds(2000));
  EXPECT_EQ(classify_chart_response(reply(429, "busy"), secrets).status, ChartStatus::kRateLimited);
  EXPECT_EQ(classify_chart_response(reply(400, err("DH-907")), secrets).status, ChartStatus::kNoData);
  EXPECT_EQ(classify_chart_response(reply(400, err("DH-905")), secrets).status, ChartStatus::kRejected);
  EXPECT_EQ(classify_chart_response(reply(500, err("DH-908")), secrets).status, ChartStatus::kRetryable);
  EXPECT_EQ(classify_chart_response(reply(502, "<html>"), secrets).status, ChartStatus::kRetryable);
  EXPECT_EQ(classify_chart_response(reply(200, "garbage"), secrets).status, ChartStatus::kRetryable);
  net::HttpResponse down;
  down.error = make_error_code(boost::asio::error::connection_refused);
  EXPECT_EQ(classify_chart_response(down, secrets).status, ChartStatus::kRetryable);
}

class HistoryClientSim : public testing::HistorySim {
 protected:
  ChartResult fetch(const ChartRequest& r, std::string token = testing::kToken) {
    HistoryClient client(http_, {sim_->rest_base_url(), testing::kClientId, std::move(token)});
    std::optional<ChartResult> result;
    client.fetch(r, [&](ChartResult res) { result = std::move(res); });
    EXPECT_TRUE(run_until([&] { return result.has_value(); }));
    return result.value_or(ChartResult{});
  }
};

TEST_F(HistoryClientSim, IntradayCandlesEndBeforeLiveStartInSession) {
  start_sim();
  const auto key = sim::default_universe().front().key;
  const auto r = fetch({key, InstrumentType::kFutIdx, ChartKind::kIntraday1m, kNow - 5 * 86400, kNow});
  ASSERT_EQ(r.status, ChartStatus::kOk) << r.message;
  ASSERT_GT(r.candles.size(), 375u);
  const market::MarketCalendar nse;
  for (const auto& c : r.candles) {
    EXPECT_EQ(c.start % 60, 0);
    EXPECT_TRUE(nse.is_open(c.start)) << market::format_ist(c.start);
    EXPECT_LE(c.low, c.high);
  }
  EXPECT_EQ(r.candles.back().start, kNow - 60);  // history runs up to the live minute
  EXPECT_EQ(market::format_ist(r.candles.front().start), "2026-11-19 11:00:00");
}

TEST_F(HistoryClientSim, DailyCandlesAreDayStarts) {
  start_sim();
  const auto key = sim::default_universe().front().key;
  const auto r = fetch({key, InstrumentType::kFutIdx, ChartKind::kDaily, kNow - 10 * 86400, kNow});
  ASSERT_EQ(r.status, ChartStatus::kOk) << r.message;
  ASSERT_FALSE(r.candles.empty());
  for (const auto& c : r.candles) EXPECT_EQ(market::seconds_of_day(c.start), 0);
}

TEST_F(HistoryClientSim, UnknownInstrumentIsNoDataAndBadTokenIsFatal) {
  start_sim(5, "the-right-token");
  const ChartRequest unknown{{2, 999'999'999}, InstrumentType::kFutStk, ChartKind::kIntraday1m, kNow - 86400, kNow};
  EXPECT_EQ(fetch(unknown, "the-right-token").status, ChartStatus::kNoData);
  const auto denied = fetch(unknown, "a-wrong-token");
  EXPECT_EQ(denied.status, ChartStatus::kFatal);
  EXPECT_EQ(denied.message.find("a-wrong-token"), std::string::npos);
}

}  // namespace
}  // namespace fno::dhan
