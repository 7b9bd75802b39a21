#include "web/json_text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace fno::web {

void append_json_string(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text, plain);
  out += '"';
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  const std::size_t start = out.size();
  fmt::format_to(std::back_inserter(out), "{}", value);
  if (out.find_first_of(".e", start) == std::string::npos) out += ".0";
}

void append_json_number(std::string& out, std::int64_t value) { fmt::format_to(std::back_inserter(out), "{}", value); }

void append_json_number(std::string& out, std::uint64_t value) { fmt::format_to(std::back_inserter(out), "{}", value); }

void append_json_number(std::string& out, const std::optional<double>& value) {
  if (value) append_json_number(out, *value);
  else out += "null";
}

}  // namespace fno::web
