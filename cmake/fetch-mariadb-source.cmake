# fetch-mariadb-source.cmake: fetches the pinned MariaDB server source the way
# a configure does (cmake/MariaDBSource.cmake), outside a configure, so that
# scripts/build-deb.sh can hand it to the package build instead of the
# package build fetching it again into its throw-away build folder.
#
#   cmake -DDEPS=<folder> -P cmake/fetch-mariadb-source.cmake
#
# Leaves the tree in <folder>/mariadb-<upstream version>; reuses one there.
if(NOT DEPS)
  message(FATAL_ERROR "usage: cmake -DDEPS=<folder> -P fetch-mariadb-source.cmake")
endif()
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/mariadb-pin.env" _pin_line REGEX "^MARIADB_DEB_VERSION=")
string(REGEX REPLACE "^MARIADB_DEB_VERSION=" "" _pin "${_pin_line}")
include("${CMAKE_CURRENT_LIST_DIR}/MariaDBSource.cmake")
lockdiag_fetch_mariadb_source("${_pin}" "${DEPS}")
