// telegram_message.hpp
//
// Text of Telegram alert messages in Bot API HTML parse mode: one alert
// (symbol, strategy, price, reason, IST time, chart link when the dashboard
// has a public URL) or a digest of several. Every piece of alert content is
// HTML-escaped; output stays valid UTF-8 and under Telegram's 4096-character
// limit. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.hpp"

namespace fno::alerts {

inline constexpr std::size_t kTelegramMaxText = 4096;

// Escapes &, <, > and " for Telegram HTML.
std::string html_escape(std::string_view text);

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string utf8_truncate(std::string_view text, std::size_t max_bytes);

// Dashboard chart URL for the alert's instrument, empty without `public_url`.
std::string chart_link(const Alert& alert, std::string_view public_url);

std::string format_alert_message(const Alert& alert, std::string_view public_url);
// One message for a burst; alerts that do not fit are summarised as "+N more".
std::string format_digest_message(const std::vector<Alert>& alerts, std::string_view public_url);

}  // namespace fno::alerts
