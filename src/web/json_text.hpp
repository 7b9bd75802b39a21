// json_text.hpp
//
// Appends JSON values as text to a std::string, for the payloads built tens
// of thousands of times a second (live rows) where a boost::json::object per
// value costs more than the bytes. Strings are escaped per RFC 8259 (quote,
// backslash, control characters; other bytes pass through as they are);
// numbers round-trip (shortest form); a double always reads back as a
// double ("51.0", never "51"); NaN and infinities, which JSON cannot hold,
// are written as null. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fno::web {

void append_json_string(std::string& out, std::string_view text);
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, std::int64_t value);
void append_json_number(std::string& out, std::uint64_t value);
// The number, or null without a value.
void append_json_number(std::string& out, const std::optional<double>& value);

}  // namespace fno::web
