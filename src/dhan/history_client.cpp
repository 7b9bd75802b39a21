#include "dhan/history_client.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "dhan/codec.hpp"
#include "util/redact.hpp"

namespace fno::dhan {

namespace json = boost::json;

namespace {

constexpr std::chrono::seconds kMaxRetryAfter{120};
constexpr std::size_t kMaxMessageChars = 300;
// 2100-01-01 UTC: a later candle start is a broken reply, and the IST shift
// of a timestamp near INT64_MAX would overflow.
constexpr double kMaxEpochSeconds = 4'102'444'800.0;

std::optional<double> number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return std::nullopt;
}

const json::array* array_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& text) {
  std::int64_t seconds = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || seconds < 0) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::min(std::chrono::seconds(seconds), kMaxRetryAfter));
}

std::string clipped(std::string text) {
  if (text.size() > kMaxMessageChars) text.resize(kMaxMessageChars);
  return text;
}

// Dhan's error codes decide; the HTTP status only when there is no code.
ChartStatus status_for(std::string_view code, int http_status) {
  if (code == "DH-901" || code == "DH-902") return ChartStatus::kFatal;
  if (code == "DH-904") return ChartStatus::kRateLimited;
  if (code == "DH-907") return ChartStatus::kNoData;
  if (code == "DH-905") return ChartStatus::kRejected;
  if (code == "DH-908" || code == "DH-909") return ChartStatus::kRetryable;
  if (http_status == 429) return ChartStatus::kRateLimited;
  if (http_status == 401 || http_status == 403) return ChartStatus::kFatal;
  if (http_status >= 500 || http_status == 408) return ChartStatus::kRetryable;
  return ChartStatus::kRejected;
}

std::string fatal_message(std::string_view code, const std::string& detail) {
  if (code == "DH-902") {
    return "Dhan says the data APIs are not subscribed for this account (DH-902); history warm-up stopped, "
           "the scanner warms up from live candles. Server said: " + detail;
  }
  return fmt::format("Dhan rejected the client id or access token ({}): it is invalid or expired (tokens last 24 h); "
                     "history warm-up stopped. Server said: {}", code.empty() ? "HTTP 401/403" : code, detail);
}

ChartResult error_result(const net::HttpResponse& response, const std::vector<std::string>& secrets) {
  std::string code, detail;
  boost::system::error_code ec;
  const auto doc = json::parse(response.body, ec);
  if (!ec && doc.is_object()) {
    // Redacted too: the code is echoed into the message (Dhan's own codes carry no secret).
    code = clipped(util::redact(string_field(doc.as_object(), "errorCode"), secrets));
    detail = string_field(doc.as_object(), "errorMessage");
  }
  if (detail.empty()) detail = response.body;
  detail = clipped(util::redact(detail, secrets));
  ChartResult r;
  r.status = status_for(code, response.status);
  r.retry_after = parse_retry_after(response.header("retry-after"));
  r.message = r.status == ChartStatus::kFatal
                  ? fatal_message(code, detail)
                  : fmt::format("HTTP {} {}: {}", response.status, code.empty() ? "-" : code, detail);
  return r;
}

}  // namespace

std::string_view chart_status_name(ChartStatus status) {
  switch (status) {
    case ChartStatus::kOk: return "ok";
    case ChartStatus::kNoData: return "no_data";
    case ChartStatus::kRateLimited: return "rate_limited";
    case ChartStatus::kRetryable: return "retryable";
    case ChartStatus::kRejected: return "rejected";
    case ChartStatus::kFatal: return "fatal";
  }
  return "unknown";
}

std::string chart_request_body(const ChartRequest& request) {
  json::object body{
      {"securityId", std::to_string(request.key.security_id)},
      {"exchangeSegment", segment_name(static_cast<Segment>(request.key.segment))},
      {"instrument", instrument_type_name(request.type)},
  };
  if (request.kind == ChartKind::kIntraday1m) {
    body["interval"] = 1;
    body["oi"] = false;
    body["fromDate"] = market::format_ist(request.from);
    body["toDate"] = market::format_ist(request.to);
  } else {
    // The daily endpoint takes dates only; toDate is exclusive.
    body["expiryCode"] = 0;
    body["oi"] = false;
    body["fromDate"] = market::format_ist(market::day_start(request.from)).substr(0, 10);
    body["toDate"] = market::format_ist(market::day_start(request.to)).substr(0, 10);
  }
  return json::serialize(body);
}

net::HttpRequest build_chart_request(const HistoryEndpoint& endpoint, const ChartRequest& request) {
  std::string base = endpoint.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  net::HttpRequest req;
  req.method = "POST";
  req.url = base + (request.kind == ChartKind::kIntraday1m ? "/charts/intraday" : "/charts/historical");
  req.headers = {{"access-token", endpoint.access_token},
                 {"client-id", endpoint.client_id},
                 {"Content-Type", "application/json"},
                 {"Accept", "application/json"}};
  req.body = chart_request_body(request);
  req.timeout = endpoint.timeout;
  req.max_body_bytes = 64u << 20;  // 90 days of minutes is ~3 MB of JSON
  return req;
}

std::optional<std::vector<market::Candle>> parse_chart_candles(std::string_view body, std::string& error) {
  boost::system::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) {
    error = "reply is not a JSON object";
    return std::nullopt;
  }
  const auto& o = doc.as_object();
  const json::array* cols[] = {array_field(o, "open"),   array_field(o, "high"),   array_field(o, "low"),
                               array_field(o, "close"),  array_field(o, "volume"), array_field(o, "timestamp")};
  if (std::any_of(std::begin(cols), std::end(cols), [](const auto* c) { return c == nullptr; })) {
    if (o.empty()) return std::vector<market::Candle>{};  // Dhan answers {} for an empty range
    error = "reply lacks open/high/low/close/volume/timestamp arrays";
    return std::nullopt;
  }
  const std::size_t n = cols[5]->size();
  if (std::any_of(std::begin(cols), std::end(cols), [n](const auto* c) { return c->size() != n; })) {
    error = "reply arrays differ in length";
    return std::nullopt;
  }
  std::vector<market::Candle> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    double v[6];
    for (int c = 0; c < 6; ++c) {
      const auto x = number((*cols[c])[i]);
      if (!x || !std::isfinite(*x) || *x < 0 || (c == 5 && *x > kMaxEpochSeconds)) {
        error = fmt::format("reply has a bad number at index {}", i);
        return std::nullopt;
      }
      v[c] = *x;
    }
    market::Candle candle;
    candle.start = candle_start_from_rest(static_cast<std::int64_t>(v[5]));
    candle.open = v[0];
    candle.high = v[1];
    candle.low = v[2];
    candle.close = v[3];
    candle.volume = static_cast<std::uint64_t>(std::llround(v[4]));
    candle.volume_known = true;
    candle.ticks = 1;  // Dhan only returns minutes that traded
    out.push_back(candle);
  }
  // Sorted and unique by start, whatever order the server used.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start == b.start; }),
            out.end());
  return out;
}

ChartResult classify_chart_response(const net::HttpResponse& response, const std::vector<std::string>& secrets) {
  if (response.error) {
    return {ChartStatus::kRetryable, {}, std::nullopt,
            "network: " + util::redact(response.error.message(), secrets)};
  }
  if (!response.ok()) return error_result(response, secrets);
  std::string error;
  auto candles = parse_chart_candles(response.body, error);
  if (!candles) return {ChartStatus::kRetryable, {}, std::nullopt, "unreadable reply: " + error};
  return {ChartStatus::kOk, std::move(*candles), std::nullopt, {}};
}

HistoryClient::HistoryClient(net::HttpClient& http, HistoryEndpoint endpoint)
    : http_(http), endpoint_(std::move(endpoint)), secrets_{endpoint_.access_token, endpoint_.client_id} {}

void HistoryClient::fetch(const ChartRequest& request, Callback done) {
  http_.request(build_chart_request(endpoint_, request),
                // Copies, not `this`: the reply may outlive the client.
                [secrets = secrets_, done = std::move(done)](net::HttpResponse response) {
                  done(classify_chart_response(response, secrets));
                });
}

}  // namespace fno::dhan
