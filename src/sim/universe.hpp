// universe.hpp
//
// The simulator's instrument universe: the few columns of Dhan's compact
// instrument master it needs to quote an instrument (key, symbol, kind, tick
// size, lot). The default is ~190 real NSE near-month futures embedded in the
// binary at build time (src/sim/default_universe.csv), so the simulator never
// reads files at run time. This is a deliberately minimal reader for that
// embedded file, not the production master parser (dhan/instruments_csv).
// Pure value code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "market/instrument_key.hpp"

namespace fno::sim {

struct SimInstrument {
  market::InstrumentKey key;
  std::string symbol;      // SEM_TRADING_SYMBOL, e.g. NIFTY-Jan2026-FUT
  std::string instrument;  // FUTSTK, FUTIDX, ...
  double tick_size = 0.05;  // rupees (the master stores paise)
  int lot_size = 1;
};

// The embedded compact-format CSV (header + rows), served as the master.
std::string_view default_universe_csv();

// Parses compact-format rows (columns found by header name; rows missing a
// needed column or with an unknown segment are skipped). Throws
// std::invalid_argument when the header lacks a required column.
std::vector<SimInstrument> parse_universe_csv(std::string_view csv);

// The embedded universe.
const std::vector<SimInstrument>& default_universe();

// Renders instruments back as compact master CSV (what /master serves when
// the universe is not the default one).
std::string to_master_csv(const std::vector<SimInstrument>& instruments);

}  // namespace fno::sim
