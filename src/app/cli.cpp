#include "app/cli.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "alerts/backup.hpp"
#include "alerts/telegram.hpp"
#include "app/backtest.hpp"
#include "app/config.hpp"
#include "app/credentials.hpp"
#include "app/exit_codes.hpp"
#include "app/replay.hpp"
#include "app/scanner_app.hpp"
#include "app/version.hpp"
#include "market/calendar.hpp"
#include "scan/strategy.hpp"
#include "sim/sim_command.hpp"
#include "util/log.hpp"
#include "util/redact.hpp"

namespace fno::app {

namespace {

struct Flags {
  std::string config_path = "config.json";
  bool config_given = false;
  bool demo = false;
  bool live = false;
  std::string bind;
  int port = 0;
  std::string log_level;
};

// The example sits next to the config by default; installed layouts keep it
// beside the binary's share dir, which the deploy scripts copy next to config.
std::filesystem::path example_for(const std::filesystem::path& config) {
  return config.parent_path() / "config.example.json";
}

LoadedConfig load_with_overrides(const Flags& flags) {
  LoadedConfig loaded;
  std::error_code ec;
  const std::filesystem::path example = example_for(flags.config_path);
  if (!flags.config_given && !std::filesystem::exists(flags.config_path, ec) && !std::filesystem::exists(example, ec)) {
    loaded.warnings.push_back(flags.config_path + " not found (nor config.example.json): using built-in defaults");
  } else {
    loaded = load_config(flags.config_path, example);
  }
  if (!flags.bind.empty()) loaded.config.web.bind = flags.bind;
  if (flags.port != 0) loaded.config.web.port = static_cast<std::uint16_t>(flags.port);
  if (!flags.log_level.empty()) loaded.config.log_level = flags.log_level;
  util::parse_log_level(loaded.config.log_level);  // validates
  return loaded;
}

int check_config(const Flags& flags) {
  const LoadedConfig loaded = load_with_overrides(flags);
  for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
  std::vector<std::string> problems;
  const Credentials creds = load_credentials(".env", process_env, problems);
  for (const auto& p : problems) std::cerr << "warning: " << p << "\n";
  boost::json::object out = to_json(loaded.config);
  out["credentials"] = {{"DHAN_CLIENT_ID", creds.dhan_client_id.empty() ? "(not set)" : creds.dhan_client_id},
                        {"DHAN_ACCESS_TOKEN", util::mask_secret(creds.dhan_access_token)},
                        {"TELEGRAM_TOKEN", util::mask_secret(creds.telegram_token)},
                        {"TELEGRAM_CHAT_ID", creds.telegram_chat_id.empty() ? "(not set)" : creds.telegram_chat_id},
                        {"DASHBOARD_TOKEN", util::mask_secret(creds.dashboard_token)}};
  std::cout << boost::json::serialize(out) << "\n";
  std::cerr << flags.config_path << ": OK\n";
  return kExitOk;
}

// Online copy of the configured alert database (safe while the scanner runs).
int backup(const Flags& flags, const std::string& destination, bool overwrite) {
  const LoadedConfig loaded = load_with_overrides(flags);
  alerts::BackupOptions options;
  options.overwrite = overwrite;
  const alerts::BackupResult r = alerts::backup_database(loaded.config.db_path, destination, options);
  std::cout << "backed up " << loaded.config.db_path << " to " << r.destination.string() << ": " << r.alerts
            << " alerts, " << r.bytes << " bytes, schema " << r.schema_version << "\n";
  return kExitOk;
}

struct ReplayFlags {
  std::string file;
  std::string speed = "max";
  std::string from;
  std::string db;
  bool web = false;
};

// Feeds a recording through the scanner into its own database; a damaged
// file replays up to the damage and then fails with the reason.
int replay(const Flags& flags, const ReplayFlags& replay_flags) {
  const LoadedConfig loaded = load_with_overrides(flags);
  for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
  ReplayOptions options;
  options.file = replay_flags.file;
  options.config = loaded.config;
  if (replay_flags.speed != "max") {
    std::size_t used = 0;
    double speed = 0;
    try {
      speed = std::stod(replay_flags.speed, &used);
    } catch (const std::exception&) {
      used = 0;  // reported below
    }
    if (used != replay_flags.speed.size() || !(speed > 0)) throw std::invalid_argument("--speed must be a number > 0 or max");
    options.speed = speed;
  }
  if (!replay_flags.from.empty()) {
    options.from = market::parse_hhmm(replay_flags.from);
    if (!options.from) throw std::invalid_argument("--from must be HH:MM (IST)");
  }
  options.db_path = replay_flags.db.empty() ? default_replay_db(options.file) : std::filesystem::path(replay_flags.db);
  if (replay_flags.web) {
    std::vector<std::string> problems;
    options.web = ReplayWeb{load_credentials(".env", process_env, problems).dashboard_token};
    for (const auto& p : problems) std::cerr << "warning: " << p << "\n";
  }
  options.on_finished = [&options](const ReplayResult& r) {
    std::cout << "replayed " << r.frames << " frames (" << r.packets << " packets";
    if (r.skipped > 0) std::cout << ", " << r.skipped << " skipped before --from";
    std::cout << ")" << (r.interrupted ? ", stopped by a signal," : "") << " from " << options.file.string() << ": "
              << r.alerts << " new alerts in " << options.db_path.string() << std::endl;
  };
  const ReplayResult r = replay_recording(options);
  if (!r.damage.empty()) {
    std::cerr << "error: damaged recording: " << r.damage << "\n";
    return kExitRuntime;
  }
  return kExitOk;
}

struct BacktestFlags {
  std::vector<std::string> strategies;
  std::string from;
  std::string to;
  std::vector<std::string> instruments;
  std::vector<std::string> params;
  int horizon = 15;
  std::string source = "cache";
  std::string out;
};

std::optional<std::chrono::year_month_day> date_flag(const std::string& text, const char* flag) {
  if (text.empty()) return std::nullopt;
  const auto date = market::parse_date(text);
  if (!date) throw std::invalid_argument(std::string(flag) + " must be a date YYYY-MM-DD, got '" + text + "'");
  return date;
}

// Strategies over stored candles; one line per run and strategy, then where the report is.
int backtest(const Flags& flags, const BacktestFlags& b) {
  const LoadedConfig loaded = load_with_overrides(flags);
  for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
  BacktestOptions options;
  options.strategies = b.strategies;
  options.from = date_flag(b.from, "--from");
  options.to = date_flag(b.to, "--to");
  options.instruments = b.instruments;
  for (const auto& p : b.params) options.params.push_back(scan::parse_param_axis(p));
  options.horizon_minutes = b.horizon;
  options.source = parse_candle_source(b.source);
  options.out_dir = b.out;
  options.config = loaded.config;
  if (options.source.kind == CandleSource::Kind::kRest) {
    std::vector<std::string> problems;
    options.credentials = load_credentials(".env", process_env, problems);
    for (const auto& p : problems) std::cerr << "warning: " << p << "\n";
  }
  const BacktestOutcome r = run_backtest(options);
  const BacktestSummary& s = r.summary;
  std::cout << "backtest " << s.id << ": " << s.instruments << " instruments, " << s.candles << " candles, "
            << s.runs.size() << " run(s), horizon " << s.horizon_minutes << " min\n";
  for (std::size_t i = 0; i < s.runs.size(); ++i) {
    for (const auto& score : s.runs[i].scores) {
      const auto rate = score.hit_rate();
      std::cout << "  run " << i << " " << boost::json::serialize(scan::to_json(s.runs[i].params)) << " "
                << score.strategy << ": " << score.signals << " signals, " << score.evaluated << " evaluated, "
                << score.hits << " hits" << (rate ? fmt::format(" ({:.1f}%)", *rate * 100) : std::string()) << "\n";
    }
  }
  std::cout << "wrote " << (r.dir / "signals.csv").string() << ", summary.json, summary.html\n";
  if (!r.damage.empty()) {
    std::cerr << "error: damaged recording (results cover what was read before it): " << r.damage << "\n";
    return kExitRuntime;
  }
  return kExitOk;
}

// Sends one message with the configured bot and chat and says what happened;
// the bot token never appears in the output.
int test_telegram(const Flags& flags) {
  const LoadedConfig loaded = load_with_overrides(flags);
  std::vector<std::string> problems;
  const Credentials creds = load_credentials(".env", process_env, problems);
  for (const auto& p : problems) std::cerr << "warning: " << p << "\n";
  if (!creds.has_telegram()) {
    std::cerr << "error: test-telegram needs TELEGRAM_TOKEN and TELEGRAM_CHAT_ID in the environment or .env\n";
    return kExitCredentials;
  }
  alerts::TelegramOptions options;
  if (const auto* section = loaded.config.sections.if_contains("telegram"); section && section->is_object()) {
    options = alerts::parse_telegram_options(section->get_object());
  }
  const auto result = alerts::send_test_message(options, creds.telegram_token, creds.telegram_chat_id);
  if (!result.ok) {
    std::cerr << "error: " << result.message << "\n";
    return kExitRuntime;
  }
  std::cout << result.message << "\n";
  return kExitOk;
}

int run(const Flags& flags) {
  LoadedConfig loaded = load_with_overrides(flags);
  util::setup_logging(loaded.config.log_dir, util::parse_log_level(loaded.config.log_level));
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
  std::vector<std::string> problems;
  RunOptions options;
  options.credentials = load_credentials(".env", process_env, problems);
  for (const auto& p : problems) spdlog::warn("{}", p);
  if (flags.live && !options.credentials.has_dhan()) {
    spdlog::error("--live needs DHAN_CLIENT_ID and DHAN_ACCESS_TOKEN in the environment or .env");
    return kExitCredentials;
  }
  options.mode = (flags.demo || !options.credentials.has_dhan()) ? Mode::kDemo : Mode::kLive;
  options.config = std::move(loaded.config);
  options.config_path = flags.config_path;
  return run_scanner(options);
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"fno-scanner: real-time F&O breakout scanner for the Dhan feed", "fno-scanner"};
  Flags flags;
  auto* config = app.add_option("--config", flags.config_path,
                                "configuration file (created from config.example.json if absent)");
  auto* demo = app.add_flag("--demo", flags.demo, "run against the built-in Dhan simulator");
  auto* live = app.add_flag("--live", flags.live, "require Dhan credentials and use the live feed");
  demo->excludes(live);
  app.add_option("--bind", flags.bind, "web server address (default from config: 127.0.0.1)");
  app.add_option("--port", flags.port, "web server port (default from config: 5000)")->check(CLI::Range(1, 65535));
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error, critical or off");
  auto* check = app.add_subcommand("check-config", "validate the configuration and print it (secrets masked)");
  auto* version = app.add_subcommand("version", "print the version");
  auto* telegram = app.add_subcommand("test-telegram", "send a test message to TELEGRAM_CHAT_ID and report the result");
  std::string backup_dest;
  bool backup_force = false;
  sim::SimCommandFlags sim_flags;
  auto* sim_cmd = sim::add_sim_command(app, sim_flags);
  auto* backup_cmd = app.add_subcommand("backup", "online copy of the alert database (db_path) to DEST");
  backup_cmd->add_option("DEST", backup_dest, "file, or directory for alerts-<UTC time>.db")->required();
  backup_cmd->add_flag("--force", backup_force, "replace DEST when it is an existing file");
  ReplayFlags replay_flags;
  auto* replay_cmd =
      app.add_subcommand("replay", "feed a recording (record.enabled) through the scanner into its own alert database");
  replay_cmd->add_option("FILE", replay_flags.file, "recording (.fnorec)")->required();
  replay_cmd->add_option("--speed", replay_flags.speed, "N x recorded time, or max")->capture_default_str();
  replay_cmd->add_option("--from", replay_flags.from, "start at HH:MM IST (earlier frames are skipped)");
  replay_cmd->add_option("--db", replay_flags.db, "alert database (default: replay-<FILE stem>.db)");
  replay_cmd->add_flag("--web", replay_flags.web,
                       "serve the dashboard on the replay (mode REPLAY) and keep serving after the file ends "
                       "until SIGINT/SIGTERM");
  replay_cmd->add_option("--bind", flags.bind, "--web: address (default from config: 127.0.0.1)");
  replay_cmd->add_option("--port", flags.port, "--web: port (default from config: 5000)")->check(CLI::Range(1, 65535));
  BacktestFlags bt;
  auto* backtest_cmd = app.add_subcommand("backtest", "run strategies over stored 1-minute candles and score their signals");
  backtest_cmd->add_option("--strategy", bt.strategies, "strategy id(s), e.g. breakout or breakout,ema_cross")
      ->required()
      ->delimiter(',');
  backtest_cmd->add_option("--from", bt.from, "first IST date, YYYY-MM-DD (optional for recordings)");
  backtest_cmd->add_option("--to", bt.to, "last IST date, YYYY-MM-DD (inclusive)");
  backtest_cmd->add_option("--instruments", bt.instruments, "trading symbols or SEGMENT:ID (default: all in the source)")
      ->delimiter(',');
  backtest_cmd->add_option("--param", bt.params, "KEY=V1[,V2...] or STRATEGY.KEY=...; several values sweep (repeatable)");
  backtest_cmd->add_option("--horizon", bt.horizon, "minutes after the signal candle to score it")
      ->capture_default_str()
      ->check(CLI::Range(1, 1440));
  backtest_cmd->add_option("--source", bt.source, "cache, rest or recording:FILE")->capture_default_str();
  backtest_cmd->add_option("--out", bt.out, "output directory (default: backtest.dir/<UTC time>-<strategies>)");
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  flags.config_given = config->count() > 0;
  try {
    if (*version) {
      std::cout << "fno-scanner " << kVersion << "\n";
      return kExitOk;
    }
    if (*check) return check_config(flags);
    if (*telegram) return test_telegram(flags);
    if (*backup_cmd) return backup(flags, backup_dest, backup_force);
    if (*replay_cmd) return replay(flags, replay_flags);
    if (*backtest_cmd) return backtest(flags, bt);
    if (*sim_cmd) return sim::run_sim_command(sim_flags);
    return run(flags);
  } catch (const DashboardError& e) {
    std::cerr << "error: " << e.what() << "\n";  // our own text: nothing to redact, and "token" must stay readable
    return kExitRuntime;
  } catch (const alerts::BackupError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitRuntime;
  } catch (const scan::StrategyConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const MissingCredentials& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitCredentials;
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "error: " << util::redact(e.what()) << "\n";
    return kExitRuntime;
  }
}

}  // namespace fno::app
