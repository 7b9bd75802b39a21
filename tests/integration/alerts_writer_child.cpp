// alerts_writer_child.cpp
//
// Test-only helper for the kill -9 durability test: writes alerts 0..N-1
// through a real AlertStore and prints "committed <total>" after every
// committed batch, so the parent knows what must survive a SIGKILL.
// Usage: fno_alerts_writer_child <db path> <alert count>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "alerts/store.hpp"
#include "unit/alerts/alert_fixtures.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <db path> <alert count>\n", argv[0]);
    return 2;
  }
  const int count = std::stoi(argv[2]);
  fno::alerts::StoreOptions options;
  options.db_path = argv[1];
  options.channels = {"telegram"};
  options.max_batch = 64;
  std::uint64_t committed = 0;
  fno::alerts::AlertStore store(options, [&](const std::vector<fno::alerts::CommittedAlert>& batch) {
    committed += batch.size();
    std::printf("committed %llu\n", static_cast<unsigned long long>(committed));
    std::fflush(stdout);
  });
  for (int i = 0; i < count; ++i) {
    while (!store.submit(fno::alerts::testing::sample_alert(i))) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // Paced like a busy session so the parent's kill lands mid-stream.
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  if (!store.flush(std::chrono::seconds(60))) return 1;
  std::printf("done\n");
  return 0;
}
