# FindMariaDBServer
# -----------------
# Locates what a MariaDB server plugin with INFORMATION_SCHEMA tables needs:
# the server's private headers (sql/, include/), the generated headers of the
# installed build, the server binary, its plugin folder and mariadb-test-run.
#
# INFORMATION_SCHEMA plugins are checked against the exact server version
# (MYSQL_INFORMATION_SCHEMA_INTERFACE_VERSION == MYSQL_VERSION_ID) and reach
# into THD, so the headers must come from the very source the server was built
# from. Distributions do not ship sql/*.h, so:
#   * -DMARIADB_SOURCE_DIR=/path/to/mariadb-10.x.y uses a source tree you have;
#   * otherwise cmake/MariaDBSource.cmake runs `apt-get source -d
#     mariadb=<pin>` (the pin is in cmake/mariadb-pin.env) into
#     <build>/_deps/mariadb-src once, and unpacks only the folders that are
#     needed. Later configures reuse it.
#
# Inputs (cache variables, all optional):
#   MARIADB_SOURCE_DIR      server source tree of the installed version
#   MARIADB_GENERATED_INCLUDE_DIR  folder with my_config.h and mysql_version.h
#                           of the installed build (default: Debian's
#                           /usr/include/mariadb/server)
#   MARIADB_MARIADBD        the server binary (default: found on PATH/sbin)
#   MARIADB_PLUGIN_DIR      the server's plugin folder (default: asked of mariadbd)
#   MARIADB_MTR             mariadb-test-run.pl (default: Debian's mariadb-test)
#   MARIADB_SERVICES_LIBRARY libmysqlservices.a (default: Debian's libmariadbd-dev)
#
# Results:
#   MariaDBServer_FOUND, MariaDBServer_VERSION (e.g. 10.11.18),
#   MARIADB_VERSION_ID (e.g. 101118), MARIADB_MARIADBD, MARIADB_PLUGIN_DIR,
#   MARIADB_MTR, and the imported target MariaDB::ServerHeaders that carries
#   the include folders and the defines a dynamic plugin needs.

include(FindPackageHandleStandardArgs)

# --- the pin -------------------------------------------------------------
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/mariadb-pin.env" _pin_line
     REGEX "^MARIADB_DEB_VERSION=")
string(REGEX REPLACE "^MARIADB_DEB_VERSION=" "" MARIADB_DEB_VERSION "${_pin_line}")

# --- the installed server --------------------------------------------------
find_program(MARIADB_MARIADBD NAMES mariadbd mysqld
             PATHS /usr/sbin /usr/local/sbin /usr/libexec
             DOC "MariaDB server binary")
find_path(MARIADB_GENERATED_INCLUDE_DIR mysql_version.h
          PATHS /usr/include/mariadb/server /usr/include/mysql/server
          NO_DEFAULT_PATH
          DOC "Folder holding the installed build's my_config.h and mysql_version.h")
# Plugins reach server services (thd_specifics, my_snprintf, ...) through
# pointers that this archive defines and the server fills in at dlopen().
find_library(MARIADB_SERVICES_LIBRARY NAMES mysqlservices
             PATHS /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/lib/mysql
             DOC "libmysqlservices.a of the installed server")
find_program(MARIADB_MTR NAMES mariadb-test-run.pl mysql-test-run.pl
             PATHS /usr/share/mysql/mysql-test /usr/share/mariadb/mysql-test
                   /usr/local/mysql/mysql-test
             NO_DEFAULT_PATH
             DOC "mariadb-test-run.pl of the installed server")

set(_server_version "")
if(MARIADB_MARIADBD)
  execute_process(COMMAND "${MARIADB_MARIADBD}" --version
                  OUTPUT_VARIABLE _out ERROR_QUIET)
  string(REGEX MATCH "Ver ([0-9]+\\.[0-9]+\\.[0-9]+)" _m "${_out}")
  set(_server_version "${CMAKE_MATCH_1}")
  if(NOT MARIADB_PLUGIN_DIR)
    execute_process(COMMAND "${MARIADB_MARIADBD}" --no-defaults --verbose --help
                    OUTPUT_VARIABLE _help ERROR_QUIET)
    string(REGEX MATCH "\nplugin-dir[ \t]+([^ \t\n]+)" _m "${_help}")
    string(REGEX REPLACE "/$" "" _dir "${CMAKE_MATCH_1}")
    set(MARIADB_PLUGIN_DIR "${_dir}" CACHE PATH "The server's plugin folder")
  endif()
endif()

set(_headers_version "")
set(MARIADB_VERSION_ID "")
if(MARIADB_GENERATED_INCLUDE_DIR)
  file(STRINGS "${MARIADB_GENERATED_INCLUDE_DIR}/mysql_version.h" _vid
       REGEX "#define[ \t]+MYSQL_VERSION_ID")
  string(REGEX MATCH "([0-9]+)" _m "${_vid}")
  set(MARIADB_VERSION_ID "${CMAKE_MATCH_1}")
  math(EXPR _maj "${MARIADB_VERSION_ID} / 10000")
  math(EXPR _min "(${MARIADB_VERSION_ID} / 100) % 100")
  math(EXPR _pat "${MARIADB_VERSION_ID} % 100")
  set(_headers_version "${_maj}.${_min}.${_pat}")
endif()

# --- the source tree -------------------------------------------------------
# Fetched with apt-get source when not given (cmake/MariaDBSource.cmake).
include("${CMAKE_CURRENT_LIST_DIR}/MariaDBSource.cmake")
if(NOT MARIADB_SOURCE_DIR AND MARIADB_DEB_VERSION)
  lockdiag_fetch_mariadb_source("${MARIADB_DEB_VERSION}" "${CMAKE_BINARY_DIR}/_deps/mariadb-src")
endif()

set(_source_version "")
if(MARIADB_SOURCE_DIR AND EXISTS "${MARIADB_SOURCE_DIR}/VERSION")
  file(STRINGS "${MARIADB_SOURCE_DIR}/VERSION" _v REGEX "^MYSQL_VERSION_(MAJOR|MINOR|PATCH)=")
  string(REGEX REPLACE ".*MAJOR=([0-9]+).*MINOR=([0-9]+).*PATCH=([0-9]+).*" "\\1.\\2.\\3"
         _source_version "${_v}")
endif()

# --- consistency -----------------------------------------------------------
# A plugin built from other headers than the server's own is refused at INSTALL
# (I_S interface version) or, worse, loads and misreads THD. Fail here instead.
if(_source_version AND _headers_version AND NOT _source_version STREQUAL _headers_version)
  message(FATAL_ERROR
    "MariaDB source tree ${MARIADB_SOURCE_DIR} is version ${_source_version}, but the "
    "installed headers in ${MARIADB_GENERATED_INCLUDE_DIR} are ${_headers_version}. "
    "Use the source of the installed server (or change cmake/mariadb-pin.env and "
    "reinstall with scripts/install-deps.sh).")
endif()
if(_server_version AND _headers_version AND NOT _server_version STREQUAL _headers_version)
  message(FATAL_ERROR
    "The installed server ${MARIADB_MARIADBD} is ${_server_version}, but the installed "
    "headers in ${MARIADB_GENERATED_INCLUDE_DIR} are ${_headers_version}: the server "
    "and development packages must be the same version (scripts/install-deps.sh pins them).")
endif()

set(MariaDBServer_VERSION "${_headers_version}")
find_package_handle_standard_args(MariaDBServer
  REQUIRED_VARS MARIADB_SOURCE_DIR MARIADB_GENERATED_INCLUDE_DIR MARIADB_MARIADBD
                MARIADB_PLUGIN_DIR MARIADB_SERVICES_LIBRARY
  VERSION_VAR MariaDBServer_VERSION)

if(MariaDBServer_FOUND AND NOT TARGET MariaDB::ServerHeaders)
  # probes_mysql_nodtrace.h is generated by the server's build; the .in file is
  # the no-DTrace variant verbatim.
  set(_gen "${CMAKE_BINARY_DIR}/_deps/mariadb-generated")
  configure_file("${MARIADB_SOURCE_DIR}/include/probes_mysql_nodtrace.h.in"
                 "${_gen}/probes_mysql_nodtrace.h" COPYONLY)
  add_library(MariaDB::ServerHeaders INTERFACE IMPORTED)
  # SYSTEM: the server's headers are not ours to warn about.
  set_target_properties(MariaDB::ServerHeaders PROPERTIES
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES
      "${_gen};${MARIADB_SOURCE_DIR}/include;${MARIADB_GENERATED_INCLUDE_DIR};${MARIADB_SOURCE_DIR}/sql;${MARIADB_SOURCE_DIR}/wsrep-lib/include;${MARIADB_SOURCE_DIR}/wsrep-lib/wsrep-API/v26"
    INTERFACE_INCLUDE_DIRECTORIES
      "${_gen};${MARIADB_SOURCE_DIR}/include;${MARIADB_GENERATED_INCLUDE_DIR};${MARIADB_SOURCE_DIR}/sql;${MARIADB_SOURCE_DIR}/wsrep-lib/include;${MARIADB_SOURCE_DIR}/wsrep-lib/wsrep-API/v26"
    INTERFACE_COMPILE_DEFINITIONS "MYSQL_DYNAMIC_PLUGIN;DBUG_OFF"
    INTERFACE_LINK_LIBRARIES "${MARIADB_SERVICES_LIBRARY}")
endif()
