#include "app/credentials.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fno::app {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Value after '=': quoted ('...' literal, "..." with \" \\ \n escapes) or bare
// (an unquoted ` #` starts a comment).
std::optional<std::string> parse_value(std::string_view raw) {
  raw = trim(raw);
  if (raw.empty()) return std::string();
  const char quote = raw.front();
  if (quote != '"' && quote != '\'') {
    const auto hash = raw.find(" #");
    return std::string(trim(raw.substr(0, hash)));
  }
  std::string out;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == quote) {
      const auto rest = trim(raw.substr(i + 1));
      if (!rest.empty() && rest.front() != '#') return std::nullopt;
      return out;
    }
    if (quote == '"' && c == '\\' && i + 1 < raw.size()) {
      const char next = raw[++i];
      out += next == 'n' ? '\n' : next;
    } else {
      out += c;
    }
  }
  return std::nullopt;  // unterminated quote
}

}  // namespace

std::vector<std::string> Credentials::secrets() const {
  std::vector<std::string> out;
  for (const auto* s : {&dhan_access_token, &telegram_token, &dashboard_token}) {
    if (!s->empty()) out.push_back(*s);
  }
  return out;
}

DotEnv parse_dotenv(std::string_view text) {
  DotEnv env;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    const auto eq = line.find('=');
    const std::string_view name = trim(line.substr(0, eq));
    if (eq == std::string_view::npos || !valid_name(name)) {
      env.errors.push_back(fmt::format("line {}: expected KEY=VALUE", line_no));
      continue;
    }
    auto value = parse_value(line.substr(eq + 1));
    if (!value) {
      env.errors.push_back(fmt::format("line {}: {} has an unterminated or malformed quoted value", line_no, name));
      continue;
    }
    env.values[std::string(name)] = std::move(*value);
  }
  return env;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Credentials load_credentials(const std::filesystem::path& dotenv_path, const GetEnv& getenv,
                             std::vector<std::string>& problems) {
  DotEnv dotenv;
  if (std::ifstream in{dotenv_path}) {
    std::ostringstream text;
    text << in.rdbuf();
    dotenv = parse_dotenv(text.str());
    for (const auto& e : dotenv.errors) problems.push_back(fmt::format("{}: {}", dotenv_path.string(), e));
  }
  const auto lookup = [&](const std::string& name) {
    if (auto v = getenv(name); v && !v->empty()) return *v;
    const auto it = dotenv.values.find(name);
    return it == dotenv.values.end() ? std::string() : it->second;
  };
  Credentials c;
  c.dhan_client_id = lookup("DHAN_CLIENT_ID");
  c.dhan_access_token = lookup("DHAN_ACCESS_TOKEN");
  c.telegram_token = lookup("TELEGRAM_TOKEN");
  c.telegram_chat_id = lookup("TELEGRAM_CHAT_ID");
  c.dashboard_token = lookup("DASHBOARD_TOKEN");
  return c;
}

}  // namespace fno::app
