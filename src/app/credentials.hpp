// credentials.hpp
//
// Secrets come only from the process environment and an optional `.env`
// file (KEY=VALUE lines, `#` comments, optional `export `, single or double
// quotes); the environment wins over `.env` (on reload, $FNO_ENV_FILE wins).
// Nothing here logs a value.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fno::app {

struct Credentials {
  std::string dhan_client_id;
  std::string dhan_access_token;
  std::string telegram_token;
  std::string telegram_chat_id;
  std::string dashboard_token;

  bool has_dhan() const { return !dhan_client_id.empty() && !dhan_access_token.empty(); }
  bool has_telegram() const { return !telegram_token.empty() && !telegram_chat_id.empty(); }
  // Values for util::redact to mask wherever they show up.
  std::vector<std::string> secrets() const;
  // Variable name -> whether it is set (for the settings page; never values).
  std::map<std::string, bool> which_set() const;
};

struct DotEnv {
  std::map<std::string, std::string> values;
  std::vector<std::string> errors;  // "line N: ..." (values never included)
};

DotEnv parse_dotenv(std::string_view text);

using GetEnv = std::function<std::optional<std::string>(const std::string&)>;
// The real process environment.
std::optional<std::string> process_env(const std::string& name);

// Reads `dotenv_path` when it exists (errors appended to `problems`), then
// overlays the environment.
Credentials load_credentials(const std::filesystem::path& dotenv_path, const GetEnv& getenv,
                             std::vector<std::string>& problems);

// For SIGHUP (daily token rollover): the process environment is as old as
// the process — under systemd it is the EnvironmentFile read at start — so
// the file named by $FNO_ENV_FILE, re-read now, wins over it; otherwise as
// load_credentials.
Credentials reload_credentials(const std::filesystem::path& dotenv_path, const GetEnv& getenv,
                               std::vector<std::string>& problems);

}  // namespace fno::app
