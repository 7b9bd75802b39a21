// libFuzzer target for the .env parser: any text parses without a crash or
// UB; every accepted name is a valid variable name; every error line has one
// of the two fixed shapes, so it can carry a line number and a variable name
// but never a value (errors are logged, values may be secrets); and the
// accepted values survive a round trip through double-quoted escaping.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/credentials.hpp"

namespace {

bool valid_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// "line N: expected KEY=VALUE" or "line N: NAME has an unterminated or malformed quoted value".
bool value_free(std::string_view error) {
  if (!error.starts_with("line ")) return false;
  error.remove_prefix(5);
  while (!error.empty() && std::isdigit(static_cast<unsigned char>(error.front()))) error.remove_prefix(1);
  if (!error.starts_with(": ")) return false;
  error.remove_prefix(2);
  if (error == "expected KEY=VALUE") return true;
  constexpr std::string_view kQuoteError = " has an unterminated or malformed quoted value";
  if (!error.ends_with(kQuoteError)) return false;
  return valid_name(std::string(error.substr(0, error.size() - kQuoteError.size())));
}

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fno::app;
  const DotEnv env = parse_dotenv(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& error : env.errors) {
    if (!value_free(error)) std::abort();
  }
  std::string rewritten;
  for (const auto& [name, value] : env.values) {
    if (!valid_name(name)) std::abort();
    rewritten += name + "=" + quoted(value) + "\n";
  }
  const DotEnv again = parse_dotenv(rewritten);
  if (!again.errors.empty() || again.values != env.values) std::abort();
  return 0;
}
