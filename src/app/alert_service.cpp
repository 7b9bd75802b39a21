#include "app/alert_service.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include "util/clock.hpp"

namespace fno::app {

AlertService::AlertService(alerts::StoreOptions options, std::shared_ptr<const dhan::InstrumentTable> instruments,
                           std::vector<Listener> listeners)
    : instruments_(std::move(instruments)), listeners_(std::move(listeners)) {
  store_ = std::make_unique<alerts::AlertStore>(std::move(options), [this](const std::vector<alerts::CommittedAlert>& batch) {
    // The dashboard and Telegram first: each log line is flushed to disk, and
    // a batch of a minute boundary's alerts would otherwise wait behind them.
    for (const auto& committed : batch) {
      for (const auto& listener : listeners_) listener(committed);
    }
    for (const auto& committed : batch) {
      spdlog::info("ALERT {} {} {} @ {:.2f}: {}", committed.alert.strategy, committed.alert.trading_symbol,
                   scan::to_string(committed.alert.kind), committed.alert.price, committed.alert.reason);
    }
  });
}

void AlertService::on_signals(std::vector<scan::Signal> signals) {
  for (auto& signal : signals) {
    std::string symbol;
    std::string underlying;
    if (const auto index = instruments_->find(signal.instrument)) {
      const dhan::Instrument instrument = instruments_->at(*index);
      symbol = instrument.trading_symbol;
      underlying = instrument.underlying;
    } else {
      symbol = std::to_string(signal.instrument.security_id);
    }
    if (store_->submit(alerts::make_alert(signal, std::move(symbol), std::move(underlying), util::utc_now_ms()))) {
      ++submitted_;
    } else {
      ++refused_;
      if (auto suppressed = log_limiter_.admit("store-full", std::chrono::steady_clock::now())) {
        spdlog::error("alert store queue full: alert for {} dropped (+{} more since last report)",
                      signal.strategy, *suppressed);
      }
    }
  }
}

}  // namespace fno::app
