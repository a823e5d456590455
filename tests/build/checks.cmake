# Checks that build the cores and the unit tests a second time, each in its
# own nested build tree under build/checks/ (configured with
# -DLOCKDIAG_WITH_PLUGIN=OFF -DLOCKDIAG_WITH_BENCHMARKS=OFF, so the nested
# project never registers these checks again). scripts/check-build.sh drives
# them; a second run rebuilds only what changed.
#
#   build.clang_thread_safety   clang++ -Werror -Wthread-safety
#   tsan.unit                   -fsanitize=thread, every unit test under TSan
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
