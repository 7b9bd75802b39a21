// systemd_notify.hpp
//
// SystemdNotifier: the sd_notify(3) protocol without libsystemd. When the
// service manager starts us with `Type=notify` it passes NOTIFY_SOCKET (a
// unix datagram socket path, or `@name` for the abstract namespace) and, with
// `WatchdogSec=`, WATCHDOG_USEC (+ WATCHDOG_PID). Each notification is one
// datagram of `KEY=VALUE` lines. Outside systemd (no NOTIFY_SOCKET) every call
// is a cheap no-op, so callers never branch on "are we under systemd".
//
// Contract for the caller (scanner_app):
//   auto notifier = SystemdNotifier::from_env(process_env);
//   ... start web server, store, feed ...      notifier.ready("demo, 120 instruments");
//   every notifier.watchdog_interval() from the main loop: notifier.ping();
//   on SIGHUP: notifier.reloading(); re-read credentials; notifier.ready(...);
//   on SIGINT/SIGTERM, before stopping components: notifier.stopping();
// Sending never blocks (MSG_DONTWAIT) and never throws: a failed send is
// counted and returned as false; the scanner keeps running without systemd.
//
// Thread-safety: all methods are const-safe to call from any thread (each
// send opens its own short-lived socket; the counter is atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/credentials.hpp"

namespace fno::app {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID through `getenv`.
  // The watchdog applies only when WATCHDOG_PID is absent or equals our pid.
  static SystemdNotifier from_env(const GetEnv& getenv);
  // A notifier that sends nothing (not under systemd).
  SystemdNotifier() = default;
  SystemdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog);
  SystemdNotifier(const SystemdNotifier& other);
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return !socket_path_.empty(); }

  // READY=1 (+ STATUS=status): startup finished, the dashboard answers.
  bool ready(std::string_view status = {}) const;
  // RELOADING=1: re-reading credentials; follow with ready() when done.
  bool reloading() const;
  // STOPPING=1: shutdown began (systemd then waits up to TimeoutStopSec).
  bool stopping() const;
  // STATUS=...: one line shown by `systemctl status`.
  bool status(std::string_view text) const;
  // WATCHDOG=1: the main loop is alive.
  bool ping() const;

  // How often to call ping(): half of WatchdogSec, as sd_watchdog_enabled(3)
  // recommends; nullopt when the watchdog is off.
  std::optional<std::chrono::milliseconds> watchdog_interval() const;

  // Sends one raw notification (lines of KEY=VALUE). False when disabled or
  // the datagram could not be sent.
  bool send(std::string_view message) const;

  std::uint64_t send_failures() const { return send_failures_.load(std::memory_order_relaxed); }

 private:
  std::string socket_path_;  // empty = disabled; leading '@' = abstract namespace
  std::optional<std::chrono::microseconds> watchdog_;
  mutable std::atomic<std::uint64_t> send_failures_{0};
};

}  // namespace fno::app
