#include "util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "market/calendar.hpp"

namespace fno::util {

namespace fs = std::filesystem;

namespace {

std::string ist_day(spdlog::log_clock::time_point t) {
  const auto utc = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return market::format_ist(market::ist_from_utc(utc)).substr(0, 10);
}

}  // namespace

DailyRotatingSink::DailyRotatingSink(fs::path dir, int keep) : dir_(std::move(dir)), keep_(keep) {
  fs::create_directories(dir_);
  const fs::path path = dir_ / kLogFileName;
  // A file left from an earlier day is rotated on the first message of today.
  if (fs::exists(path)) {
    const auto mtime = fs::last_write_time(path);
    current_day_ = ist_day(std::chrono::time_point_cast<spdlog::log_clock::duration>(std::chrono::file_clock::to_sys(mtime)));
  }
  file_.open(path.string(), false);
}

void DailyRotatingSink::sink_it_(const spdlog::details::log_msg& msg) {
  const std::string day = ist_day(msg.time);
  if (current_day_.empty()) current_day_ = day;
  if (day > current_day_) {
    rotate(current_day_);
    current_day_ = day;
  }
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  file_.write(formatted);
}

void DailyRotatingSink::flush_() { file_.flush(); }

void DailyRotatingSink::rotate(const std::string& closed_day) {
  file_.close();
  const fs::path path = dir_ / kLogFileName;
  std::error_code ec;
  fs::rename(path, dir_ / (std::string(kLogFileName) + "." + closed_day), ec);
  file_.open(path.string(), true);
  prune();
}

void DailyRotatingSink::prune() {
  const std::string prefix = std::string(kLogFileName) + ".";
  std::vector<std::string> rotated;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) rotated.push_back(name);
  }
  // Names end in YYYY-MM-DD, so lexical order is age order.
  std::sort(rotated.begin(), rotated.end());
  const auto excess = static_cast<std::ptrdiff_t>(rotated.size()) - keep_;
  for (std::ptrdiff_t i = 0; i < excess; ++i) fs::remove(dir_ / rotated[static_cast<std::size_t>(i)], ec);
}

spdlog::level::level_enum parse_log_level(const std::string& name) {
  const auto level = spdlog::level::from_str(name);
  // from_str maps unknown names to `off`; only accept an explicit "off".
  if (level == spdlog::level::off && name != "off") {
    throw std::invalid_argument("log level must be one of trace, debug, info, warn, error, critical, off; got " +
                                name);
  }
  return level;
}

void setup_logging(const fs::path& log_dir, spdlog::level::level_enum level) {
  auto console = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
  auto file = std::make_shared<DailyRotatingSink>(log_dir, kLogFilesKept);
  auto logger = std::make_shared<spdlog::logger>("fno", spdlog::sinks_init_list{console, file});
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace fno::util
