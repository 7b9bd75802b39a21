// sim_recording.hpp
//
// Test support: runs the in-process simulator with a scenario and the real
// feed client, the recorder tapping its frames exactly as the binary does
// with record.enabled, for `session` of wall time; returns the recording
// and the scenario's ground truth (the alerts its scripted steps must raise).
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/universe.hpp"

namespace fno::test {

struct SimRecording {
  std::filesystem::path file;
  std::vector<sim::ExpectedAlert> expected;
  std::uint64_t drops = 0;    // frames the recorder could not queue
  bool feed_stopped = false;  // the feed client stopped cleanly within 3 s
};

// The first `n` instruments of the simulator's embedded universe.
std::vector<sim::SimInstrument> first_instruments(std::size_t n);

SimRecording record_sim_session(const std::filesystem::path& dir, const std::vector<sim::SimInstrument>& universe,
                                const sim::Scenario& scenario, double speed, std::chrono::milliseconds session,
                                std::uint64_t seed, const sim::GroundTruthRules& rules = {});

}  // namespace fno::test
