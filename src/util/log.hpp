// log.hpp
//
// Process logging: `fno_breakout.log` in the log directory, rotated at IST
// midnight (the closed day becomes `fno_breakout.log.YYYY-MM-DD`, 14 kept),
// plus stdout. `setup_logging` installs the default spdlog logger once at
// startup; everything else just calls spdlog::info(...) etc.
#pragma once

#include <spdlog/common.h>
#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>

#include <filesystem>
#include <mutex>
#include <string>

namespace fno::util {

inline constexpr const char* kLogFileName = "fno_breakout.log";
inline constexpr int kLogFilesKept = 14;

// File sink that keeps writing `<dir>/fno_breakout.log` and, when a message
// of a new IST day arrives, renames the current file to
// `fno_breakout.log.<previous day>` and deletes rotated files beyond `keep`.
// The day is taken from each message's timestamp, so tests can drive it.
class DailyRotatingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  DailyRotatingSink(std::filesystem::path dir, int keep);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void rotate(const std::string& closed_day);
  void prune();

  std::filesystem::path dir_;
  int keep_;
  std::string current_day_;  // "YYYY-MM-DD" (IST) of the open file
  spdlog::details::file_helper file_;
};

// Parses "trace|debug|info|warn|error|critical|off"; throws std::invalid_argument.
spdlog::level::level_enum parse_log_level(const std::string& name);

// Installs the default logger (stdout + rotating file). Creates `log_dir`.
void setup_logging(const std::filesystem::path& log_dir, spdlog::level::level_enum level);

}  // namespace fno::util
