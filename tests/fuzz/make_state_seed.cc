// make_state_seed.cc: writes the state file the core's own saver makes of
// stores holding a row of every kind (tests/unit/audit/filled_stores.h), the
// seed of the state_file harness:
//
//   make_state_seed tests/fuzz/corpus/state_file/filled.state
#include <cstdio>
#include <string>

#include "../unit/audit/filled_stores.h"
#include "core/audit/state_file.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  lockdiag::testing::Stores stores;
  lockdiag::testing::FillEveryStore(&stores);
  const std::string bytes = lockdiag::EncodeState(stores.view(), 1700000000000000, "0.1.0");
  std::FILE* f = std::fopen(argv[1], "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  return 0;
}
