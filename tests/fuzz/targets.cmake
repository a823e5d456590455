# The libFuzzer harnesses, one <target>_fuzz.cc each, its seeds in
# corpus/<target>/. Read by tests/fuzz/CMakeLists.txt (the nested clang
# build) and tests/build/checks.cmake (one ctest fuzz.<target> each).
# scan_server_diff needs the server's strings library (cmake/MariaDBStrings.cmake).
set(LOCKDIAG_FUZZ_TARGETS digest key_hash text scan mojibake encoding_checker server_message state_file
                          state_codec)
set(LOCKDIAG_FUZZ_SERVER_TARGETS scan_server_diff)
