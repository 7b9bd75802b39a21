// deploy_support.hpp
//
// Test-only helpers for the deployment tests: finding external tools on
// PATH (systemd-analyze, dpkg-deb, python3, bash), reading the repository's
// deploy files, and parsing a systemd unit and an EnvironmentFile the way
// systemd does for the subset the project's files use.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace fno::test {

inline const std::filesystem::path kSourceDir = FNO_SOURCE_DIR;

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Absolute path of `name` on PATH; nullopt when it is not installed.
inline std::optional<std::filesystem::path> find_tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// Key -> values in file order ("[Section]" headers and comments dropped);
// repeated keys such as SystemCallFilter= keep every value.
inline std::map<std::string, std::vector<std::string>> parse_unit(const std::string& text) {
  std::map<std::string, std::vector<std::string>> keys;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    keys[line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return keys;
}

// KEY=VALUE lines of an EnvironmentFile (comments and blank lines skipped;
// the project's templates use no quoting).
inline std::map<std::string, std::string> parse_environment_file(const std::string& text) {
  std::map<std::string, std::string> env;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

// ExecStart's words with $VAR expanded from `env` the way systemd expands an
// unbraced $VAR: split on whitespace, an empty value vanishes.
inline std::vector<std::string> expand_exec_start(const std::string& command,
                                                  const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv;
  std::istringstream words(command);
  for (std::string word; words >> word;) {
    if (word[0] != '$') {
      argv.push_back(word);
      continue;
    }
    const auto it = env.find(word.substr(1));
    std::istringstream value(it == env.end() ? "" : it->second);
    for (std::string part; value >> part;) argv.push_back(part);
  }
  return argv;
}

}  // namespace fno::test
