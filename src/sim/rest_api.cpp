#include "sim/rest_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <functional>

#include "dhan/codec.hpp"

namespace fno::sim {

namespace http = boost::beast::http;

namespace {

// The session writes responses as they are: set Content-Length here, or a
// keep-alive client waits for a body end that never comes.
web::Response json_reply(const web::Request& req, http::status status, std::string body) {
  web::Response res = web::json_response(req, status, std::move(body));
  res.prepare_payload();
  return res;
}

web::Response dhan_error(const web::Request& req, http::status status, std::string_view type, std::string_view code,
                         std::string_view message) {
  boost::json::object body{{"errorType", type}, {"errorCode", code}, {"errorMessage", message}};
  return json_reply(req, status, boost::json::serialize(body));
}

web::Response bad_input(const web::Request& req, std::string_view message) {
  return dhan_error(req, http::status::bad_request, "Input_Exception", "DH-905", message);
}

std::string string_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  return {};
}

struct Series {
  boost::json::array open, high, low, close, volume, timestamp, open_interest;
  void add(market::IstSeconds start, double o, double h, double l, double c, std::uint64_t v, std::uint32_t oi) {
    open.push_back(o);
    high.push_back(h);
    low.push_back(l);
    close.push_back(c);
    volume.push_back(v);
    timestamp.push_back(market::utc_from_ist(start));
    open_interest.push_back(oi);
  }
  std::string serialize(bool with_oi) {
    boost::json::object out{{"open", std::move(open)},   {"high", std::move(high)},
                            {"low", std::move(low)},     {"close", std::move(close)},
                            {"volume", std::move(volume)}, {"timestamp", std::move(timestamp)}};
    if (with_oi) out["open_interest"] = std::move(open_interest);
    return boost::json::serialize(out);
  }
};

// Aggregates 1-minute candles into `interval`-minute candles aligned to the session open.
void aggregate(const std::vector<MinuteCandle>& minutes, int interval, int session_open, std::uint32_t oi, Series& out) {
  const int span = interval * 60;
  std::optional<MinuteCandle> bucket;
  auto flush = [&] {
    if (bucket) out.add(bucket->start, bucket->open, bucket->high, bucket->low, bucket->close, bucket->volume, oi);
  };
  for (const auto& m : minutes) {
    const int offset = market::seconds_of_day(m.start) - session_open;
    const market::IstSeconds start = m.start - (((offset % span) + span) % span);
    if (bucket && bucket->start == start) {
      bucket->high = std::max(bucket->high, m.high);
      bucket->low = std::min(bucket->low, m.low);
      bucket->close = m.close;
      bucket->volume += m.volume;
      continue;
    }
    flush();
    bucket = m;
    bucket->start = start;
  }
  flush();
}

}  // namespace

RestApi::RestApi(const MarketModel& model, const market::MarketCalendar& calendar, std::string master_csv,
                 RestOptions options)
    : model_(model), calendar_(calendar), master_csv_(std::move(master_csv)), options_(std::move(options)) {
  master_etag_ = "\"" + std::to_string(std::hash<std::string>{}(master_csv_)) + "\"";
}

bool RestApi::admit(Clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() >= std::chrono::seconds(1)) recent_.pop_front();
  if (recent_.size() >= options_.requests_per_second) return false;
  recent_.push_back(now);
  return true;
}

bool RestApi::authorised(const web::Request& req) const {
  const std::string_view client = req["client-id"];
  const std::string_view token = req["access-token"];
  if (client.empty() || token.empty()) return false;
  return (options_.client_id.empty() || client == options_.client_id) &&
         (options_.access_token.empty() || token == options_.access_token);
}

web::Response RestApi::handle(const web::Request& req, Clock::time_point now) {
  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == kMasterPath && (req.method() == http::verb::get || req.method() == http::verb::head)) return master(req);
  const bool intraday = path == kIntradayPath;
  if (!intraday && path != kHistoricalPath) {
    return dhan_error(req, http::status::not_found, "Input_Exception", "DH-905", "unknown endpoint");
  }
  if (req.method() != http::verb::post) {
    return dhan_error(req, http::status::method_not_allowed, "Input_Exception", "DH-905", "use POST");
  }
  if (!authorised(req)) {
    return dhan_error(req, http::status::unauthorized, "Invalid_Authentication", "DH-901",
                      "Client ID or user generated access token is invalid or expired.");
  }
  if (!admit(now)) {
    ++rate_limited_;
    return dhan_error(req, http::status::too_many_requests, "Rate_Limit", "DH-904",
                      "Too many requests on server from single user breaching rate limits.");
  }
  return charts(req, intraday);
}

web::Response RestApi::charts(const web::Request& req, bool intraday) {
  boost::system::error_code ec;
  const auto doc = boost::json::parse(req.body(), ec);
  if (ec || !doc.is_object()) return bad_input(req, "body must be a JSON object");
  const auto& o = doc.as_object();
  const auto segment = dhan::segment_from_name(string_field(o, "exchangeSegment"));
  const std::string id_text = string_field(o, "securityId");
  std::uint32_t security_id = 0;
  const auto [ptr, id_ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), security_id);
  if (!segment || id_ec != std::errc{} || ptr != id_text.data() + id_text.size() || id_text.empty()) {
    return bad_input(req, "invalid securityId or exchangeSegment");
  }
  const auto from = market::parse_ist(string_field(o, "fromDate"));
  const auto to = market::parse_ist(string_field(o, "toDate"));
  if (!from || !to || *from >= *to) return bad_input(req, "invalid fromDate/toDate");
  int interval = 1;
  if (intraday) {
    const std::string text = string_field(o, "interval");
    interval = text.empty() ? 1 : std::atoi(text.c_str());
    if (interval != 1 && interval != 5 && interval != 15 && interval != 25 && interval != 60) {
      return bad_input(req, "interval must be 1, 5, 15, 25 or 60");
    }
    if (*to - *from > options_.max_intraday_days * market::kSecondsPerDay) {
      return bad_input(req, "intraday range exceeds 90 days");
    }
  }
  const auto index = model_.index_of({static_cast<std::uint8_t>(*segment), security_id});
  if (!index) return dhan_error(req, http::status::bad_request, "Data_Error", "DH-907", "No data present");
  const auto* oi_flag = o.if_contains("oi");
  const bool with_oi = oi_flag && oi_flag->is_bool() && oi_flag->get_bool();
  const std::uint32_t oi = model_.state(*index).prev_oi;
  Series series;
  if (intraday) {
    aggregate(model_.minute_history(*index, *from, *to, calendar_), interval, calendar_.hours().open, oi, series);
  } else {
    for (const auto& d : model_.daily_history(*index, *from, *to, calendar_)) {
      series.add(d.day, d.open, d.high, d.low, d.close, d.volume, oi);
    }
  }
  return json_reply(req, http::status::ok, series.serialize(with_oi));
}

web::Response RestApi::master(const web::Request& req) const {
  web::Response res{http::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(http::field::etag, master_etag_);
  if (req[http::field::if_none_match] == master_etag_) {
    res.result(http::status::not_modified);
    return res;
  }
  res.set(http::field::content_type, "text/csv");
  res.body() = req.method() == http::verb::head ? std::string() : master_csv_;
  res.prepare_payload();
  if (req.method() == http::verb::head) res.content_length(master_csv_.size());
  return res;
}

}  // namespace fno::sim
