#include "support/sim_recording.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>

#include "dhan/feed_client.hpp"
#include "record/recorder.hpp"
#include "sim/simulator.hpp"

namespace fno::test {

namespace {

class DiscardSink final : public dhan::PacketSink {
 public:
  bool push(const dhan::Packet&) override { return true; }
};

}  // namespace

std::vector<sim::SimInstrument> first_instruments(std::size_t n) {
  const auto& all = sim::default_universe();
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(n, all.size()))};
}

SimRecording record_sim_session(const std::filesystem::path& dir, const std::vector<sim::SimInstrument>& universe,
                                const sim::Scenario& scenario, double speed, std::chrono::milliseconds session,
                                std::uint64_t seed, const sim::GroundTruthRules& rules) {
  boost::asio::io_context io;
  sim::SimulatorOptions so;
  so.instruments = universe;
  so.speed = speed;
  so.seed = seed;
  so.always_open = true;
  so.scenario = scenario;
  so.rules = rules;
  sim::Simulator simulator(io, so);
  record::RecordOptions ro;
  ro.writer.dir = dir;
  record::Recorder recorder(ro, R"({"mode":"demo","always_open":true})");
  recorder.start();
  DiscardSink sink;
  dhan::FeedOptions fo;
  fo.url = simulator.feed_url();
  fo.client_id = "1000000001";            // obviously fake
  fo.access_token = "fake-replay-token";  // obviously fake
  fo.on_frame = [&recorder](int connection, std::span<const std::uint8_t> frame) {
    recorder.on_frame(static_cast<std::uint32_t>(connection), frame);
  };
  fo.on_connection_lost = [&recorder] { recorder.on_gap(); };
  dhan::FeedClient feed(io, fo, sink);
  std::vector<market::InstrumentKey> keys;
  for (const auto& i : universe) keys.push_back(i.key);
  feed.start(keys);
  io.run_for(session);
  bool stopped = false;
  feed.stop([&] { stopped = true; });
  io.run_for(std::chrono::seconds(3));
  recorder.stop();
  return SimRecording{recorder.status().file, simulator.expected_alerts(), recorder.status().drops, stopped};
}

}  // namespace fno::test
