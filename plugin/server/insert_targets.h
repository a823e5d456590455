// insert_targets.h: which column each value of an INSERT or REPLACE goes
// to, and which column a SET or INSERT target item names. Shared by the key
// extractor (unique-key columns) and the encoding adapter (character
// columns): each keeps its own filter.
//
//   InsertTargets targets(thd, table, InUniqueKey);
//   List_iterator<List_item> rows(thd->lex->many_values);
//   while (List_item* row = rows++) {
//     List_iterator<Item> values(*row);
//     for (uint col = 0; Item* v = values++; ++col)
//       if (Field* f = targets.ForValue(col)) Use(f, v);
//   }
//
// REQUIRES: server_includes.h first (this header uses THD, TABLE, Item);
// called at a table-lock event of the running statement, when its items are
// alive.
#ifndef LOCKDIAG_SERVER_INSERT_TARGETS_H_
#define LOCKDIAG_SERVER_INSERT_TARGETS_H_

namespace lockdiag::server {

// The most columns of an INSERT's column list looked at; values for columns
// past it are not looked at.
inline constexpr uint kMaxInsertColumns = 64;

// FieldNamed: the column of `table` that `item` (a SET or INSERT target)
// names, or nullptr when it names no column of it. A qualified name must
// name this table by its alias (and schema): in a multi-table statement it
// may name another table's column. An unqualified name is taken as this
// table's when the table has such a column: were it in two of the
// statement's tables, the server would refuse the statement as ambiguous.
Field* FieldNamed(TABLE* table, Item* item);

// InsertTargets: the target column of each value position of the running
// INSERT / REPLACE rows: its column list, else the table's columns in order.
class InsertTargets {
 public:
  // Keep: the caller's filter; columns it refuses have no target.
  using Keep = bool (*)(const TABLE* table, const Field* field);

  // REQUIRES: table != nullptr.
  InsertTargets(THD* thd, TABLE* table, Keep keep);
  InsertTargets(const InsertTargets&) = delete;
  InsertTargets& operator=(const InsertTargets&) = delete;

  // ForValue: the column the value at position `col` of a row is written
  // into, or nullptr: past the column list (or its first kMaxInsertColumns),
  // a list entry that names no column of the table, or a column `keep`
  // refuses.
  Field* ForValue(uint col) const;

 private:
  TABLE* const table_;
  const Keep keep_;
  Field* listed_[kMaxInsertColumns];  // the column list, filtered
  uint listed_count_ = 0;             // 0: no column list
};

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_INSERT_TARGETS_H_
