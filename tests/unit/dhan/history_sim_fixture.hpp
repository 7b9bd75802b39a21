// history_sim_fixture.hpp
//
// Test support for the history tests: the Dhan simulator and the code under
// test on ONE io_context driven by the test thread (real HTTP on loopback,
// no threads to race), with a fixed simulated clock.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <optional>

#include "net/http_client.hpp"
#include "sim/simulator.hpp"

namespace fno::dhan::testing {

inline constexpr const char* kClientId = "1000000001";  // obviously fake
inline constexpr const char* kToken = "fake-history-token";

// 2026-11-24 (a Tuesday) 11:00 IST: inside the NSE session.
inline const market::IstSeconds kNow =
    market::ist_midnight(std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{11},
                                                     std::chrono::day{24}}) +
    11 * 3600;

class HistorySim : public ::testing::Test {
 protected:
  void start_sim(std::size_t rest_per_second = 5, std::string access_token = {}) {
    sim::SimulatorOptions o;
    o.start_time = kNow;
    o.rest_requests_per_second = rest_per_second;
    o.access_token = std::move(access_token);
    sim_.emplace(io_, std::move(o));
  }
  // Runs the io_context until `done()` or the deadline; false on timeout.
  bool run_until(const std::function<bool()>& done, std::chrono::seconds deadline = std::chrono::seconds(60)) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io_.restart();
      io_.run_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  void TearDown() override {
    if (sim_) sim_->stop();
    http_.close_idle();
    io_.restart();
    io_.run_for(std::chrono::milliseconds(50));
  }

  boost::asio::io_context io_;
  net::HttpClient http_{io_, net::TlsOptions{}};
  std::optional<sim::Simulator> sim_;
};

}  // namespace fno::dhan::testing
