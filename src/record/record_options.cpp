#include "record/record_options.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace fno::record {

namespace {

namespace json = boost::json;

constexpr std::uint64_t kMinMaxBytes = 1ULL << 20;

std::int64_t integer(const json::value& v, std::string_view key, std::int64_t min, std::int64_t max) {
  const auto* i = v.if_int64();
  const auto* u = v.if_uint64();
  const bool ok = (i && *i >= min && *i <= max) ||
                  (u && *u <= static_cast<std::uint64_t>(max) && static_cast<std::int64_t>(*u) >= min);
  if (!ok) {
    throw std::invalid_argument("record." + std::string(key) + " must be an integer in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return i ? *i : static_cast<std::int64_t>(*u);
}

}  // namespace

RecordOptions parse_record_options(const json::object& section, std::vector<std::string>& warnings) {
  RecordOptions o;
  for (const auto& [key, value] : section) {
    if (key == "enabled") {
      if (!value.is_bool()) throw std::invalid_argument("record.enabled must be true or false");
      o.enabled = value.get_bool();
    } else if (key == "dir") {
      if (!value.is_string() || value.get_string().empty()) {
        throw std::invalid_argument("record.dir must be a non-empty path");
      }
      o.writer.dir = std::string(value.get_string());
    } else if (key == "max_bytes") {
      o.writer.max_bytes = static_cast<std::uint64_t>(
          integer(value, key, static_cast<std::int64_t>(kMinMaxBytes), std::numeric_limits<std::int64_t>::max()));
    } else if (key == "queue_capacity") {
      o.queue_capacity = static_cast<std::size_t>(integer(value, key, 1024, 1 << 22));
    } else if (key == "flush_interval_ms") {
      o.flush_interval = std::chrono::milliseconds(integer(value, key, 10, 60'000));
    } else {
      warnings.push_back("unknown key 'record." + std::string(key) + "' ignored");
    }
  }
  return o;
}

}  // namespace fno::record
