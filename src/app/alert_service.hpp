// alert_service.hpp
//
// Turns strategy signals into stored alerts and announces them only once they
// are committed: signal (engine thread) -> Alert with trading symbol and
// underlying from the instrument table -> AlertStore (its writer thread) ->
// committed -> listeners (dashboard push, Telegram outbox). Never blocks the
// engine: a full store queue is a counted drop, logged (rate-limited).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "alerts/store.hpp"
#include "dhan/instruments.hpp"
#include "scan/signal.hpp"
#include "util/log_limiter.hpp"

namespace fno::app {

class AlertService {
 public:
  using Listener = std::function<void(const alerts::CommittedAlert&)>;

  // `listeners` run on the store thread after commit and must not block.
  AlertService(alerts::StoreOptions options, std::shared_ptr<const dhan::InstrumentTable> instruments,
               std::vector<Listener> listeners);

  // Engine thread.
  void on_signals(std::vector<scan::Signal> signals);

  alerts::AlertStore& store() { return *store_; }
  std::uint64_t submitted() const { return submitted_.load(); }
  std::uint64_t refused() const { return refused_.load(); }

 private:
  std::shared_ptr<const dhan::InstrumentTable> instruments_;
  std::vector<Listener> listeners_;
  std::unique_ptr<alerts::AlertStore> store_;
  std::atomic<std::uint64_t> submitted_{0};
  std::atomic<std::uint64_t> refused_{0};
  util::LogLimiter log_limiter_;  // engine thread only
};

}  // namespace fno::app
