#include "sim/send_log.hpp"

#include <fmt/format.h>

namespace fno::sim {

void SendLog::watch(market::InstrumentKey key, market::IstSeconds ltt_ist, double until) {
  watched_[key] = Watch{market::minute_start(ltt_ist), until};
}

std::optional<SendLog::Send> SendLog::on_step(market::InstrumentKey key, market::IstSeconds ltt_ist,
                                              std::int64_t wall_us) {
  const auto it = watched_.find(key);
  if (it == watched_.end()) return std::nullopt;
  const market::IstSeconds minute = market::minute_start(ltt_ist);
  if (minute <= it->second.minute) return std::nullopt;
  it->second.minute = minute;
  return Send{key, minute, wall_us};
}

void SendLog::on_written(const Send& send, std::int64_t wall_us) {
  out_ << fmt::format(R"({{"segment":{},"security_id":{},"minute_ms":{},"stepped_us":{},"sent_us":{}}})",
                      send.key.segment, send.key.security_id, market::utc_from_ist(send.minute) * 1000,
                      send.stepped_us, wall_us)
       << '\n';
  out_.flush();  // the reader tails the file while the run goes on
}

void SendLog::expire(double elapsed) {
  std::erase_if(watched_, [elapsed](const auto& entry) { return entry.second.until < elapsed; });
}

}  // namespace fno::sim
