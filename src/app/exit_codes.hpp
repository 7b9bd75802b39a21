// exit_codes.hpp
//
// Process exit codes, a stable interface for scripts, systemd and tests.
#pragma once

namespace fno::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;      // runtime failure (port in use, fatal feed error, ...)
inline constexpr int kExitUsage = 2;        // bad command line or configuration
inline constexpr int kExitCredentials = 3;  // --live without DHAN_CLIENT_ID / DHAN_ACCESS_TOKEN

}  // namespace fno::app
