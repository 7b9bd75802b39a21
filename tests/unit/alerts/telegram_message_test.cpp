#include "alerts/telegram_message.hpp"

#include <gtest/gtest.h>

#include "alert_fixtures.hpp"

namespace fno::alerts {
namespace {

using testing::sample_alert;

TEST(TelegramMessage, EscapesHtmlInEveryAlertField) {
  Alert a = sample_alert(1);
  a.trading_symbol = "M&M<FUT>";
  a.strategy = "my\"strat";
  a.reason = "close > resistance & <b>volume</b>";
  const std::string text = format_alert_message(a, "");
  EXPECT_NE(text.find("M&amp;M&lt;FUT&gt;"), std::string::npos) << text;
  EXPECT_NE(text.find("my&quot;strat"), std::string::npos) << text;
  EXPECT_NE(text.find("close &gt; resistance &amp; &lt;b&gt;volume&lt;/b&gt;"), std::string::npos) << text;
  EXPECT_EQ(text.find("<b>volume"), std::string::npos);
}

TEST(TelegramMessage, CarriesSymbolStrategyPriceIstTimeAndChartLink) {
  const Alert a = sample_alert(0);
  const std::string text = format_alert_message(a, "https://scanner.example.org/");
  EXPECT_NE(text.find("RELIANCE-Jan2025-FUT-0"), std::string::npos) << text;
  EXPECT_NE(text.find("breakout (bearish)"), std::string::npos) << text;
  EXPECT_NE(text.find("@ <b>100</b>"), std::string::npos) << text;
  EXPECT_NE(text.find("2025-01-06 09:15:00 IST"), std::string::npos) << text;
  EXPECT_NE(text.find("<a href=\"https://scanner.example.org/?chart=2:40000\">"), std::string::npos) << text;
  EXPECT_EQ(format_alert_message(a, "").find("href"), std::string::npos);
}

TEST(TelegramMessage, DigestListsAlertsAndStaysUnderTheLimit) {
  std::vector<Alert> alerts;
  for (int i = 0; i < 3; ++i) alerts.push_back(sample_alert(i));
  const std::string small = format_digest_message(alerts, "");
  EXPECT_NE(small.find("3 alerts"), std::string::npos);
  for (int i = 0; i < 3; ++i) EXPECT_NE(small.find("FUT-" + std::to_string(i) + "</b>"), std::string::npos) << small;

  alerts.clear();
  for (int i = 0; i < 200; ++i) alerts.push_back(sample_alert(i));
  const std::string big = format_digest_message(alerts, "https://scanner.example.org");
  EXPECT_LE(big.size(), kTelegramMaxText);
  EXPECT_NE(big.find(" more"), std::string::npos);
}

TEST(TelegramMessage, TruncatesOnUtf8Boundaries) {
  const std::string text = "ab€";  // 5 bytes: € is 3
  EXPECT_EQ(utf8_truncate(text, 5), text);
  EXPECT_EQ(utf8_truncate(text, 4), "ab");
  EXPECT_EQ(utf8_truncate(text, 3), "ab");
  EXPECT_EQ(utf8_truncate(text, 2), "ab");
  EXPECT_EQ(utf8_truncate(text, 1), "a");
}

}  // namespace
}  // namespace fno::alerts
