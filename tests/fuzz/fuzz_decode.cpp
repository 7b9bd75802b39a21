// libFuzzer target for dhan::decode_frame: arbitrary bytes must never crash,
// over-read (ASan) or hit UB (UBSan), and whatever decodes must re-encode to
// bytes that decode to the same bytes again (byte comparison: NaN-safe).
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "dhan/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fno::dhan;
  std::vector<Packet> packets;
  DecodeCounters counters;
  const FrameResult result = decode_frame(std::span<const std::uint8_t>(data, size), packets, counters);
  if (result.packets != packets.size() || result.error_offset > size) std::abort();

  std::vector<std::uint8_t> first;
  for (const Packet& p : packets) encode(p, first);
  std::vector<Packet> again;
  DecodeCounters again_counters;
  const FrameResult second = decode_frame(first, again, again_counters);
  if (second.first_error || again.size() != packets.size()) std::abort();
  std::vector<std::uint8_t> reencoded;
  for (const Packet& p : again) encode(p, reencoded);
  if (reencoded != first) std::abort();
  return 0;
}
