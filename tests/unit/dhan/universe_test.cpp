#include "dhan/universe.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "dhan/instruments_csv.hpp"

namespace fno::dhan {
namespace {

using namespace std::chrono;
using market::InstrumentKey;

constexpr std::uint8_t kFno = 2;

// A small NSE master: NIFTY index futures (3 months), BAJAJ-AUTO stock
// futures (2 months), NIFTY options for Jan and Feb, plus rows that the
// default universe must never pick (equity, MCX).
std::string synthetic_master() {
  std::string csv =
      "SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,SEM_TRADING_SYMBOL,"
      "SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE,"
      "SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME\n"
      "NSE,D,1,FUTIDX,0,NIFTY-Jan2026-FUT,75,NIFTY JAN FUT,27-01-2026 14:30,-0.01,XX,10,M,FUT,,\n"
      "NSE,D,2,FUTIDX,0,NIFTY-Feb2026-FUT,75,NIFTY FEB FUT,24-02-2026 14:30,-0.01,XX,10,M,FUT,,\n"
      "NSE,D,3,FUTIDX,0,NIFTY-Mar2026-FUT,75,NIFTY MAR FUT,30-03-2026 14:30,-0.01,XX,10,M,FUT,,\n"
      "NSE,D,11,FUTSTK,0,BAJAJ-AUTO-Jan2026-FUT,75,BAJAJ-AUTO JAN FUT,27-01-2026 14:30,-0.01,XX,50,M,FUT,,\n"
      "NSE,D,12,FUTSTK,0,BAJAJ-AUTO-Feb2026-FUT,75,BAJAJ-AUTO FEB FUT,24-02-2026 14:30,-0.01,XX,50,M,FUT,,\n"
      "NSE,D,21,FUTSTK,0,TINY-Jan2026-FUT,5,TINY JAN FUT,27-01-2026 14:30,-0.01,XX,5,M,FUT,,\n"
      "NSE,E,2885,EQUITY,0,RELIANCE,1,Reliance,,,,5,NA,ES,EQ,RELIANCE\n"
      "MCX,M,401,FUTCOM,0,GOLD-Feb2026-FUT,1,GOLD FEB FUT,05-02-2026 23:30,-0.01,XX,100,M,FUT,,\n";
  // NIFTY options: ids 1000 + strike/100 (CE), 2000 + strike/100 (PE) for Jan; 3000/4000 for Feb.
  for (int strike = 25500; strike <= 26000; strike += 100) {
    for (const auto& [base, cp, month, date] :
         {std::tuple{1000, "CE", "Jan", "27-01-2026"}, std::tuple{2000, "PE", "Jan", "27-01-2026"},
          std::tuple{3000, "CE", "Feb", "24-02-2026"}, std::tuple{4000, "PE", "Feb", "24-02-2026"}}) {
      csv += fmt::format("NSE,D,{},OPTIDX,0,NIFTY-{}2026-{}-{},75,NIFTY {} {},{} 14:30,{}.00000,{},5.0000,M,OP,,\n",
                         base + strike / 100 - 255, month, strike, cp, strike, cp, date, strike, cp);
    }
  }
  return csv;
}

std::shared_ptr<const InstrumentTable> table() {
  static const auto shared = std::make_shared<const InstrumentTable>(parse_master_text(synthetic_master()).table);
  return shared;
}

market::IstSeconds at(year_month_day date, int h, int m) { return market::ist_midnight(date) + h * 3600 + m * 60; }

UniverseConfig config_from(const char* json_text) {
  std::vector<std::string> warnings;
  return parse_universe_config(boost::json::parse(json_text).as_object(), warnings);
}

std::vector<InstrumentKey> fno(std::initializer_list<std::uint32_t> ids) {
  std::vector<InstrumentKey> keys;
  for (const auto id : ids) keys.push_back({kFno, id});
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(Universe, DefaultIsNearMonthFuturesBeforeExpiryClose) {
  UniverseSelector selector(table(), UniverseConfig{});
  EXPECT_EQ(selector.select(at(year{2026} / January / 27, 15, 29), {}), fno({1, 11, 21}));
}

TEST(Universe, RollsAfterExpiryDayClose) {
  UniverseSelector selector(table(), UniverseConfig{});
  EXPECT_EQ(selector.select(at(year{2026} / January / 27, 15, 30), {}), fno({2, 12}));  // TINY has no next month
  EXPECT_EQ(selector.select(at(year{2026} / January / 28, 9, 0), {}), fno({2, 12}));
  EXPECT_EQ(selector.select(at(year{2026} / February / 25, 9, 0), {}), fno({3}));
}

TEST(Universe, NextAndExplicitExpiries) {
  UniverseSelector next(table(), config_from(R"({"expiries": ["next"]})"));
  EXPECT_EQ(next.select(at(year{2026} / January / 20, 10, 0), {}), fno({2, 12}));
  UniverseSelector dated(table(), config_from(R"({"expiries": ["2026-03-30", "near"]})"));
  EXPECT_EQ(dated.select(at(year{2026} / January / 20, 10, 0), {}), fno({1, 3, 11, 21}));
}

TEST(Universe, UnderlyingTypeAndLotFilters) {
  UniverseSelector selector(
      table(), config_from(R"({"underlyings": ["BAJAJ-AUTO", "TINY"], "instrument_types": ["FUTSTK"],
                              "min_lot_size": 10})"));
  EXPECT_EQ(selector.select(at(year{2026} / January / 20, 10, 0), {}), fno({11}));
}

TEST(Universe, MinPriceDropsOnlyInstrumentsWithAKnownLowPrice) {
  UniverseConfig config;
  config.min_price = 100.0;
  UniverseSelector selector(table(), config);
  UniversePrices prices;
  prices.instrument[{kFno, 21}] = 42.0;
  prices.instrument[{kFno, 11}] = 9000.0;
  EXPECT_EQ(selector.select(at(year{2026} / January / 20, 10, 0), prices), fno({1, 11}));
}

TEST(Universe, AtmPlusMinusNStrikes) {
  UniverseSelector selector(table(), config_from(R"({"instrument_types": ["OPTIDX"], "atm_strikes": 1})"));
  const auto now = at(year{2026} / January / 20, 10, 0);
  EXPECT_TRUE(selector.select(now, {}).empty());  // no NIFTY price yet: no options
  UniversePrices prices;
  prices.underlying["NIFTY"] = 25740.0;  // ATM 25700 -> 25600, 25700, 25800 of the near expiry
  EXPECT_EQ(selector.select(now, prices), fno({1001, 1002, 1003, 2001, 2002, 2003}));
}

TEST(Universe, RecentresWhenPriceMovesAStrike) {
  UniverseSelector selector(table(), config_from(R"({"instrument_types": ["OPTIDX"], "atm_strikes": 1})"));
  UniversePrices prices;
  prices.underlying["NIFTY"] = 25740.0;
  selector.select(at(year{2026} / January / 20, 10, 0), prices);
  EXPECT_TRUE(selector.on_underlying_price("NIFTY", 25790.0).empty());  // 90 < one 100-point strike
  const UniverseDelta delta = selector.on_underlying_price("NIFTY", 25810.0);
  EXPECT_EQ(delta.added, fno({1004, 2004}));    // 25900 CE/PE
  EXPECT_EQ(delta.removed, fno({1001, 2001}));  // 25600 CE/PE
  EXPECT_EQ(selector.selected().size(), 6u);
  EXPECT_TRUE(selector.on_underlying_price("BANKNIFTY", 50000.0).empty());
}

TEST(Universe, FirstPriceAddsTheChain) {
  UniverseSelector selector(table(), config_from(R"({"instrument_types": ["OPTIDX"], "atm_strikes": 0})"));
  selector.select(at(year{2026} / January / 20, 10, 0), {});
  const UniverseDelta delta = selector.on_underlying_price("NIFTY", 26400.0);  // beyond the chain: top strike
  EXPECT_EQ(delta.added, fno({1005, 2005}));
  EXPECT_TRUE(delta.removed.empty());
}

TEST(Universe, ExplicitIdsAndWatchlistAreAdded) {
  UniverseSelector selector(table(), config_from(R"({"security_ids": [3, "NSE_EQ:2885", 999]})"));
  const auto keys = selector.select(at(year{2026} / January / 20, 10, 0), {}, {{kFno, 1003}, {kFno, 5}});
  std::vector<InstrumentKey> expected = fno({1, 3, 11, 21, 1003});
  expected.push_back({1, 2885});
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(selector.unknown_keys(), (std::vector<InstrumentKey>{{kFno, 999}, {kFno, 5}}));
}

TEST(Universe, RefusesMoreThanTheSubscriptionLimit) {
  std::string csv = synthetic_master();
  for (std::uint32_t i = 0; i < 25'100; ++i) {
    csv += fmt::format("NSE,D,{},OPTSTK,0,BIG-Jan2026-{}-CE,10,BIG {} CE,27-01-2026 14:30,{},CE,5,M,OP,,\n",
                       100'000 + i, 1000 + i, 1000 + i, 1000 + i);
  }
  auto big = std::make_shared<const InstrumentTable>(parse_master_text(csv).table);
  UniverseSelector selector(big, config_from(R"({"instrument_types": ["FUTSTK", "OPTSTK"]})"));
  try {
    selector.select(at(year{2026} / January / 20, 10, 0), {});
    FAIL() << "expected UniverseLimitError";
  } catch (const UniverseLimitError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("25102 instruments"), std::string::npos) << message;
    EXPECT_NE(message.find("OPTSTK 25100"), std::string::npos) << message;
    EXPECT_NE(message.find("FUTSTK 2"), std::string::npos) << message;
  }
  EXPECT_TRUE(selector.selected().empty());
}

TEST(UniverseConfigTest, ErrorsNameTheKey) {
  const auto message = [](const char* text) {
    try {
      config_from(text);
    } catch (const UniverseConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(R"({"atm_strikes": -1})"), "universe.atm_strikes must be an integer in [0, 50], got -1");
  EXPECT_EQ(message(R"({"atm_strikes": 51})"), "universe.atm_strikes must be an integer in [0, 50], got 51");
  EXPECT_NE(message(R"({"instrument_types": ["FUTXYZ"]})").find("universe.instrument_types"), std::string::npos);
  EXPECT_NE(message(R"({"expiries": ["soon"]})").find("universe.expiries"), std::string::npos);
  EXPECT_NE(message(R"({"underlyings": "NIFTY"})").find("universe.underlyings"), std::string::npos);
  EXPECT_NE(message(R"({"security_ids": ["NOPE:1"]})").find("universe.security_ids"), std::string::npos);
  EXPECT_NE(message(R"({"segment": "NSE_XYZ"})").find("universe.segment"), std::string::npos);
  EXPECT_NE(message(R"({"min_price": -5})").find("universe.min_price"), std::string::npos);
}

TEST(UniverseConfigTest, UnknownKeysWarnAndDefaultsHold) {
  std::vector<std::string> warnings;
  const UniverseConfig c = parse_universe_config(boost::json::parse(R"({"atm_strike": 3})").as_object(), warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("universe.atm_strike"), std::string::npos);
  EXPECT_EQ(c.types, (std::set<InstrumentType>{InstrumentType::kFutIdx, InstrumentType::kFutStk}));
  EXPECT_FALSE(c.atm_strikes.has_value());
  EXPECT_EQ(c.segment, kFno);
}

}  // namespace
}  // namespace fno::dhan
