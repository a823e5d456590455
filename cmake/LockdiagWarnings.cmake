# lockdiag_set_warnings(<target>): the warning flags every lockdiag target uses.
function(lockdiag_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Checks the GUARDED_BY/REQUIRES annotations of plugin/core/thread_annotations.h.
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
endfunction()

# lockdiag_set_plugin_flags(<target>): for code that ends up in lockdiag.so.
# -fno-gnu-unique: GCC marks some C++ statics STB_GNU_UNIQUE, which makes
# glibc's dlclose() a no-op; the server could then never unload the library
# on UNINSTALL SONAME, and a rebuilt lockdiag.so would not be loaded by the
# next INSTALL without a restart.
function(lockdiag_set_plugin_flags target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -fno-gnu-unique)
  endif()
endfunction()
