#include "alerts/csv_export.hpp"

#include <gtest/gtest.h>

#include "alert_fixtures.hpp"
#include "alerts/store.hpp"
#include "support/child_process.hpp"

namespace fno::alerts {
namespace {

using testing::sample_alert;

TEST(CsvCell, PlainTextIsUnchanged) {
  EXPECT_EQ(csv_cell("RELIANCE-Jan2025-FUT"), "RELIANCE-Jan2025-FUT");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("निफ्टी"), "निफ्टी");
}

TEST(CsvCell, QuotesSeparatorsQuotesAndLineBreaks) {
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("line1\nline2"), "\"line1\nline2\"");
  EXPECT_EQ(csv_cell("a\r\nb"), "\"a\r\nb\"");
}

TEST(CsvCell, NeutralisesFormulaInjection) {
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-2+3"), "'-2+3");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("\tcmd"), "'\tcmd");
  EXPECT_EQ(csv_cell("\rcmd"), "\"'\rcmd\"");
  EXPECT_EQ(csv_cell("a=b"), "a=b");  // only a leading trigger matters
}

class CsvExportTest : public ::testing::Test {
 protected:
  void store(const std::vector<Alert>& alerts) {
    StoreOptions o;
    o.db_path = db();
    AlertStore s(o, nullptr);
    for (const auto& a : alerts) s.submit(a);
    ASSERT_TRUE(s.flush(std::chrono::seconds(20)));
  }
  std::filesystem::path db() const { return dir_.path() / "a.db"; }
  test::TempDir dir_{"alerts_csv"};
};

std::string export_all(AlertReader& reader, const AlertFilter& filter, std::size_t chunk = 64 * 1024) {
  std::string out;
  const auto r = export_csv(reader, filter, [&](std::string_view piece) {
    out += piece;
    return true;
  }, chunk);
  EXPECT_TRUE(r.complete);
  return out;
}

TEST_F(CsvExportTest, WritesHeaderAndIstRows) {
  Alert a = sample_alert(0);
  a.reason = "=cmd|' /C calc'!A0, \"quoted\"";
  store({a});
  AlertReader reader(db());
  const std::string csv = export_all(reader, {});
  const std::string expected = std::string(kCsvHeader) +
                               "1,2025-01-06 09:15:00,RELIANCE-Jan2025-FUT-0,RELIANCE,breakout,bearish,100,"
                               "\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\",\"{\"\"resistance\"\":2440.1,"
                               "\"\"volume\"\":1200}\",2025-01-06 09:15:00,2,40000\r\n";
  EXPECT_EQ(csv, expected);
}

TEST_F(CsvExportTest, AppliesTheFilterAndStreamsInChunks) {
  std::vector<Alert> alerts;
  for (int i = 0; i < 300; ++i) alerts.push_back(sample_alert(i, i % 3 == 0 ? "ema_cross" : "breakout"));
  store(alerts);
  AlertReader reader(db());
  AlertFilter f;
  f.strategy = "ema_cross";
  std::size_t pieces = 0;
  std::string out;
  const auto r = export_csv(reader, f, [&](std::string_view piece) {
    ++pieces;
    out += piece;
    return true;
  }, 1024);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.rows, 100u);
  EXPECT_GT(pieces, 5u);
  std::size_t lines = 0;
  for (std::size_t p = out.find("\r\n"); p != std::string::npos; p = out.find("\r\n", p + 2)) ++lines;
  EXPECT_EQ(lines, 101u);
  EXPECT_EQ(out.find("breakout"), std::string::npos);
}

TEST_F(CsvExportTest, StopsWhenTheSinkRefuses) {
  std::vector<Alert> alerts;
  for (int i = 0; i < 200; ++i) alerts.push_back(sample_alert(i));
  store(alerts);
  AlertReader reader(db());
  int calls = 0;
  const auto r = export_csv(reader, {}, [&](std::string_view) { return ++calls < 2; }, 512);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(calls, 2);
  EXPECT_LT(r.rows, 200u);
}

}  // namespace
}  // namespace fno::alerts
