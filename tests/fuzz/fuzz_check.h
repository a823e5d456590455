// fuzz_check.h: how a harness states an invariant. A violated one prints
// what was expected and aborts, which libFuzzer turns into a crash artefact
// (the input is saved, the run fails), exactly like a sanitizer report.
#ifndef LOCKDIAG_TESTS_FUZZ_FUZZ_CHECK_H_
#define LOCKDIAG_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

#endif  // LOCKDIAG_TESTS_FUZZ_FUZZ_CHECK_H_
