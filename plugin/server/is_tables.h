// is_tables.h: the INFORMATION_SCHEMA.LOCKDIAG_* tables: column definitions
// and fill functions that copy a core snapshot into rows.
#ifndef LOCKDIAG_SERVER_IS_TABLES_H_
#define LOCKDIAG_SERVER_IS_TABLES_H_

namespace lockdiag::server {

// Plugin init functions of the I_S plugins (they set fields_info/fill_table).
int InitTablesTable(void* schema_table);
int InitEncodingTable(void* schema_table);
int InitLockOrderTable(void* schema_table);
int InitPatternsTable(void* schema_table);
int InitIncidentsTable(void* schema_table);
int InitConnectionsTable(void* schema_table);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_IS_TABLES_H_
