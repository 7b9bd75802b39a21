#include "dhan/history_options.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace fno::dhan {

namespace json = boost::json;

namespace {

std::int64_t integer_in(const json::value& v, std::string_view key, std::int64_t lo, std::int64_t hi) {
  if (!v.is_int64() || v.get_int64() < lo || v.get_int64() > hi) {
    throw std::invalid_argument(
        fmt::format("history.{} must be an integer in [{}, {}], got {}", key, lo, hi, json::serialize(v)));
  }
  return v.get_int64();
}

std::chrono::milliseconds millis_in(const json::value& v, std::string_view key, std::int64_t lo, std::int64_t hi) {
  return std::chrono::milliseconds(integer_in(v, key, lo, hi));
}

double rate(const json::value& v) {
  const double r = v.is_double() ? v.get_double() : v.is_int64() ? static_cast<double>(v.get_int64()) : -1.0;
  if (!(r >= 0.1 && r <= 100.0)) {
    throw std::invalid_argument(
        fmt::format("history.requests_per_second must be a number in [0.1, 100], got {}", json::serialize(v)));
  }
  return r;
}

}  // namespace

HistoryOptions parse_history_options(const json::object& section) {
  HistoryOptions o;
  for (const auto& [key_view, value] : section) {
    const std::string_view key = key_view;
    if (key == "url") {
      if (!value.is_string() ||
          !(value.get_string().starts_with("https://") || value.get_string().starts_with("http://"))) {
        throw std::invalid_argument("history.url must be an http(s) URL string");
      }
      o.base_url = value.get_string();
    } else if (key == "requests_per_second") {
      o.requests_per_second = rate(value);
    } else if (key == "admission_bound_ms") {
      o.admission_bound = millis_in(value, key, 0, 60'000);
    } else if (key == "max_retries") {
      o.max_retries = static_cast<int>(integer_in(value, key, 0, 20));
    } else if (key == "max_rate_limit_retries") {
      o.max_rate_limit_retries = static_cast<int>(integer_in(value, key, 0, 1000));
    } else if (key == "backoff_initial_ms") {
      o.backoff_initial = millis_in(value, key, 10, 60'000);
    } else if (key == "backoff_max_ms") {
      o.backoff_max = millis_in(value, key, 10, 600'000);
    } else if (key == "timeout_ms") {
      o.request_timeout = millis_in(value, key, 1000, 300'000);
    } else if (key == "deliver_candles") {
      o.deliver_candles = static_cast<std::size_t>(integer_in(value, key, 1, 100'000));
    } else if (key == "cache_path") {
      if (!value.is_string()) throw std::invalid_argument("history.cache_path must be a path string (\"\": no cache)");
      o.cache_path = std::string(value.get_string());
    } else {
      throw std::invalid_argument(fmt::format("history.{} is not a known key", key));
    }
  }
  if (o.backoff_max < o.backoff_initial) {
    throw std::invalid_argument("history.backoff_max_ms must be at least history.backoff_initial_ms");
  }
  return o;
}

}  // namespace fno::dhan
