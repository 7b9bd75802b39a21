#include "web/query.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace fno::web {

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

ApiError invalid_parameter(std::string_view field, std::string message) {
  return ApiError{400, "invalid_parameter", std::move(message), std::string(field)};
}

std::optional<Query> Query::parse(std::string_view target) {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  Query query;
  query.path_ = std::string(parsed->path());
  for (const auto segment : parsed->segments()) {
    if (!segment.empty()) query.segments_.push_back(segment);
  }
  for (const auto param : parsed->params()) {
    query.params_.emplace(param.key, param.has_value ? param.value : std::string());
  }
  return query;
}

std::optional<std::string> Query::text(std::string_view name) const {
  const auto it = params_.find(name);
  if (it == params_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<std::optional<double>> Query::number(std::string_view name, double min, double max) const {
  const auto raw = text(name);
  if (!raw) return std::optional<double>{};
  const auto value = parse_double(*raw);
  if (!value || *value < min || *value > max) {
    return invalid_parameter(name, fmt::format("{} must be a number in [{}, {}]", name, min, max));
  }
  return value;
}

Result<std::optional<std::int64_t>> Query::integer(std::string_view name, std::int64_t min, std::int64_t max) const {
  const auto raw = text(name);
  if (!raw) return std::optional<std::int64_t>{};
  const auto value = parse_int(*raw);
  if (!value || *value < min || *value > max) {
    return invalid_parameter(name, fmt::format("{} must be an integer in [{}, {}]", name, min, max));
  }
  return value;
}

}  // namespace fno::web
