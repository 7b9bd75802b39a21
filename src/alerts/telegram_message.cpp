#include "alerts/telegram_message.hpp"

#include <fmt/format.h>

namespace fno::alerts {

namespace {

constexpr std::size_t kMaxReasonBytes = 600;

const char* kind_mark(scan::SignalKind kind) { return kind == scan::SignalKind::kBullish ? "🟢" : "🔴"; }

std::string headline(const Alert& a) {
  return fmt::format("{} <b>{}</b> · {} ({}) @ <b>{}</b>", kind_mark(a.kind), html_escape(a.trading_symbol),
                     html_escape(a.strategy), scan::to_string(a.kind), a.price);
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string utf8_truncate(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to a sequence start.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string chart_link(const Alert& alert, std::string_view public_url) {
  if (public_url.empty()) return {};
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  return fmt::format("{}/?chart={}:{}", public_url, alert.instrument.segment, alert.instrument.security_id);
}

std::string format_alert_message(const Alert& a, std::string_view public_url) {
  std::string text = headline(a);
  fmt::format_to(std::back_inserter(text), "\n{}\n🕒 {} IST", html_escape(utf8_truncate(a.reason, kMaxReasonBytes)),
                 format_ist_ms(a.time_ms));
  if (const std::string link = chart_link(a, public_url); !link.empty()) {
    fmt::format_to(std::back_inserter(text), "\n<a href=\"{}\">Open chart</a>", html_escape(link));
  }
  return text;
}

std::string format_digest_message(const std::vector<Alert>& alerts, std::string_view public_url) {
  std::string text = fmt::format("<b>{} alerts</b>", alerts.size());
  // Leaves room for the "+N more" line so the total stays under the limit.
  constexpr std::size_t kBudget = kTelegramMaxText - 64;
  std::size_t shown = 0;
  for (const auto& a : alerts) {
    std::string entry = fmt::format("\n\n{}\n🕒 {} IST", headline(a), format_ist_ms(a.time_ms));
    if (const std::string link = chart_link(a, public_url); !link.empty()) {
      fmt::format_to(std::back_inserter(entry), " · <a href=\"{}\">chart</a>", html_escape(link));
    }
    if (text.size() + entry.size() > kBudget) break;
    text += entry;
    ++shown;
  }
  if (shown < alerts.size()) fmt::format_to(std::back_inserter(text), "\n\n+{} more", alerts.size() - shown);
  return text;
}

}  // namespace fno::alerts
