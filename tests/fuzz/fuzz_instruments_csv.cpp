// libFuzzer target for the instrument master CSV parser: any bytes must
// either parse or throw MasterFormatError (no header, missing column), never
// crash, over-read or hit UB, and the report must account for every row
// exactly once (accepted + test contracts + rejected = rows) with every
// accepted instrument findable by its key.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dhan/instruments_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fno::dhan;
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  ParsedMaster parsed;
  try {
    parsed = parse_master_text(csv);
  } catch (const MasterFormatError&) {
    return 0;  // a malformed header is reported, never fatal to the caller's process
  }
  const MasterParseReport& report = parsed.report;
  if (report.accepted != parsed.table.size()) std::abort();
  if (report.accepted + report.test_contracts + report.rejected_total() != report.rows) std::abort();
  for (std::size_t i = 0; i < parsed.table.size(); ++i) {
    const Instrument instrument = parsed.table.at(i);
    if (parsed.table.find(instrument.key) != i) std::abort();
  }
  return 0;
}
