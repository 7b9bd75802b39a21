#include "scan/signal_gate.hpp"

#include <gtest/gtest.h>

namespace fno::scan {
namespace {

Signal at(market::IstSeconds candle, SignalKind kind = SignalKind::kBullish) {
  Signal s;
  s.instrument = {2, 1};
  s.strategy = "ema_cross";
  s.kind = kind;
  s.candle_time = candle;
  s.time = candle + 60;
  return s;
}

TEST(SignalGate, OnePerCandleAndKind) {
  SignalGate gate;
  EXPECT_TRUE(gate.admit(at(600), 0));
  EXPECT_FALSE(gate.admit(at(600), 0));
  EXPECT_TRUE(gate.admit(at(600, SignalKind::kBearish), 0));
  EXPECT_TRUE(gate.admit(at(660), 0));
}

TEST(SignalGate, CooldownPerInstrumentStrategyKind) {
  SignalGate gate;
  EXPECT_TRUE(gate.admit(at(600), 300));
  EXPECT_FALSE(gate.admit(at(840), 300));  // fired 240 s later
  EXPECT_TRUE(gate.admit(at(900), 300));   // 300 s later
  Signal other = at(960);
  other.strategy = "breakout";
  EXPECT_TRUE(gate.admit(other, 300));
}

TEST(SignalGate, ExportImportRoundTrip) {
  SignalGate gate;
  gate.admit(at(600), 300);
  SignalGate restored;
  restored.import_state(gate.export_state());
  EXPECT_FALSE(restored.admit(at(600), 300));
  EXPECT_FALSE(restored.admit(at(660), 300));
  EXPECT_TRUE(restored.admit(at(900), 300));
}

}  // namespace
}  // namespace fno::scan
