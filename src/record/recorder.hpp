// recorder.hpp
//
// Records every binary feed frame (record.enabled): the network thread hands
// each frame to `on_frame`, which stamps the receive time and copies it into
// a bounded SPSC ring; the recorder's own writer thread drains the ring into
// a RecordingWriter (compression and disk I/O never run on the network
// thread). A full ring drops the frame and counts it, so a slow disk can
// never stall the feed. Pending blocks are written at least every
// `flush_interval` and on stop().
//
// Thread-safety: on_frame from exactly one producer thread (the network
// thread); status() from any thread; start/stop from the owner.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "record/record_options.hpp"
#include "record/recording_writer.hpp"
#include "util/spsc_ring.hpp"

namespace fno::record {

struct RecorderStatus {
  std::uint64_t frames = 0;  // handed to on_frame
  std::uint64_t drops = 0;   // ring full
  WriterStats writer;
  std::string file;
};

class Recorder {
 public:
  // `metadata` is JSON text stored in each file header (mode, version...).
  Recorder(RecordOptions options, std::string metadata);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void start();
  // Writes everything queued, closes the file, joins the thread.
  void stop();

  // Producer thread. Never blocks; false when the frame was dropped.
  bool on_frame(std::uint32_t connection, std::span<const std::uint8_t> bytes);
  // The same with an explicit receive time (replayed input, tests, benchmarks).
  bool on_frame(std::int64_t receive_ns, std::uint32_t connection, std::span<const std::uint8_t> bytes);

  // Producer thread. Records a lost feed connection (format.hpp kGapConnection).
  bool on_gap() { return on_frame(kGapConnection, {}); }

  RecorderStatus status() const;

 private:
  // Frames up to kInline bytes (one Full packet is 162) travel without
  // allocating; longer ones (concatenated packets) carry a vector.
  static constexpr std::size_t kInline = 184;
  struct Slot {
    std::int64_t receive_ns = 0;
    std::uint32_t connection = 0;
    std::uint32_t size = 0;
    std::array<std::uint8_t, kInline> inline_bytes{};
    std::vector<std::uint8_t> large;
  };

  void run();
  std::size_t drain(RecordingWriter& writer);
  void publish(const RecordingWriter& writer);

  RecordOptions options_;
  std::string metadata_;
  util::SpscRing<Slot> ring_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::atomic<std::uint64_t> frames_{0};
  std::atomic<std::uint64_t> drops_{0};
  mutable std::mutex status_mutex_;
  WriterStats writer_stats_;  // copy published by the writer thread
  std::string file_;
};

}  // namespace fno::record
