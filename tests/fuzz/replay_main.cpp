// Corpus replay for fuzz targets when libFuzzer is unavailable (gcc builds):
// runs LLVMFuzzerTestOneInput on every file under the given directories, then
// on deterministic mutations of each (truncations, byte flips, splices), so a
// plain ASan/UBSan build still exercises the target on hostile input.
// `--runs-per-seed=N` first caps the mutations per seed for targets whose
// runs are slow (default: every truncation plus 200 byte flips).
// Exit status 0 = all inputs survived; a failed check aborts.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

void run(const Bytes& input) {
  // Exact-size heap copy so an over-read is visible to ASan.
  const Bytes copy(input);
  LLVMFuzzerTestOneInput(copy.data(), copy.size());
}

constexpr std::size_t kDefaultFlips = 200;

// `runs` == 0: every truncation and kDefaultFlips flips; else about `runs` in all.
void mutate_and_run(const Bytes& seed, const Bytes& other, std::mt19937& rng, std::size_t runs) {
  const std::size_t step = runs == 0 ? 1 : std::max<std::size_t>(1, 2 * seed.size() / runs);
  run(seed);
  for (std::size_t len = 0; len < seed.size(); len += step) {
    run(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(len)));
  }
  const std::size_t flip_runs = runs == 0 ? kDefaultFlips : runs / 2;
  for (std::size_t i = 0; i < flip_runs && !seed.empty(); ++i) {
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
  constexpr std::string_view kRunsFlag = "--runs-per-seed=";
  std::size_t runs = 0;
  int first_dir = 1;
  if (argc > 1 && std::string_view(argv[1]).starts_with(kRunsFlag)) {
    runs = std::stoul(std::string(std::string_view(argv[1]).substr(kRunsFlag.size())));
    first_dir = 2;
  }
  std::vector<Bytes> corpus;
  for (int i = first_dir; i < argc; ++i) {
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
  for (std::size_t i = 0; i < corpus.size(); ++i) mutate_and_run(corpus[i], corpus[(i + 1) % corpus.size()], rng, runs);
  std::cout << "replayed " << corpus.size() << " corpus files with mutations\n";
  return 0;
}
