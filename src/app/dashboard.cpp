#include "app/dashboard.hpp"

#include <spdlog/spdlog.h>

#include "app/version.hpp"

namespace fno::app {

web::WebOptions dashboard_options(const Config& config, std::string dashboard_token, std::string mode) {
  web::WebOptions options;
  options.bind = config.web.bind;
  options.port = config.web.port;
  options.token = std::move(dashboard_token);
  options.version = kVersion;
  options.mode = std::move(mode);
  return options;
}

AlertService::Listener Dashboard::alert_listener() {
  return [this](const alerts::CommittedAlert& c) {
    if (auto* h = hub_.load()) h->publish_alert(c.alert);
  };
}

EngineHooks Dashboard::engine_hooks() {
  EngineHooks hooks;
  hooks.on_delta = [this](const scan::SnapshotDelta& d) {
    if (auto* h = hub_.load()) h->publish_rows(d);
  };
  hooks.charted = [this] {
    auto* h = hub_.load();
    return h ? h->charted() : std::vector<market::InstrumentKey>{};
  };
  hooks.on_chart_candle = [this](market::InstrumentKey key, const scan::ChartSeries& c) {
    if (auto* h = hub_.load()) {
      h->publish_candle(key, c.candles.back(), c.resistance.back(), c.ema_short.back(), c.ema_long.back());
    }
  };
  return hooks;
}

std::optional<std::string> Dashboard::start(const web::WebOptions& options, web::ApiBackend& backend) {
  try {
    server_ = web_.call([&] { return std::make_unique<web::WebServer>(web_.io(), options, backend); });
  } catch (const boost::system::system_error& e) {
    return "cannot listen on " + options.bind + ":" + std::to_string(options.port) + ": " + e.code().message();
  } catch (const std::runtime_error& e) {
    return std::string(e.what());
  }
  hub_ = &server_->hub();
  spdlog::info("dashboard: http://{}:{}/  (health: /api/status)", options.bind, server_->port());
  return std::nullopt;
}

void Dashboard::stop() {
  if (!server_) return;
  web_.call([this] {
    hub_ = nullptr;
    server_->stop();
    return 0;
  });
}

void Dashboard::close() {
  if (std::exchange(closed_, true)) return;
  if (server_) {
    web_.call([this] {
      server_.reset();
      return 0;
    });
  }
  web_.io().stop();  // open client connections would keep it running
  web_.join();
}

}  // namespace fno::app
