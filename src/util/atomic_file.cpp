#include "util/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace fno::util {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

void write_synced(const std::filesystem::path& path, std::string_view bytes) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file || std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size() || std::fflush(file.get()) != 0 ||
      ::fsync(::fileno(file.get())) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot write " + path.string());
  }
}

void replace_atomically(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  write_synced(tmp, bytes);
  std::filesystem::rename(tmp, path);
}

}  // namespace fno::util
