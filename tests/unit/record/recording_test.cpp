#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>

#include "market/calendar.hpp"
#include "record/recorder.hpp"
#include "record/recording_reader.hpp"
#include "record/recording_writer.hpp"
#include "support/child_process.hpp"

namespace fno::record {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;
// 2026-11-25 10:00:00 IST as UTC ns.
const std::int64_t kMorning =
    market::utc_from_ist(market::ist_midnight(std::chrono::year_month_day{std::chrono::year{2026} / 11 / 25}) + 36000) * kNs;

RecordedFrame make_frame(std::int64_t ns, std::uint32_t conn, std::size_t size, std::uint8_t seed) {
  RecordedFrame f{ns, conn, std::vector<std::uint8_t>(size)};
  for (std::size_t i = 0; i < size; ++i) f.bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
  return f;
}

std::vector<RecordedFrame> sample_frames(std::size_t n) {
  std::vector<RecordedFrame> frames;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t size = i % 50 == 0 ? 1000 + i : 16 + i % 150;  // some beyond the inline slot
    frames.push_back(make_frame(kMorning + static_cast<std::int64_t>(i) * 1000, 1 + i % 3, size, static_cast<std::uint8_t>(i)));
  }
  return frames;
}

FrameView view(const RecordedFrame& f) { return FrameView{f.receive_ns, f.connection, f.bytes}; }

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

WriterOptions small_blocks(const std::filesystem::path& dir) {
  WriterOptions o;
  o.dir = dir;
  o.block_bytes = 4096;
  o.metadata = R"({"mode":"test"})";
  return o;
}

TEST(RecordingWriter, FramesRoundTripAcrossBlocks) {
  test::TempDir dir("record_roundtrip");
  const auto frames = sample_frames(2000);
  {
    RecordingWriter writer(small_blocks(dir.path()));
    for (const auto& f : frames) ASSERT_EQ(writer.append(view(f)), AppendResult::kBuffered);
    ASSERT_TRUE(writer.flush());
    EXPECT_GT(writer.stats().blocks, 10U);
    EXPECT_EQ(writer.stats().frames, frames.size());
  }
  const auto files = files_in(dir.path());
  ASSERT_EQ(files.size(), 1U);
  EXPECT_EQ(files[0].filename().string(), "feed-20261125-100000.fnorec");
  RecordingReader reader(files[0]);
  EXPECT_EQ(reader.metadata(), R"({"mode":"test"})");
  std::vector<RecordedFrame> back;
  while (auto f = reader.next()) back.push_back(std::move(*f));
  EXPECT_EQ(reader.error(), "");
  EXPECT_EQ(back, frames);
}

TEST(RecordingWriter, CompressesFeedLikeFrames) {
  test::TempDir dir("record_compress");
  RecordingWriter writer(small_blocks(dir.path()));
  std::vector<std::uint8_t> quote(50, 0);
  for (int i = 0; i < 10000; ++i) {
    quote[8] = static_cast<std::uint8_t>(i);  // a changing price byte
    writer.append(FrameView{kMorning + i * 1000, 1, quote});
  }
  writer.flush();
  EXPECT_LT(writer.stats().file_bytes * 3, writer.stats().raw_bytes);
}

TEST(RecordingWriter, RotatesAtIstMidnight) {
  test::TempDir dir("record_rotate");
  const std::int64_t midnight = kMorning + 14 * 3600 * kNs;  // 10:00 + 14 h = 00:00 IST next day
  const auto before = make_frame(midnight - kNs, 1, 40, 1);
  const auto after = make_frame(midnight + kNs, 1, 40, 2);
  {
    RecordingWriter writer(small_blocks(dir.path()));
    writer.append(view(before));
    writer.append(view(after));
  }
  const auto files = files_in(dir.path());
  ASSERT_EQ(files.size(), 2U);
  EXPECT_EQ(files[0].filename().string(), "feed-20261125-235959.fnorec");
  EXPECT_EQ(files[1].filename().string(), "feed-20261126-000001.fnorec");
  EXPECT_EQ(read_all(files[0]).frames, std::vector<RecordedFrame>{before});
  EXPECT_EQ(read_all(files[1]).frames, std::vector<RecordedFrame>{after});
}

TEST(RecordingWriter, NeverOverwritesAnEarlierSession) {
  test::TempDir dir("record_sessions");
  const auto frame = make_frame(kMorning, 1, 40, 1);
  for (int session = 0; session < 2; ++session) {
    RecordingWriter writer(small_blocks(dir.path()));
    writer.append(view(frame));
  }
  const auto files = files_in(dir.path());
  ASSERT_EQ(files.size(), 2U);
  EXPECT_EQ(files[1].filename().string(), "feed-20261125-100000.fnorec");
  EXPECT_EQ(files[0].filename().string(), "feed-20261125-100000-1.fnorec");
}

TEST(RecordingWriter, StopsAtTheSizeCapUntilTheNextDay) {
  test::TempDir dir("record_cap");
  WriterOptions options = small_blocks(dir.path());
  options.max_bytes = 20000;
  RecordingWriter writer(options);
  const auto frames = sample_frames(3000);
  for (const auto& f : frames) writer.append(view(f));
  writer.flush();
  EXPECT_GT(writer.stats().capped_frames, 0U);
  EXPECT_EQ(writer.stats().frames + writer.stats().capped_frames, frames.size());
  const auto size = std::filesystem::file_size(writer.current_file());
  EXPECT_GE(size, options.max_bytes);
  EXPECT_LT(size, options.max_bytes + options.block_bytes + 1024);  // at most one block over
  EXPECT_EQ(read_all(writer.current_file()).frames.size(), writer.stats().frames);
  // A new IST day opens a new file.
  EXPECT_EQ(writer.append(view(make_frame(kMorning + 86400 * kNs, 1, 40, 3))), AppendResult::kBuffered);
}

TEST(RecordingWriter, ReportsAnUnwritableDirectory) {
  test::TempDir dir("record_unwritable");
  std::ofstream(dir.path() / "file") << "x";
  WriterOptions options = small_blocks(dir.path() / "file" / "sub");
  RecordingWriter writer(options);
  EXPECT_EQ(writer.append(view(make_frame(kMorning, 1, 40, 1))), AppendResult::kFailed);
  EXPECT_EQ(writer.stats().failed_frames, 1U);
  EXPECT_NE(writer.stats().last_error.find("cannot create"), std::string::npos);
}

class DamagedRecording : public ::testing::Test {
 protected:
  void SetUp() override {
    RecordingWriter writer(small_blocks(dir_.path()));
    for (const auto& f : frames_) writer.append(view(f));
    writer.flush();
    path_ = writer.current_file();
    blocks_ = writer.stats().blocks;
  }
  test::TempDir dir_{"record_damage"};
  std::vector<RecordedFrame> frames_ = sample_frames(1500);
  std::filesystem::path path_;
  std::uint64_t blocks_ = 0;
};

TEST_F(DamagedRecording, TruncationKeepsEveryCompleteBlock) {
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) - 10);
  const ReadAll all = read_all(path_);
  EXPECT_NE(all.error.find("truncated block"), std::string::npos) << all.error;
  ASSERT_GT(all.frames.size(), frames_.size() / 2);
  ASSERT_LT(all.frames.size(), frames_.size());
  EXPECT_TRUE(std::equal(all.frames.begin(), all.frames.end(), frames_.begin()));
}

TEST_F(DamagedRecording, FlippedByteIsCaughtByTheChecksum) {
  const auto size = std::filesystem::file_size(path_);
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size * 2 / 3));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size * 2 / 3));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  const ReadAll all = read_all(path_);
  EXPECT_FALSE(all.error.empty());
  EXPECT_NE(all.error.find("at byte"), std::string::npos) << all.error;
  ASSERT_GT(all.frames.size(), 0U);
  ASSERT_LT(all.frames.size(), frames_.size());
  EXPECT_TRUE(std::equal(all.frames.begin(), all.frames.end(), frames_.begin()));
}

TEST(RecordingReader, RejectsAFileThatIsNotARecording) {
  test::TempDir dir("record_magic");
  const auto path = dir.path() / "alerts.db";
  std::ofstream(path) << "SQLite format 3\0 and more bytes";
  EXPECT_THROW(RecordingReader{path}, RecordingError);
  EXPECT_THROW(RecordingReader{dir.path() / "missing.fnorec"}, RecordingError);
}

TEST(RecordingReader, RejectsAnUnknownVersion) {
  test::TempDir dir("record_version");
  std::vector<std::uint8_t> bytes;
  encode_file_header("{}", bytes);
  bytes[8] = 99;
  const auto path = dir.path() / "future.fnorec";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  try {
    RecordingReader reader(path);
    FAIL() << "version 99 accepted";
  } catch (const RecordingError& e) {
    EXPECT_NE(std::string(e.what()).find("version 99"), std::string::npos);
  }
}

TEST(Recorder, WritesEveryQueuedFrameOnStop) {
  test::TempDir dir("recorder_stop");
  RecordOptions options;
  options.writer = small_blocks(dir.path());
  Recorder recorder(options, R"({"mode":"demo"})");
  recorder.start();
  const auto frames = sample_frames(5000);
  for (const auto& f : frames) {
    while (!recorder.on_frame(f.receive_ns, f.connection, f.bytes)) std::this_thread::yield();  // test-only retry
  }
  recorder.stop();
  const RecorderStatus status = recorder.status();
  EXPECT_EQ(status.writer.frames, status.frames - status.drops);
  const ReadAll all = read_all(status.file);
  EXPECT_EQ(all.error, "");
  EXPECT_EQ(all.frames, frames);
}

TEST(Recorder, CountsDropsWhenTheQueueIsFull) {
  test::TempDir dir("recorder_drops");
  RecordOptions options;
  options.writer = small_blocks(dir.path());
  options.queue_capacity = 1024;
  Recorder recorder(options, "{}");  // not started: nothing drains the ring
  const auto frames = sample_frames(1030);
  std::size_t accepted = 0;
  for (const auto& f : frames) accepted += recorder.on_frame(f.receive_ns, f.connection, f.bytes) ? 1 : 0;
  EXPECT_EQ(accepted, 1024U);
  EXPECT_EQ(recorder.status().drops, 6U);
  recorder.start();
  recorder.stop();
  EXPECT_EQ(read_all(recorder.status().file).frames.size(), 1024U);
}

TEST(RecordOptions, ParsesAndValidatesTheSection) {
  std::vector<std::string> warnings;
  const auto o = parse_record_options(
      boost::json::parse(R"({"enabled":true,"dir":"rec","max_bytes":1048576,"flush_interval_ms":250,"colour":1})")
          .as_object(),
      warnings);
  EXPECT_TRUE(o.enabled);
  EXPECT_EQ(o.writer.dir, "rec");
  EXPECT_EQ(o.writer.max_bytes, 1048576U);
  EXPECT_EQ(o.flush_interval, std::chrono::milliseconds(250));
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("record.colour"), std::string::npos);
  EXPECT_FALSE(parse_record_options({}, warnings).enabled);
  for (const char* bad : {R"({"enabled":"yes"})", R"({"dir":""})", R"({"max_bytes":10})", R"({"max_bytes":-1})",
                          R"({"queue_capacity":1.5})"}) {
    EXPECT_THROW(parse_record_options(boost::json::parse(bad).as_object(), warnings), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace fno::record
