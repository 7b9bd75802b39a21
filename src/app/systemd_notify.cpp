#include "app/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstring>

namespace fno::app {

namespace {

// STATUS= is one line; a newline would start a bogus KEY=VALUE pair.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

std::optional<std::uint64_t> parse_unsigned(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::chrono::microseconds> watchdog_from_env(const GetEnv& getenv) {
  const auto usec = parse_unsigned(getenv("WATCHDOG_USEC"));
  if (!usec || *usec == 0) return std::nullopt;
  // WATCHDOG_PID names the process systemd expects pings from; a child that
  // inherited the environment must not ping on the parent's behalf.
  if (const auto pid = parse_unsigned(getenv("WATCHDOG_PID"))) {
    if (*pid != static_cast<std::uint64_t>(::getpid())) return std::nullopt;
  }
  return std::chrono::microseconds(*usec);
}

}  // namespace

SystemdNotifier SystemdNotifier::from_env(const GetEnv& getenv) {
  const auto socket = getenv("NOTIFY_SOCKET");
  if (!socket || socket->empty()) return SystemdNotifier();
  return SystemdNotifier(*socket, watchdog_from_env(getenv));
}

SystemdNotifier::SystemdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog) {}

SystemdNotifier::SystemdNotifier(const SystemdNotifier& other)
    : socket_path_(other.socket_path_), watchdog_(other.watchdog_), send_failures_(other.send_failures()) {}

bool SystemdNotifier::ready(std::string_view status) const {
  if (status.empty()) return send("READY=1");
  return send("READY=1\nSTATUS=" + one_line(status));
}

bool SystemdNotifier::reloading() const { return send("RELOADING=1"); }

bool SystemdNotifier::stopping() const { return send("STOPPING=1"); }

bool SystemdNotifier::status(std::string_view text) const { return send("STATUS=" + one_line(text)); }

bool SystemdNotifier::ping() const { return send("WATCHDOG=1"); }

std::optional<std::chrono::milliseconds> SystemdNotifier::watchdog_interval() const {
  if (!watchdog_) return std::nullopt;
  const auto half = std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog_ / 2);
  return half.count() > 0 ? half : std::chrono::milliseconds(1);
}

bool SystemdNotifier::send(std::string_view message) const {
  if (!enabled()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(addr.sun_path) || (socket_path_[0] != '/' && socket_path_[0] != '@')) {
    send_failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  if (socket_path_[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    send_failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const ssize_t sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                                reinterpret_cast<const sockaddr*>(&addr), addr_len);
  ::close(fd);
  if (sent != static_cast<ssize_t>(message.size())) {
    send_failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

}  // namespace fno::app
