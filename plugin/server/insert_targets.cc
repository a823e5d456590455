// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/insert_targets.h"

namespace lockdiag::server {

Field* FieldNamed(TABLE* table, Item* item) {
  Item* real = item->real_item();
  if (real->type() != Item::FIELD_ITEM) return nullptr;
  auto* ident = static_cast<Item_field*>(real);
  if (ident->table_name.str != nullptr && ident->table_name.length > 0) {
    const TABLE_LIST* tl = table->pos_in_table_list;
    const char* alias = tl != nullptr && tl->alias.str != nullptr ? tl->alias.str : table->alias.c_ptr_safe();
    if (my_strcasecmp(table_alias_charset, ident->table_name.str, alias) != 0) return nullptr;
    if (ident->db_name.str != nullptr && ident->db_name.length > 0 &&
        my_strcasecmp(table_alias_charset, ident->db_name.str, table->s->db.str) != 0)
      return nullptr;
  }
  LEX_CSTRING name = ident->field_name;
  return table->find_field_by_name(&name);
}

InsertTargets::InsertTargets(THD* thd, TABLE* table, Keep keep) : table_(table), keep_(keep) {
  List_iterator<Item> it(thd->lex->field_list);
  while (Item* item = it++) {
    if (listed_count_ == kMaxInsertColumns) break;
    Field* field = FieldNamed(table, item);
    listed_[listed_count_++] = field != nullptr && keep_(table, field) ? field : nullptr;
  }
}

Field* InsertTargets::ForValue(uint col) const {
  if (listed_count_ > 0) return col < listed_count_ ? listed_[col] : nullptr;
  if (col >= table_->s->fields) return nullptr;
  Field* field = table_->field[col];
  return keep_(table_, field) ? field : nullptr;
}

}  // namespace lockdiag::server
