#include "sim/sim_command.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "market/calendar.hpp"
#include "sim/simulator.hpp"

namespace fno::sim {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

CLI::App* add_sim_command(CLI::App& app, SimCommandFlags& flags) {
  auto* sim = app.add_subcommand("sim", "run the built-in Dhan simulator (feed + REST + master) on a local port");
  sim->add_option("--bind", flags.bind, "address to listen on (default 127.0.0.1)");
  sim->add_option("--port", flags.port, "port (0 = any free port; default 8765)")->check(CLI::Range(0, 65535));
  sim->add_flag("--tls", flags.tls, "serve wss:// and https:// with a generated self-signed certificate");
  sim->add_option("--instruments", flags.instruments_csv, "instrument master CSV (compact format) to simulate");
  sim->add_option("--scenario", flags.scenario_json, "scenario JSON (default: a breakout every minute)");
  sim->add_option("--seed", flags.seed, "random-walk seed");
  sim->add_option("--ticks-per-second", flags.ticks_per_second, "trades per instrument per second");
  sim->add_option("--speed", flags.speed, "simulated seconds per real second");
  sim->add_flag("--always-open", flags.always_open, "trade outside NSE session hours (demo)");
  sim->add_option("--packets-per-frame", flags.packets_per_frame, "pack several packets per WebSocket frame");
  sim->add_option("--send-log", flags.send_log,
                  "write when each scripted instrument's minute-opening packet was sent (latency benchmark)");
  sim->add_option("--start", flags.start,
                  "simulated IST clock at start, \"YYYY-MM-DD HH:MM:SS\" (default: now); history ends there")
      ->check([](const std::string& text) {
        return market::parse_ist(text) ? std::string() : "expected \"YYYY-MM-DD HH:MM:SS\" (IST)";
      });
  sim->add_option("--rest-rate", flags.rest_rate, "REST requests per second before 429 DH-904 (default 5, Dhan's)")
      ->check(CLI::Range(1, 100000));
  sim->add_option("--step-ms", flags.step_ms,
                  "market model step in ms (default 100); each step's packets are sent together, so a smaller "
                  "step spreads the feed more evenly, as a live exchange feed is")
      ->check(CLI::Range(1, 1000));
  sim->add_flag("--nagle", flags.nagle,
                "leave Nagle's algorithm on for feed sockets (no TCP_NODELAY): frames written while one is "
                "unacknowledged coalesce into one TCP segment, and wait for the client's delayed ACK");
  sim->add_flag("--coalesce-writes", flags.coalesce_writes,
                "write feed frames through one buffer: each TLS record and TCP segment carries many frames (a "
                "busy server's writes) instead of one each");
  return sim;
}

int run_sim_command(const SimCommandFlags& flags) {
  SimulatorOptions options;
  options.bind = flags.bind;
  options.port = static_cast<std::uint16_t>(flags.port);
  options.tls = flags.tls;
  if (!flags.instruments_csv.empty()) options.instruments = parse_universe_csv(read_file(flags.instruments_csv));
  options.seed = flags.seed;
  options.ticks_per_second = flags.ticks_per_second;
  options.speed = flags.speed;
  options.always_open = flags.always_open;
  options.packets_per_frame = std::max<std::size_t>(1, flags.packets_per_frame);
  if (!flags.start.empty()) options.start_time = market::parse_ist(flags.start);
  options.rest_requests_per_second = flags.rest_rate;
  options.tick_interval = std::chrono::milliseconds(flags.step_ms);
  options.nagle = flags.nagle;
  options.coalesce_writes = flags.coalesce_writes;
  options.client_id = env_or_empty("DHAN_CLIENT_ID");
  options.access_token = env_or_empty("DHAN_ACCESS_TOKEN");
  options.send_log_path = flags.send_log;
  options.scenario = flags.scenario_json.empty()
                         ? demo_scenario(options.instruments.empty() ? default_universe() : options.instruments)
                         : parse_scenario(read_file(flags.scenario_json));

  boost::asio::io_context io;
  Simulator sim(io, std::move(options));
  std::cout << "fno-scanner sim listening" << (flags.always_open ? " (always open: simulated market hours)" : "")
            << "\n  feed:   " << sim.feed_url() << "/?version=2&token=...&clientId=...&authType=2"
            << "\n  rest:   " << sim.rest_base_url() << "\n  master: " << sim.master_url()
            << "\n  status: " << sim.status_url();
  if (!sim.ca_file().empty()) std::cout << "\n  ca:     " << sim.ca_file();
  std::cout << "\nCtrl-C to stop" << std::endl;

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    sim.stop();
    io.stop();
  });
  io.run();
  const auto c = sim.counters();
  spdlog::info("sim stopped: {} connections, {} packets sent, {} REST requests ({} rate-limited)",
               c.connections_accepted, c.packets_sent, c.rest_requests, c.rest_rate_limited);
  return 0;
}

}  // namespace fno::sim
