#include "synthetic_master.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace fno::bench {
namespace {

constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<const char*, 12> kMonthsUpper{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 5> kIndices{"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50"};
constexpr const char* kHeader =
    "SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,SEM_TRADING_SYMBOL,"
    "SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE,"
    "SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME\n";

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Stock names like the real ones: letters, some with '-' or '&'.
std::string stock_name(std::size_t i) {
  std::string name;
  for (std::size_t n = i + 26; n > 0; n /= 26) name.insert(name.begin(), static_cast<char>('A' + n % 26));
  if (i % 17 == 0) name += "-AUTO";
  if (i % 23 == 0) name.insert(1, "&");
  return name + "LTD";
}

std::string row(std::size_t i) {
  const std::size_t kind = i % 100;
  const int month = static_cast<int>(i / 7 % 3);  // three live expiries
  const int day = 24 + month;
  const std::string expiry = fmt::format("2026-{:02}-{} 14:30:00", month + 1, day);
  const auto id = 30000 + i;
  if (kind < 2) {  // futures
    const bool index = kind == 0;
    const std::string u = index ? kIndices[i % kIndices.size()] : stock_name(i % 210);
    return fmt::format("NSE,D,{},{},0,{}-{}2026-FUT,{}.0,{} {} FUT,{},-0.01000,XX,{}.0000,M,FUT,,\n", id,
                       index ? "FUTIDX" : "FUTSTK", u, kMonths[month], 25 + i % 900, u, kMonthsUpper[month], expiry,
                       index ? 10 : 5);
  }
  if (kind < 12) {  // equities
    const std::string u = stock_name(i);
    return fmt::format("{},E,{},EQUITY,0,{},1.0,{} Limited,,,,{}.0000,NA,ES,EQ,{} LIMITED\n", i % 2 ? "BSE" : "NSE",
                       id, u, u, i % 3 ? 5 : 1, u);
  }
  if (kind < 13) {  // indices
    return fmt::format("NSE,I,{},INDEX,0,IDX{},1.0,Index {},,7.00000,,1.0000,NA,INDEX,X,IDX{}\n", id, i, i, i);
  }
  const bool index = kind < 40;  // options: index and stock
  const std::string u = index ? kIndices[i % kIndices.size()] : stock_name(i % 210);
  const int strike = (index ? 20000 : 500) + static_cast<int>(i / 13 % 400) * (index ? 50 : 10);
  const char* cp = i % 2 ? "CE" : "PE";
  return fmt::format("NSE,D,{},{},0,{}-{}2026-{}-{},{}.0,{} {} {} {} {},{},{}.00000,{},5.0000,{},OP,,\n", id,
                     index ? "OPTIDX" : "OPTSTK", u, kMonths[month], strike, cp, 25 + i % 900, u, day,
                     kMonthsUpper[month], strike, i % 2 ? "CALL" : "PUT", expiry, strike, cp, index ? "W" : "M");
}

}  // namespace

void write_synthetic_master(const std::filesystem::path& path, std::size_t rows) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) throw std::runtime_error("cannot write " + path.string());
  std::fputs(kHeader, file.get());
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string line = row(i);
    std::fwrite(line.data(), 1, line.size(), file.get());
  }
  if (std::fflush(file.get()) != 0) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace fno::bench
