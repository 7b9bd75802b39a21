// record_options.hpp
//
// Settings of the feed recorder: the config's `record` section {enabled,
// dir, max_bytes, queue_capacity, flush_interval_ms} and its validating
// parser. Pure value code.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "record/recording_writer.hpp"

namespace fno::record {

// The config's `record` section.
struct RecordOptions {
  bool enabled = false;
  WriterOptions writer;
  std::size_t queue_capacity = 65536;  // frames; ~0.5 s at 125k frames/s
  std::chrono::milliseconds flush_interval{1000};
};

// Parses and validates the `record` section; unknown keys become warnings.
// Throws std::invalid_argument naming the key ("record.max_bytes ...") for an invalid value.
RecordOptions parse_record_options(const boost::json::object& section, std::vector<std::string>& warnings);

}  // namespace fno::record
