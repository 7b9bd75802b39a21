// atomic_file.hpp
//
// Whole-file writes that a crash or a concurrent reader never sees half
// done: write a temporary file beside the target, sync it, rename it over.
// Blocking file I/O; throws std::system_error naming the file.
#pragma once

#include <filesystem>
#include <string_view>

namespace fno::util {

// Writes `bytes` to `path` and syncs it, so a rename after this is durable.
void write_synced(const std::filesystem::path& path, std::string_view bytes);

// Replaces `path` with `bytes` via `path`.tmp + rename.
void replace_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace fno::util
