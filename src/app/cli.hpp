// cli.hpp
//
// The command line: `fno-scanner [--config F] [--demo|--live] [--bind A]
// [--port N] [--log-level L]` and the subcommands. Maps every outcome to an
// exit code from exit_codes.hpp; prints errors as one clear line.
#pragma once

namespace fno::app {

int run_cli(int argc, char** argv);

}  // namespace fno::app
