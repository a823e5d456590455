// run_threads.h: runs a test body on a few threads at once, for the
// concurrency smoke tests of the shared stores.
//
//   RunThreads(4, [&](int t) { ... });   // returns when every thread is done
#ifndef LOCKDIAG_TESTS_UNIT_COMMON_RUN_THREADS_H_
#define LOCKDIAG_TESTS_UNIT_COMMON_RUN_THREADS_H_

#include <thread>
#include <vector>

namespace lockdiag::testing {

// RunThreads calls `body(t)` on `n` threads, t = 0 .. n - 1, and joins them.
template <typename F>
void RunThreads(int n, const F& body) {
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int t = 0; t < n; ++t) threads.emplace_back([&body, t] { body(t); });
  for (std::thread& thread : threads) thread.join();
}

}  // namespace lockdiag::testing

#endif  // LOCKDIAG_TESTS_UNIT_COMMON_RUN_THREADS_H_
