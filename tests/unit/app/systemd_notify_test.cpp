#include "app/systemd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>

namespace fno::app {
namespace {

using namespace std::chrono_literals;

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  // `name` starting with '@' binds in the abstract namespace.
  explicit NotifySocket(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    if (name_[0] == '@') addr.sun_path[0] = '\0';
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
    timeval tv{2, 0};  // a missing datagram fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    if (name_[0] == '/') ::unlink(name_.c_str());
  }
  bool bound() const { return bound_; }
  std::string receive() const {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n < 0 ? std::string("<nothing>") : std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string temp_socket_path() {
  return (std::filesystem::temp_directory_path() / ("fno-notify-" + std::to_string(::getpid()) + ".sock")).string();
}

GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SystemdNotifier, DisabledWithoutNotifySocket) {
  const auto notifier = SystemdNotifier::from_env(env_of({{"WATCHDOG_USEC", "1000000"}}));
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.ready());
  EXPECT_FALSE(notifier.watchdog_interval());
  EXPECT_EQ(notifier.send_failures(), 0u);  // not under systemd is not a failure
}

TEST(SystemdNotifier, SendsReadyStatusStoppingAndWatchdogToPathSocket) {
  const std::string path = temp_socket_path();
  NotifySocket systemd(path);
  ASSERT_TRUE(systemd.bound());
  const auto notifier = SystemdNotifier::from_env(env_of({{"NOTIFY_SOCKET", path}}));
  ASSERT_TRUE(notifier.enabled());

  EXPECT_TRUE(notifier.ready("demo mode, 120 instruments"));
  EXPECT_EQ(systemd.receive(), "READY=1\nSTATUS=demo mode, 120 instruments");
  EXPECT_TRUE(notifier.ping());
  EXPECT_EQ(systemd.receive(), "WATCHDOG=1");
  EXPECT_TRUE(notifier.reloading());
  EXPECT_EQ(systemd.receive(), "RELOADING=1");
  EXPECT_TRUE(notifier.stopping());
  EXPECT_EQ(systemd.receive(), "STOPPING=1");
  EXPECT_EQ(notifier.send_failures(), 0u);
}

TEST(SystemdNotifier, StatusIsKeptOnOneLine) {
  const std::string path = temp_socket_path();
  NotifySocket systemd(path);
  ASSERT_TRUE(systemd.bound());
  const SystemdNotifier notifier(path, std::nullopt);
  EXPECT_TRUE(notifier.status("feed down\nREADY=1"));
  EXPECT_EQ(systemd.receive(), "STATUS=feed down READY=1");
}

TEST(SystemdNotifier, SendsToAbstractNamespaceSocket) {
  const std::string name = "@fno-notify-test-" + std::to_string(::getpid());
  NotifySocket systemd(name);
  ASSERT_TRUE(systemd.bound());
  const auto notifier = SystemdNotifier::from_env(env_of({{"NOTIFY_SOCKET", name}}));
  EXPECT_TRUE(notifier.ready());
  EXPECT_EQ(systemd.receive(), "READY=1");
}

TEST(SystemdNotifier, UnreachableSocketIsCountedNotThrown) {
  const SystemdNotifier notifier(temp_socket_path() + ".missing", std::nullopt);
  EXPECT_FALSE(notifier.ready());
  EXPECT_FALSE(notifier.ping());
  EXPECT_EQ(notifier.send_failures(), 2u);
  const SystemdNotifier relative("relative.sock", std::nullopt);
  EXPECT_FALSE(relative.ready());
  EXPECT_EQ(relative.send_failures(), 1u);
}

TEST(SystemdNotifier, WatchdogIntervalIsHalfOfWatchdogSec) {
  const auto notifier = SystemdNotifier::from_env(
      env_of({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "30000000"}, {"WATCHDOG_PID", std::to_string(::getpid())}}));
  ASSERT_TRUE(notifier.watchdog_interval());
  EXPECT_EQ(*notifier.watchdog_interval(), 15000ms);
}

TEST(SystemdNotifier, WatchdogMeantForAnotherProcessOrMalformedIsOff) {
  EXPECT_FALSE(SystemdNotifier::from_env(env_of({{"NOTIFY_SOCKET", "/run/x"},
                                                 {"WATCHDOG_USEC", "30000000"},
                                                 {"WATCHDOG_PID", std::to_string(::getpid() + 1)}}))
                   .watchdog_interval());
  EXPECT_FALSE(SystemdNotifier::from_env(env_of({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "30s"}}))
                   .watchdog_interval());
  EXPECT_FALSE(
      SystemdNotifier::from_env(env_of({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "0"}})).watchdog_interval());
}

}  // namespace
}  // namespace fno::app
