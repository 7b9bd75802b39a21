#include "dhan/instruments_csv.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "dhan/codec.hpp"

namespace fno::dhan {
namespace {

using namespace std::chrono;

constexpr const char* kCompactHeader =
    "SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,SEM_TRADING_SYMBOL,"
    "SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE,"
    "SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME\n";

std::string data_file(const char* name) { return std::string(FNO_TEST_DATA_DIR) + "/" + name; }

std::map<InstrumentType, std::size_t> count_types(const InstrumentTable& table) {
  std::map<InstrumentType, std::size_t> counts;
  for (std::size_t i = 0; i < table.size(); ++i) ++counts[table.type(i)];
  return counts;
}

Instrument by_id(const InstrumentTable& table, Segment segment, std::uint32_t id) {
  const auto index = table.find({static_cast<std::uint8_t>(segment), id});
  EXPECT_TRUE(index.has_value()) << "security id " << id;
  return index ? table.at(*index) : Instrument{};
}

// Expected counts come from inspecting the files with Python's csv module
// (NSETEST rows excluded; see tests/data/README.md for provenance).
TEST(InstrumentsCsv, CompactSampleCounts) {
  const ParsedMaster m = parse_master_file(data_file("scrip-master-compact-sample.csv"));
  EXPECT_EQ(m.report.rows, 682u);
  EXPECT_EQ(m.report.test_contracts, 18u);
  // NSE index 13 and 25 appear twice (two source copies merged): first row kept.
  EXPECT_EQ(m.report.rejected, (std::map<std::string, std::size_t>{{"duplicate_key", 2}}));
  EXPECT_EQ(m.report.accepted, 662u);
  const auto counts = count_types(m.table);
  EXPECT_EQ(counts.at(InstrumentType::kFutIdx), 15u);
  EXPECT_EQ(counts.at(InstrumentType::kFutStk), 195u);
  EXPECT_EQ(counts.at(InstrumentType::kOptIdx), 4u);
  EXPECT_EQ(counts.at(InstrumentType::kEquity), 257u);
  EXPECT_EQ(counts.at(InstrumentType::kIndex), 191u);
}

TEST(InstrumentsCsv, ExcelResaveCounts) {
  const ParsedMaster m = parse_master_file(data_file("scrip-master-fno-futures-excel.csv"));
  EXPECT_EQ(m.report.rows, 755u);  // the trailing blank CRLF line is not a row
  EXPECT_EQ(m.report.rejected_total(), 0u) << m.report.summary();
  const auto counts = count_types(m.table);
  EXPECT_EQ(counts.at(InstrumentType::kFutIdx), 15u);
  EXPECT_EQ(counts.at(InstrumentType::kFutStk), 621u);
  EXPECT_EQ(counts.at(InstrumentType::kIndex), 119u);
  const Instrument bank = by_id(m.table, Segment::kNseFno, 49224);
  EXPECT_EQ(bank.trading_symbol, "BANKNIFTY-Jan2026-FUT");  // BOM stripped: the first column was found
  EXPECT_EQ(bank.underlying, "BANKNIFTY");
  EXPECT_EQ(bank.expiry, year{2026} / January / 27);
  EXPECT_EQ(bank.lot_size, 30u);
  EXPECT_DOUBLE_EQ(bank.tick_size, 0.20);
}

TEST(InstrumentsCsv, EquityIndexCounts) {
  const ParsedMaster m = parse_master_file(data_file("scrip-master-equity-index.csv"));
  EXPECT_EQ(m.report.rows, 23116u);
  EXPECT_EQ(m.report.test_contracts, 22u);
  EXPECT_EQ(m.report.rejected_total(), 0u) << m.report.summary();
  const auto counts = count_types(m.table);
  EXPECT_EQ(counts.at(InstrumentType::kEquity), 22903u);
  EXPECT_EQ(counts.at(InstrumentType::kIndex), 191u);
  const Instrument mcl = by_id(m.table, Segment::kBseEq, 200072);
  EXPECT_EQ(mcl.trading_symbol, "MCL");
  EXPECT_EQ(mcl.underlying, "MCL");
  EXPECT_FALSE(mcl.expiry.has_value());
}

TEST(InstrumentsCsv, DetailedSampleCounts) {
  const ParsedMaster m = parse_master_file(data_file("scrip-master-detailed-sample.csv"));
  EXPECT_EQ(m.report.rows, 315u);
  EXPECT_EQ(m.report.rejected_total(), 0u) << m.report.summary();
  const auto counts = count_types(m.table);
  EXPECT_EQ(counts.at(InstrumentType::kEquity), 255u);
  EXPECT_EQ(counts.at(InstrumentType::kIndex), 60u);
  const Instrument are = by_id(m.table, Segment::kNseEq, 100);
  EXPECT_EQ(are.trading_symbol, "ARE&M");  // the ticker, not SYMBOL_NAME's company name
  EXPECT_EQ(are.display_name, "Amara Raja Energy & Mobility");
}

TEST(InstrumentsCsv, DetailedOlderCounts) {
  const ParsedMaster m = parse_master_file(data_file("scrip-master-detailed-futstk-older.csv"));
  EXPECT_EQ(m.report.rows, 199u);
  EXPECT_EQ(m.report.test_contracts, 18u);
  EXPECT_EQ(m.report.rejected_total(), 0u) << m.report.summary();
  EXPECT_EQ(count_types(m.table).at(InstrumentType::kFutStk), 181u);
  const Instrument one = by_id(m.table, Segment::kNseFno, 53003);
  EXPECT_EQ(one.underlying, "360ONE");
  EXPECT_EQ(one.expiry, year{2025} / July / 31);  // 31/07/25
  EXPECT_EQ(one.lot_size, 500u);
}

TEST(InstrumentsCsv, LiveFormatNumbersAndDates) {
  const ParsedMaster m = parse_master_text(
      std::string(kCompactHeader) +
      "NSE,D,44430,OPTIDX,0,NIFTY-Oct2024-25800-CE,25.0,NIFTY 24 OCT 25800 CALL,2024-10-24 14:30:00,"
      "25800.00000,CE,5.0000,W,OP,,\n"
      "NSE,D,49225,FUTIDX,0,FINNIFTY-Jan2026-FUT,60,FINNIFTY JAN FUT,27-01-2026 14:30,-0.01000,XX,10,M,FUT,,\n");
  ASSERT_EQ(m.report.accepted, 2u) << m.report.summary();
  const Instrument ce = by_id(m.table, Segment::kNseFno, 44430);
  EXPECT_EQ(ce.type, InstrumentType::kOptIdx);
  EXPECT_EQ(ce.lot_size, 25u);
  EXPECT_DOUBLE_EQ(ce.strike, 25800.0);
  EXPECT_DOUBLE_EQ(ce.tick_size, 0.05);  // 5.0000 paise
  EXPECT_EQ(ce.option_type, OptionType::kCall);
  EXPECT_EQ(ce.expiry, year{2024} / October / 24);
  EXPECT_EQ(ce.underlying, "NIFTY");
  const Instrument fut = by_id(m.table, Segment::kNseFno, 49225);
  EXPECT_EQ(fut.option_type, OptionType::kNone);
  EXPECT_DOUBLE_EQ(fut.strike, 0.0);  // -0.01 means "no strike"
  EXPECT_EQ(fut.expiry, year{2026} / January / 27);
}

TEST(InstrumentsCsv, IsoDateOnlyAndColumnsInAnyOrder) {
  const ParsedMaster m = parse_master_text(
      "SEM_TRADING_SYMBOL,SEM_SMST_SECURITY_ID,SEM_SEGMENT,SEM_EXM_EXCH_ID,SEM_INSTRUMENT_NAME,SEM_LOT_UNITS,"
      "SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE\n"
      "BAJAJ-AUTO-Jan2026-FUT,1001,D,NSE,FUTSTK,75,BAJAJ-AUTO JAN FUT,2026-01-27,-0.01,XX,10\n");
  ASSERT_EQ(m.report.accepted, 1u) << m.report.summary();
  const Instrument fut = m.table.at(0);
  EXPECT_EQ(fut.key, (market::InstrumentKey{2, 1001}));
  EXPECT_EQ(fut.underlying, "BAJAJ-AUTO");
  EXPECT_EQ(fut.expiry, year{2026} / January / 27);
}

TEST(InstrumentsCsv, QuotedFieldsCrlfAndBom) {
  const ParsedMaster m = parse_master_text(
      "\xEF\xBB\xBF" + std::string(kCompactHeader).substr(0, std::string(kCompactHeader).size() - 1) + "\r\n" +
      "NSE,E,1,EQUITY,0,\"M&M\",1,\"Mahindra, \"\"M&M\"\"\nLtd\",,,,5,NA,ES,EQ,MAHINDRA\r\n"
      "NSE,E,2,EQUITY,0,TCS,1,Tata Consultancy,,,,5,NA,ES,EQ,\r\n");
  ASSERT_EQ(m.report.accepted, 2u) << m.report.summary();
  const Instrument mm = by_id(m.table, Segment::kNseEq, 1);
  EXPECT_EQ(mm.trading_symbol, "M&M");
  EXPECT_EQ(mm.display_name, "Mahindra, \"M&M\"\nLtd");
  EXPECT_EQ(by_id(m.table, Segment::kNseEq, 2).display_name, "Tata Consultancy");
}

TEST(InstrumentsCsv, MissingTrailingFieldsAreEmpty) {
  const ParsedMaster m = parse_master_text(std::string(kCompactHeader) + "NSE,E,7,EQUITY,0,ABC,1,Abc Ltd,,,,5\n");
  ASSERT_EQ(m.report.accepted, 1u) << m.report.summary();
  EXPECT_DOUBLE_EQ(m.table.at(0).tick_size, 0.05);
}

TEST(InstrumentsCsv, BadRowsAreCountedPerReasonAndSkipped) {
  const ParsedMaster m = parse_master_text(
      std::string(kCompactHeader) +
      "NSE,D,x1,FUTSTK,0,ABC-Jan2026-FUT,50,ABC JAN FUT,27-01-2026 14:30,-0.01,XX,5,M,FUT,,\n"
      "NSE,D,2,FUTSTK,0,ABC-Jan2026-FUT,50,ABC JAN FUT,31-02-2026 14:30,-0.01,XX,5,M,FUT,,\n"
      "NSE,D,3,FUTSTK,0,ABC-Jan2026-FUT,12.5,ABC JAN FUT,27-01-2026 14:30,-0.01,XX,5,M,FUT,,\n"
      "NSE,D,4,OPTSTK,0,ABC-Jan2026-100-CE,50,ABC 100 CE,27-01-2026 14:30,100,XX,5,M,OP,,\n"
      "XYZ,D,5,FUTSTK,0,ABC-Jan2026-FUT,50,ABC JAN FUT,27-01-2026 14:30,-0.01,XX,5,M,FUT,,\n"
      "NSE,D,6,FUTSTK,0,ABC-Jan2026-FUT,50,ABC JAN FUT,27-01-2026 14:30,-0.01,XX,5,M,FUT,,,,extra\n"
      "NSE,D,7,FUTSTK,0,ABC-Jan2026-FUT,50,ABC JAN FUT,27-01-2026 14:30,-0.01,XX,5,M,FUT,,\n"
      "NSE,D,8,OPTSTK,0,ABC-Jan2026-0-CE,50,ABC 0 CE,27-01-2026 14:30,0,CE,5,M,OP,,\n"
      "NSE,D,9,FUTSTK,0,ABC-Jan2026-FUT,50,ABC JAN FUT,,-0.01,XX,5,M,FUT,,\n"
      "NSE,D,10,FUTSTK,0,ABC-Jan2026-FUT,50,ABC JAN FUT,27-01-2026 14:30,-0.01,XX,five,M,FUT,,\n"
      "NSE,D,11,FUTSTK,0,ABC-Jan2026-FUT,50," +
      std::string(300, 'N') + ",27-01-2026 14:30,-0.01,XX,5,M,FUT,,\n");
  EXPECT_EQ(m.report.rows, 11u);
  EXPECT_EQ(m.report.accepted, 1u);
  const std::map<std::string, std::size_t> expected{
      {"bad_security_id", 1}, {"bad_expiry", 2},     {"bad_lot_size", 1},    {"bad_option_type", 1},
      {"unknown_segment", 1}, {"too_many_fields", 1}, {"bad_strike", 1},      {"bad_tick_size", 1},
      {"field_too_long", 1}};
  EXPECT_EQ(m.report.rejected, expected);
  EXPECT_TRUE(m.table.find({2, 7}).has_value());
}

TEST(InstrumentsCsv, TestContractsExcluded) {
  const ParsedMaster m = parse_master_text(
      std::string(kCompactHeader) +
      "NSE,D,36687,FUTSTK,0,011NSETEST-Nov2036-FUT,50,011NSETEST 27 NOV FUT,27-11-2036 14:30,-0.01,XX,5,W,FUT,,\n"
      "NSE,E,12841,EQUITY,0,11NSETEST,1,11NSETEST,,,,5,NA,Other,EQ,11NSETEST\n");
  EXPECT_EQ(m.report.test_contracts, 2u);
  EXPECT_EQ(m.table.size(), 0u);
  EXPECT_EQ(m.report.rejected_total(), 0u);
}

TEST(InstrumentsCsv, MissingRequiredColumnNamesIt) {
  try {
    parse_master_text("SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID\nNSE,E,1\n");
    FAIL() << "expected MasterFormatError";
  } catch (const MasterFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("SEM_INSTRUMENT_NAME"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_master_text(""), MasterFormatError);
}

TEST(InstrumentsCsv, UnreadableFileThrows) {
  EXPECT_THROW(parse_master_file(data_file("no-such-file.csv")), std::system_error);
}

TEST(InstrumentsCsv, RecordsLongerThanTheChunkAreSkipped) {
  // An unterminated quote swallows the rest of the line; a > 1 MiB record is dropped, parsing resumes.
  std::string text = std::string(kCompactHeader) + "NSE,E,1,EQUITY,0,\"" + std::string((1u << 20) + 10, 'a') +
                     "\nNSE,E,2,EQUITY,0,OK,1,Ok Ltd,,,,5,NA,ES,EQ,\n";
  const ParsedMaster m = parse_master_text(text);
  EXPECT_EQ(m.report.rejected.at("record_too_long"), 1u);
  EXPECT_TRUE(m.table.find({1, 2}).has_value());
}

TEST(Instruments, UnderlyingStripsTrailingExpiryPart) {
  EXPECT_EQ(underlying_from_symbol("BAJAJ-AUTO-Jan2026-FUT"), "BAJAJ-AUTO");
  EXPECT_EQ(underlying_from_symbol("NIFTY-Oct2024-25800-CE"), "NIFTY");
  EXPECT_EQ(underlying_from_symbol("M&M-Feb2026-3200-PE"), "M&M");
  EXPECT_EQ(underlying_from_symbol("RELIANCE"), "RELIANCE");
  EXPECT_EQ(underlying_from_symbol("NAM-INDIA-Jan2026-FUT"), "NAM-INDIA");
}

}  // namespace
}  // namespace fno::dhan
