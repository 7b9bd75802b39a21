// synthetic_master.hpp
//
// Writes a synthetic Dhan instrument master in the unmodified live compact
// format (`25.0` lots, `5.0000` paise ticks, `2024-10-24 14:30:00` expiries,
// strikes `25800.00000`, empty trailing fields) with the live file's mix:
// mostly stock and index options, some futures, equities and indices.
// Deterministic for a given row count. Benchmark support only.
#pragma once

#include <cstddef>
#include <filesystem>

namespace fno::bench {

// Writes `rows` data rows plus the header; throws std::runtime_error on I/O failure.
void write_synthetic_master(const std::filesystem::path& path, std::size_t rows);

}  // namespace fno::bench
