#include "util/redact.hpp"

#include <gtest/gtest.h>

namespace fno::util {
namespace {

// Obviously fake values; the shapes match what real ones look like.
constexpr const char* kToken = "fakeAccessTokenValue.0123456789";

TEST(Redact, MasksTokenInFeedUrl) {
  const std::string url = std::string("wss://api-feed.dhan.co?version=2&token=") + kToken + "&clientId=1100&authType=2";
  const std::string out = redact(url);
  EXPECT_EQ(out.find(kToken), std::string::npos) << out;
  EXPECT_NE(out.find("token=***"), std::string::npos) << out;
  EXPECT_NE(out.find("clientId=1100"), std::string::npos) << out;
}

TEST(Redact, MasksHeadersAndJson) {
  EXPECT_EQ(redact("access-token: abc.def-ghi"), "access-token: ***");
  EXPECT_EQ(redact("Authorization: Bearer xyz123"), "Authorization: Bearer ***");
  EXPECT_EQ(redact(R"({"accessToken":"s3cr3t","x":1})"), R"({"accessToken":"***","x":1})");
}

TEST(Redact, MasksTelegramBotUrl) {
  const std::string out = redact("POST https://api.telegram.org/bot123456:FAKE-secret_part/sendMessage failed");
  EXPECT_EQ(out, "POST https://api.telegram.org/bot***/sendMessage failed");
}

TEST(Redact, MasksKnownSecretsAnywhere) {
  const std::string out = redact(std::string("server said: bad ") + kToken + " here", {kToken});
  EXPECT_EQ(out, "server said: bad *** here");
}

TEST(Redact, LeavesOrdinaryTextAlone) {
  const std::string text = "NIFTY-Nov2026-FUT breakout at 24500.05, volume 12000";
  EXPECT_EQ(redact(text), text);
  EXPECT_EQ(redact("tokenizer ok"), "tokenizer ok");
}

TEST(Redact, MaskSecretKeepsAHintOnly) {
  EXPECT_EQ(mask_secret(""), "(not set)");
  EXPECT_EQ(mask_secret("abcdefgh"), "ab***");
  EXPECT_EQ(mask_secret("abc"), "***");
}

}  // namespace
}  // namespace fno::util
