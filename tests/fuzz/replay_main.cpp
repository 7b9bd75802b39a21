// Corpus replay for fuzz targets when libFuzzer is unavailable (gcc builds):
// runs LLVMFuzzerTestOneInput on every file under the given directories, then
// on deterministic mutations of each (truncations, byte flips, splices), so a
// plain ASan/UBSan build still exercises the decoder on hostile input.
// Exit status 0 = all inputs survived; a failed check aborts.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

void run(const Bytes& input) {
  // Exact-size heap copy so an over-read is visible to ASan.
  const Bytes copy(input);
  LLVMFuzzerTestOneInput(copy.data(), copy.size());
}

void mutate_and_run(const Bytes& seed, const Bytes& other, std::mt19937& rng) {
  for (std::size_t len = 0; len <= seed.size(); ++len) run(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(len)));
  for (int i = 0; i < 200 && !seed.empty(); ++i) {
    Bytes flipped = seed;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) flipped[rng() % flipped.size()] = static_cast<std::uint8_t>(rng());
    run(flipped);
  }
  Bytes spliced = seed;
  spliced.insert(spliced.end(), other.begin(), other.end());
  run(spliced);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Bytes> corpus;
  for (int i = 1; i < argc; ++i) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (corpus.empty()) {
    std::cerr << "no corpus files found\n";
    return 1;
  }
  std::mt19937 rng(20261124);
  for (std::size_t i = 0; i < corpus.size(); ++i) mutate_and_run(corpus[i], corpus[(i + 1) % corpus.size()], rng);
  std::cout << "replayed " << corpus.size() << " corpus files with mutations\n";
  return 0;
}
