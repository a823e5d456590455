# MariaDBSource: fetches the MariaDB server source whose private headers
# (sql/*.h) an INFORMATION_SCHEMA plugin is compiled from. Distributions do
# not ship them, so
#
#   lockdiag_fetch_mariadb_source(<debian version> <folder>)
#
# runs `apt-get source -d mariadb=<debian version>` into <folder> once (it
# needs the deb-src entry scripts/install-deps.sh adds), unpacks only the
# folders a plugin needs, and sets the cache variable MARIADB_SOURCE_DIR.
# Later configures reuse what is there. Fails with a message that says what to
# do when apt-get is missing or cannot fetch the source.

# Only these folders of the source are needed; unpacking the whole 100 MB
# tree would take far longer.
set(LOCKDIAG_MARIADB_SOURCE_FOLDERS sql include wsrep-lib/include wsrep-lib/wsrep-API/v26 VERSION)

function(lockdiag_find_orig_tarball out deps upstream)
  file(GLOB _orig "${deps}/mariadb_${upstream}.orig.tar.gz" "${deps}/mariadb_${upstream}.orig.tar.xz"
       "${deps}/mariadb_${upstream}.orig.tar.bz2")
  set(${out} "${_orig}" PARENT_SCOPE)
endfunction()

function(lockdiag_fetch_mariadb_source deb_version deps)
  string(REGEX REPLACE "^[0-9]+:" "" _debver "${deb_version}")
  string(REGEX REPLACE "-[^-]+$" "" _upstream "${_debver}")
  set(_tree "${deps}/mariadb-${_upstream}")
  if(NOT EXISTS "${_tree}/VERSION")
    lockdiag_find_orig_tarball(_orig "${deps}" "${_upstream}")
    if(NOT _orig)
      find_program(_APT_GET apt-get)
      if(NOT _APT_GET)
        message(FATAL_ERROR
          "lockdiag needs the MariaDB ${_upstream} source (for sql/*.h). "
          "There is no apt-get here: pass -DMARIADB_SOURCE_DIR=/path/to/mariadb-${_upstream}.")
      endif()
      message(STATUS "Fetching the MariaDB source with apt-get source -d mariadb=${deb_version}")
      file(MAKE_DIRECTORY "${deps}")
      execute_process(COMMAND "${_APT_GET}" source -d -qq "mariadb=${deb_version}"
                      WORKING_DIRECTORY "${deps}"
                      RESULT_VARIABLE _rc OUTPUT_VARIABLE _o ERROR_VARIABLE _e)
      lockdiag_find_orig_tarball(_orig "${deps}" "${_upstream}")
      if(NOT _rc EQUAL 0 OR NOT _orig)
        message(FATAL_ERROR
          "apt-get source mariadb=${deb_version} failed:\n${_e}\n"
          "It needs a deb-src entry: run scripts/install-deps.sh as root once, "
          "or pass -DMARIADB_SOURCE_DIR=/path/to/mariadb-${_upstream}.")
      endif()
    endif()
    set(_members "")
    foreach(_d IN LISTS LOCKDIAG_MARIADB_SOURCE_FOLDERS)
      list(APPEND _members "mariadb-${_upstream}/${_d}")
    endforeach()
    message(STATUS "Unpacking ${_members} from ${_orig}")
    execute_process(COMMAND tar -xf "${_orig}" ${_members}
                    WORKING_DIRECTORY "${deps}" RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "Could not unpack ${_orig} into ${deps}")
    endif()
  endif()
  set(MARIADB_SOURCE_DIR "${_tree}" CACHE PATH "MariaDB server source tree" FORCE)
endfunction()
