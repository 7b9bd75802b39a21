#include "dhan/history_options.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace fno::dhan {
namespace {

HistoryOptions parse(std::string_view text) { return parse_history_options(boost::json::parse(text).as_object()); }

std::string error_of(std::string_view text) {
  try {
    parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(HistoryOptions, DefaultsMatchDhan) {
  const auto o = parse("{}");
  EXPECT_EQ(o.base_url, "https://api.dhan.co/v2");
  EXPECT_DOUBLE_EQ(o.requests_per_second, 5.0);
  EXPECT_TRUE(o.cache_path.empty());
  EXPECT_EQ(o.deliver_candles, 400u);
  EXPECT_EQ(o.admission_bound, RequestRateLimiter::kDefaultAdmissionBound);
}

TEST(HistoryOptions, ReadsEveryKey) {
  const auto o = parse(R"({"url":"http://127.0.0.1:9/v2","requests_per_second":2.5,"admission_bound_ms":80,"max_retries":1,
    "max_rate_limit_retries":7,"backoff_initial_ms":100,"backoff_max_ms":900,"timeout_ms":5000,
    "deliver_candles":50,"cache_path":"data/history.sqlite"})");
  EXPECT_EQ(o.base_url, "http://127.0.0.1:9/v2");
  EXPECT_DOUBLE_EQ(o.requests_per_second, 2.5);
  EXPECT_EQ(o.admission_bound, std::chrono::milliseconds(80));
  EXPECT_EQ(o.max_retries, 1);
  EXPECT_EQ(o.max_rate_limit_retries, 7);
  EXPECT_EQ(o.backoff_initial, std::chrono::milliseconds(100));
  EXPECT_EQ(o.backoff_max, std::chrono::milliseconds(900));
  EXPECT_EQ(o.request_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(o.deliver_candles, 50u);
  EXPECT_EQ(o.cache_path, "data/history.sqlite");
}

TEST(HistoryOptions, ErrorsNameTheKey) {
  EXPECT_NE(error_of(R"({"url":"ftp://x"})").find("history.url"), std::string::npos);
  EXPECT_NE(error_of(R"({"requests_per_second":0})").find("history.requests_per_second"), std::string::npos);
  EXPECT_NE(error_of(R"({"admission_bound_ms":-1})").find("history.admission_bound_ms"), std::string::npos);
  EXPECT_NE(error_of(R"({"max_retries":"3"})").find("history.max_retries"), std::string::npos);
  EXPECT_NE(error_of(R"({"backoff_initial_ms":500,"backoff_max_ms":100})").find("history.backoff_max_ms"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"rate":5})").find("history.rate"), std::string::npos);
}

}  // namespace
}  // namespace fno::dhan
