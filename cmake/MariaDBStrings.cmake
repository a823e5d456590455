# MariaDBStrings: MariaDB's own strings library, for tests and benchmarks
# only (never the plugin). Debian's libmariadbd-dev ships libmariadbd.a (the
# embedded server) and the server headers; the differential test of the
# encoding scanners and the encoding benchmark compare lockdiag's scanners
# with the server's well-formedness checks through it.
#
# Result: the interface target lockdiag_mariadb_strings, when both are found.
find_library(LOCKDIAG_LIBMARIADBD_STATIC NAMES libmariadbd.a)
find_path(LOCKDIAG_MARIADB_SERVER_INCLUDE NAMES m_ctype.h PATH_SUFFIXES mariadb/server)
if(LOCKDIAG_LIBMARIADBD_STATIC AND LOCKDIAG_MARIADB_SERVER_INCLUDE AND NOT TARGET lockdiag_mariadb_strings)
  message(STATUS "lockdiag: server strings library ${LOCKDIAG_LIBMARIADBD_STATIC}")
  find_package(Threads REQUIRED)
  add_library(lockdiag_mariadb_strings INTERFACE)
  get_filename_component(_mariadb_include_parent "${LOCKDIAG_MARIADB_SERVER_INCLUDE}" DIRECTORY)
  target_include_directories(lockdiag_mariadb_strings SYSTEM INTERFACE "${LOCKDIAG_MARIADB_SERVER_INCLUDE}"
                                                                       "${_mariadb_include_parent}")
  target_link_libraries(lockdiag_mariadb_strings INTERFACE "${LOCKDIAG_LIBMARIADBD_STATIC}" Threads::Threads z
                                                           crypt dl)
  target_compile_definitions(lockdiag_mariadb_strings INTERFACE LOCKDIAG_HAVE_MARIADB_STRINGS=1)
elseif(NOT TARGET lockdiag_mariadb_strings)
  message(STATUS "lockdiag: libmariadbd.a or m_ctype.h not found; no comparison with the server's strings library")
endif()
