// sim_command.hpp
//
// The `fno-scanner sim` subcommand: runs the simulator standalone on a
// loopback port until SIGINT/SIGTERM and prints where it listens (feed, REST,
// master, CA file), so a developer can point a live-mode scanner or the
// official Python SDK at it. Credentials: DHAN_CLIENT_ID / DHAN_ACCESS_TOKEN
// from the environment when set (then only those are accepted), else any
// non-empty values. Owns its io_context; call from main only.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace fno::sim {

struct SimCommandFlags {
  std::string bind = "127.0.0.1";
  int port = 8765;
  bool tls = false;
  std::string instruments_csv;  // compact master CSV; empty = embedded universe
  std::string scenario_json;    // scenario file; empty = demo breakouts
  std::uint64_t seed = 1;
  double ticks_per_second = 1.0;
  double speed = 1.0;
  bool always_open = false;
  std::size_t packets_per_frame = 1;
  std::string send_log;  // latency side channel (sim/send_log.hpp); empty = off
  std::string start;              // "YYYY-MM-DD HH:MM:SS" IST simulated clock at start; empty = now
  std::size_t rest_rate = 5;      // REST requests per second before 429 (Dhan's limit)
  int step_ms = 100;              // market model step: packets of one step leave together
  bool nagle = false;             // leave Nagle on: frames coalesce into fewer TCP segments
  bool coalesce_writes = false;   // many frames per TLS record and TCP segment
};

// Registers the subcommand and its options on `app`, bound to `flags`.
CLI::App* add_sim_command(CLI::App& app, SimCommandFlags& flags);

// Runs until a signal; returns a process exit code.
int run_sim_command(const SimCommandFlags& flags);

}  // namespace fno::sim
