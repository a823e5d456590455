// server_includes.h: the server's private headers, included one way by every
// adapter file. MYSQL_SERVER makes the THD, LEX and TABLE definitions visible;
// only plugin/server/ may include this.
#ifndef LOCKDIAG_SERVER_SERVER_INCLUDES_H_
#define LOCKDIAG_SERVER_SERVER_INCLUDES_H_

#ifndef MYSQL_SERVER
#define MYSQL_SERVER 1
#endif
#include <my_global.h>
// my_global.h comes first, as in every server file.
#include <mysql/plugin_audit.h>
#include <mysql/service_thd_specifics.h>
#include <sql_acl.h>
#include <sql_class.h>
#include <sql_i_s.h>
#include <sql_lex.h>
#include <sql_show.h>
#include <table.h>
#include <tztime.h>

#endif  // LOCKDIAG_SERVER_SERVER_INCLUDES_H_
