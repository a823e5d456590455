# Checks that build the cores and the unit tests a second time, each in its
# own nested build tree under build/checks/ (configured with
# -DLOCKDIAG_WITH_PLUGIN=OFF -DLOCKDIAG_WITH_BENCHMARKS=OFF, so the nested
# project never registers these checks again). scripts/check-build.sh drives
# them; a second run rebuilds only what changed.
#
#   build.clang_thread_safety   clang++ -Werror -Wthread-safety
#   tsan.unit                   -fsanitize=thread, every unit test under TSan
#   asan.unit                   -fsanitize=address,undefined, every unit test under ASan/UBSan/LSan
#   fuzz.build, fuzz.<target>   clang -fsanitize=fuzzer: the harnesses of tests/fuzz/, run for 12 s each
#
# Each builds with every core of the machine: ctest runs it alone
# (PROCESSORS), never beside an mtr test.
include(ProcessorCount)
ProcessorCount(_lockdiag_cores)
if(_lockdiag_cores LESS 1)
  set(_lockdiag_cores 2)
endif()

set(_check "${CMAKE_SOURCE_DIR}/scripts/check-build.sh")
set(_env "CMAKE=${CMAKE_COMMAND}" "CMAKE_GENERATOR=${CMAKE_GENERATOR}"
         "LOCKDIAG_TSAN_CXX=${CMAKE_CXX_COMPILER}" "LOCKDIAG_TSAN_CC=${CMAKE_C_COMPILER}"
         "LOCKDIAG_CHECK_JOBS=${_lockdiag_cores}")

add_test(NAME build.clang_thread_safety
         COMMAND "${_check}" clang-thread-safety "${CMAKE_BINARY_DIR}/checks/clang-thread-safety")
add_test(NAME tsan.unit COMMAND "${_check}" tsan "${CMAKE_BINARY_DIR}/checks/tsan")
set_tests_properties(build.clang_thread_safety tsan.unit PROPERTIES
  ENVIRONMENT "${_env}"
  PROCESSORS ${_lockdiag_cores}
  # A first run builds from scratch.
  TIMEOUT 1800)

# AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer): every unit
# test under them; the first report fails the run.
add_test(NAME asan.unit COMMAND "${_check}" asan "${CMAKE_BINARY_DIR}/checks/asan")
set_tests_properties(asan.unit PROPERTIES
  ENVIRONMENT "${_env}"
  PROCESSORS ${_lockdiag_cores}
  TIMEOUT 1800)

# libFuzzer: fuzz.build builds every harness once (clang, nested build
# checks/fuzz); each fuzz.<target> then runs one for LOCKDIAG_FUZZ_SECONDS
# (12 s) from a copy of tests/fuzz/corpus/<target>/ in checks/fuzz/run/.
include(${CMAKE_SOURCE_DIR}/tests/fuzz/targets.cmake)
include(MariaDBStrings)
set(_fuzz_dir "${CMAKE_BINARY_DIR}/checks/fuzz")
add_test(NAME fuzz.build COMMAND "${_check}" fuzz "${_fuzz_dir}")
set_tests_properties(fuzz.build PROPERTIES
  ENVIRONMENT "${_env}"
  PROCESSORS ${_lockdiag_cores}
  FIXTURES_SETUP lockdiag_fuzzers
  TIMEOUT 1800)
set(_fuzz_targets ${LOCKDIAG_FUZZ_TARGETS})
if(TARGET lockdiag_mariadb_strings)
  list(APPEND _fuzz_targets ${LOCKDIAG_FUZZ_SERVER_TARGETS})
endif()
foreach(_target IN LISTS _fuzz_targets)
  add_test(NAME fuzz.${_target}
           COMMAND "${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh" "${_fuzz_dir}/tests/fuzz/lockdiag_fuzz_${_target}"
                   "${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${_target}" "${_fuzz_dir}/run/${_target}")
  # One core each: the harness is single-threaded (-workers is not used).
  set_tests_properties(fuzz.${_target} PROPERTIES
    FIXTURES_REQUIRED lockdiag_fuzzers
    PROCESSORS 1
    TIMEOUT 120)
endforeach()
