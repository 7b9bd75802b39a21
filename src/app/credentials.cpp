#include "app/credentials.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

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

namespace {

// The credential variables and where each one lands.
constexpr std::pair<const char*, std::string Credentials::*> kFields[] = {
    {"DHAN_CLIENT_ID", &Credentials::dhan_client_id},   {"DHAN_ACCESS_TOKEN", &Credentials::dhan_access_token},
    {"TELEGRAM_TOKEN", &Credentials::telegram_token},   {"TELEGRAM_CHAT_ID", &Credentials::telegram_chat_id},
    {"DASHBOARD_TOKEN", &Credentials::dashboard_token},
};

// The file's values; nullopt when it cannot be opened. Bad lines go to `problems`.
std::optional<DotEnv> read_dotenv(const std::filesystem::path& path, std::vector<std::string>& problems) {
  std::ifstream in{path};
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  DotEnv env = parse_dotenv(text.str());
  for (const auto& e : env.errors) problems.push_back(fmt::format("{}: {}", path.string(), e));
  return env;
}

}  // namespace

Credentials load_credentials(const std::filesystem::path& dotenv_path, const GetEnv& getenv,
                             std::vector<std::string>& problems) {
  const DotEnv dotenv = read_dotenv(dotenv_path, problems).value_or(DotEnv{});
  Credentials c;
  for (const auto& [name, field] : kFields) {
    if (auto v = getenv(name); v && !v->empty()) {
      c.*field = *v;
    } else if (const auto it = dotenv.values.find(name); it != dotenv.values.end()) {
      c.*field = it->second;
    }
  }
  return c;
}

std::map<std::string, bool> Credentials::which_set() const {
  std::map<std::string, bool> out;
  for (const auto& [name, field] : kFields) out[name] = !(this->*field).empty();
  return out;
}

Credentials reload_credentials(const std::filesystem::path& dotenv_path, const GetEnv& getenv,
                               std::vector<std::string>& problems) {
  Credentials c = load_credentials(dotenv_path, getenv, problems);
  const auto env_file = getenv("FNO_ENV_FILE");
  if (!env_file || env_file->empty()) return c;
  const auto fresh = read_dotenv(*env_file, problems);
  if (!fresh) {
    problems.push_back(fmt::format("FNO_ENV_FILE {} cannot be read; keeping the environment's values", *env_file));
    return c;
  }
  for (const auto& [name, field] : kFields) {
    if (const auto it = fresh->values.find(name); it != fresh->values.end() && !it->second.empty()) c.*field = it->second;
  }
  return c;
}

}  // namespace fno::app
