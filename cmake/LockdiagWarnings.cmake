# lockdiag_set_warnings(<target>): the warning flags every lockdiag target uses.
function(lockdiag_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Checks the GUARDED_BY/REQUIRES annotations of plugin/core/thread_annotations.h.
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
endfunction()
