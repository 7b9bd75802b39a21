#include "dhan/instrument_search.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dhan/instruments_csv.hpp"

namespace fno::dhan {
namespace {

std::shared_ptr<const InstrumentTable> table() {
  static const auto shared = std::make_shared<const InstrumentTable>(
      parse_master_text(
          "SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_TRADING_SYMBOL,SEM_LOT_UNITS,"
          "SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE\n"
          "NSE,D,1,OPTIDX,NIFTY-Feb2026-25800-CE,75,NIFTY 24 FEB 25800 CALL,24-02-2026,25800,CE,5\n"
          "NSE,D,2,FUTIDX,NIFTY-Feb2026-FUT,75,NIFTY FEB FUT,24-02-2026,-0.01,XX,10\n"
          "NSE,D,3,FUTIDX,NIFTY-Jan2026-FUT,75,NIFTY JAN FUT,27-01-2026,-0.01,XX,10\n"
          "NSE,D,4,OPTIDX,NIFTY-Jan2026-25800-PE,75,NIFTY 27 JAN 25800 PUT,27-01-2026,25800,PE,5\n"
          "NSE,D,5,FUTIDX,NIFTYNXT50-Jan2026-FUT,25,NIFTYNXT50 JAN FUT,27-01-2026,-0.01,XX,10\n"
          "NSE,I,13,INDEX,NIFTY,1,Nifty 50,,,,5\n"
          "NSE,I,27,INDEX,NIFTY MIDCAP 150,1,NIFTY Midcap 150,,,,5\n"
          "NSE,D,6,FUTSTK,BAJAJ-AUTO-Jan2026-FUT,75,BAJAJ-AUTO JAN FUT,27-01-2026,-0.01,XX,50\n"
          "NSE,E,16669,EQUITY,BAJAJ-AUTO,1,Bajaj Auto,,,,5\n"
          "NSE,D,7,FUTSTK,M&M-Jan2026-FUT,200,M&M JAN FUT,27-01-2026,-0.01,XX,10\n")
          .table);
  return shared;
}

std::vector<std::string> symbols(const InstrumentSearch& index, std::string_view query, std::size_t limit = 20) {
  std::vector<std::string> out;
  for (const auto row : index.search(query, limit)) out.emplace_back(index.table().at(row).trading_symbol);
  return out;
}

TEST(InstrumentSearch, ExactUnderlyingFirstThenFuturesByExpiry) {
  const InstrumentSearch index(table());
  EXPECT_EQ(symbols(index, "nifty"),
            (std::vector<std::string>{"NIFTY-Jan2026-FUT", "NIFTY-Feb2026-FUT", "NIFTY", "NIFTY-Jan2026-25800-PE",
                                      "NIFTY-Feb2026-25800-CE", "NIFTY MIDCAP 150", "NIFTYNXT50-Jan2026-FUT"}));
}

TEST(InstrumentSearch, PrefixAndSubstring) {
  const InstrumentSearch index(table());
  EXPECT_EQ(symbols(index, "NXT"), (std::vector<std::string>{"NIFTYNXT50-Jan2026-FUT"}));
  EXPECT_EQ(symbols(index, "midc"), (std::vector<std::string>{"NIFTY MIDCAP 150"}));
  EXPECT_EQ(symbols(index, "M&M"), (std::vector<std::string>{"M&M-Jan2026-FUT"}));
}

TEST(InstrumentSearch, EveryWordMustMatch) {
  const InstrumentSearch index(table());
  EXPECT_EQ(symbols(index, "nifty 25800 ce"), (std::vector<std::string>{"NIFTY-Feb2026-25800-CE"}));
  EXPECT_EQ(symbols(index, "NIFTY-Jan2026"),
            (std::vector<std::string>{"NIFTY-Jan2026-FUT", "NIFTY-Jan2026-25800-PE", "NIFTYNXT50-Jan2026-FUT"}));
  EXPECT_TRUE(symbols(index, "nifty zzz").empty());
}

TEST(InstrumentSearch, DisplayNameAndDashedUnderlying) {
  const InstrumentSearch index(table());
  EXPECT_EQ(symbols(index, "bajaj-auto"), (std::vector<std::string>{"BAJAJ-AUTO-Jan2026-FUT", "BAJAJ-AUTO"}));
  EXPECT_EQ(symbols(index, "Bajaj Auto"), (std::vector<std::string>{"BAJAJ-AUTO-Jan2026-FUT", "BAJAJ-AUTO"}));
  EXPECT_EQ(symbols(index, "call"), (std::vector<std::string>{"NIFTY-Feb2026-25800-CE"}));
}

TEST(InstrumentSearch, LimitAndBlankQueries) {
  const InstrumentSearch index(table());
  EXPECT_EQ(symbols(index, "nifty", 2), (std::vector<std::string>{"NIFTY-Jan2026-FUT", "NIFTY-Feb2026-FUT"}));
  EXPECT_TRUE(symbols(index, "   ").empty());
  EXPECT_TRUE(symbols(index, "nifty", 0).empty());
  // State from one query never leaks into the next.
  EXPECT_EQ(symbols(index, "NXT"), (std::vector<std::string>{"NIFTYNXT50-Jan2026-FUT"}));
}

}  // namespace
}  // namespace fno::dhan
