# scripts/lib/build.sh: the install / configure / build preamble of
# scripts/test.sh, demo.sh and bench.sh. Sourced, after the script has set
# `top` (the repository); sets
#   build   the build tree: $LOCKDIAG_BUILD_DIR, else $top/build
#   jobs    parallel build jobs: the machine's cores
# and defines lockdiag_configure and lockdiag_build. Both exit the script on
# failure.
# shellcheck shell=bash

build=${LOCKDIAG_BUILD_DIR:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)

# lockdiag_configure [CMAKE_ARG...]: installs what is missing
# (scripts/install-deps.sh), then configures $build; the output goes to
# $build/configure.log and is shown only on failure.
# shellcheck disable=SC2120  # arguments are optional
lockdiag_configure() {
  "$top/scripts/install-deps.sh"
  mkdir -p "$build"
  cmake -S "$top" -B "$build" "$@" >"$build/configure.log" 2>&1 || {
    cat "$build/configure.log" >&2
    exit 1
  }
}

# lockdiag_build [--log FILE] [TARGET...]: builds TARGETs (default: all). With
# --log the output goes to FILE and is shown only on failure.
# shellcheck disable=SC2120  # arguments are optional
lockdiag_build() {
  local log=""
  if [[ ${1:-} == --log ]]; then
    log=$2
    shift 2
  fi
  local targets=()
  [[ $# -eq 0 ]] || targets=(--target "$@")
  if [[ -z $log ]]; then
    cmake --build "$build" -j "$jobs" "${targets[@]}"
  else
    cmake --build "$build" -j "$jobs" "${targets[@]}" >"$log" 2>&1 || {
      cat "$log" >&2
      exit 1
    }
  fi
}
