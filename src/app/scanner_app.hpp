// scanner_app.hpp
//
// Wires the running scanner: owns the network io_context and its thread, the
// web server and (as they land) the feed, engine and store; blocks in run()
// until SIGINT/SIGTERM, then stops every component within a bounded time.
#pragma once

#include <string>

#include "app/config.hpp"
#include "app/credentials.hpp"

namespace fno::app {

enum class Mode { kDemo, kLive };

struct RunOptions {
  Config config;
  Credentials credentials;
  Mode mode = Mode::kDemo;
  std::string config_path;
};

// Runs until a stop signal; returns a process exit code.
int run_scanner(const RunOptions& options);

}  // namespace fno::app
