// query.hpp
//
// A request target split into its decoded path segments and query
// parameters, with typed getters that turn bad input into ApiError values
// naming the parameter (400 invalid_parameter). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "web/backend.hpp"

namespace fno::web {

class Query {
 public:
  // nullopt when the target is not a valid origin-form URL.
  static std::optional<Query> parse(std::string_view target);

  const std::string& path() const { return path_; }
  // Decoded path segments: "/api/watchlists/3" -> {"api", "watchlists", "3"}.
  const std::vector<std::string>& segments() const { return segments_; }

  // Raw (decoded) value; nullopt when absent. An empty value counts as absent.
  std::optional<std::string> text(std::string_view name) const;
  // Parsed values; an ApiError when present but malformed or outside [min, max].
  Result<std::optional<double>> number(std::string_view name, double min, double max) const;
  Result<std::optional<std::int64_t>> integer(std::string_view name, std::int64_t min, std::int64_t max) const;

 private:
  std::string path_;
  std::vector<std::string> segments_;
  std::map<std::string, std::string, std::less<>> params_;  // first occurrence wins
};

ApiError invalid_parameter(std::string_view field, std::string message);

// Whole-string integer / finite number parse.
std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);

}  // namespace fno::web
