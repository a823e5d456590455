// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/key_extractor.h"

#include <item_cmpfunc.h>

#include "core/common/text.h"
#include "core/lock/key_hash.h"
#include "server/insert_targets.h"

namespace lockdiag::server {
namespace {

// Rows of a multi-row INSERT looked at; enough to correlate a read with the
// write that follows it, cheap for bulk loads.
constexpr uint32_t kMaxInsertRows = 8;
// Depth of AND nesting followed.
constexpr int kMaxDepth = 8;

// True when `cs` compares letters case-insensitively: equal keys may then
// differ in case ('Ann' and 'ann' address the same unique-key row).
bool FoldsCase(const CHARSET_INFO* cs) {
  return cs != nullptr && cs != &my_charset_bin && !(cs->state & (MY_CS_BINSORT | MY_CS_CSSORT));
}

struct Sink {
  uint64_t* out;
  uint32_t max;
  TABLE* table;
  uint32_t n = 0;
  bool full() const { return n >= max; }
  // The column's collation, when the table is known.
  const CHARSET_INFO* ColumnCharset(const LEX_CSTRING& column) const {
    if (table == nullptr) return nullptr;
    LEX_CSTRING name = column;
    Field* f = table->find_field_by_name(&name);
    return f != nullptr && f->result_type() == STRING_RESULT ? f->charset() : nullptr;
  }
  void Add(const LEX_CSTRING& column, Item* value) {
    // Literals and bound parameters only. type() first: CONST_ITEM also
    // covers stored-procedure variables (Item_splocal), whose value needs a
    // runtime context, and basic_const_item() of an Item_param in DEFAULT
    // state raises an error, which type() == CONST_ITEM rules out.
    if (full() || value == nullptr || value->type() != Item::CONST_ITEM || !value->basic_const_item()) return;
    char buf[128];
    String tmp(buf, sizeof(buf), &my_charset_bin);
    String* s = value->val_str(&tmp);
    if (s == nullptr) return;
    std::string_view bytes(s->ptr(), s->length());
    char folded[256];
    // HasUpperAscii first: folding can change the value (digits, lower-case
    // text and most keys need no column lookup).
    if (value->cmp_type() == STRING_RESULT && bytes.size() <= sizeof(folded) && HasUpperAscii(bytes) &&
        FoldsCase(ColumnCharset(column))) {
      // ASCII folding covers the keys applications use (slugs, handles,
      // e-mail addresses); other letters are hashed as sent.
      for (size_t i = 0; i < bytes.size(); ++i) folded[i] = AsciiLower(bytes[i]);
      bytes = {folded, bytes.size()};
    }
    out[n++] = KeyHash({column.str, column.length}, bytes);
  }
};

// True when the field names this table (or names no table).
bool FieldOfTable(const Item_field* f, TABLE* table) {
  if (f->table_name.str == nullptr || f->table_name.length == 0 || table == nullptr) return true;
  const std::string_view named(f->table_name.str, f->table_name.length);
  const LEX_CSTRING& alias = table->alias.to_lex_cstring();
  const LEX_CSTRING& name = table->s->table_name;
  return EqualsIgnoreCase(named, {alias.str, alias.length}) ||
         EqualsIgnoreCase(named, {name.str, name.length});
}

void Walk(Item* cond, TABLE* table, Sink* sink, int depth) {
  if (cond == nullptr || sink->full() || depth > kMaxDepth) return;
  if (cond->type() == Item::COND_ITEM) {
    auto* c = static_cast<Item_cond*>(cond);
    if (c->functype() != Item_func::COND_AND_FUNC) return;  // OR: no single row set
    List_iterator<Item> it(*c->argument_list());
    while (Item* arg = it++) Walk(arg, table, sink, depth + 1);
    return;
  }
  if (cond->type() != Item::FUNC_ITEM) return;
  auto* f = static_cast<Item_func*>(cond);
  Item** args = f->arguments();
  const uint argc = f->argument_count();
  switch (f->functype()) {
    case Item_func::EQ_FUNC:
    case Item_func::EQUAL_FUNC: {
      if (argc != 2) return;
      Item* a = args[0]->real_item();
      Item* b = args[1]->real_item();
      if (a->type() != Item::FIELD_ITEM) std::swap(a, b);
      if (a->type() != Item::FIELD_ITEM) return;
      auto* field = static_cast<Item_field*>(a);
      if (FieldOfTable(field, table)) sink->Add(field->field_name, b);
      return;
    }
    case Item_func::IN_FUNC: {
      if (argc < 2 || static_cast<Item_func_opt_neg*>(f)->negated) return;
      Item* a = args[0]->real_item();
      if (a->type() != Item::FIELD_ITEM) return;
      auto* field = static_cast<Item_field*>(a);
      if (!FieldOfTable(field, table)) return;
      for (uint i = 1; i < argc && !sink->full(); ++i) sink->Add(field->field_name, args[i]->real_item());
      return;
    }
    default:
      return;
  }
}

// True when `field` is part of a unique key (the primary key included): an
// INSERT's values for such columns name the row it creates. Other columns
// (a customer_id of many orders) say nothing about which row. (The filter of
// the INSERT's targets.)
bool InUniqueKey(const TABLE* table, const Field* field) {
  for (uint k = 0; k < table->s->keys; ++k) {
    const KEY& key = table->key_info[k];
    if (!(key.flags & HA_NOSAME)) continue;
    for (uint p = 0; p < key.user_defined_key_parts; ++p) {
      if (key.key_part[p].fieldnr == field->field_index + 1) return true;
    }
  }
  return false;
}

void InsertValues(THD* thd, TABLE* table, Sink* sink) {
  if (table == nullptr) return;
  const InsertTargets targets(thd, table, InUniqueKey);
  List_iterator<List_item> rows(thd->lex->many_values);
  uint32_t row_no = 0;
  while (List_item* row = rows++) {
    if (row_no++ == kMaxInsertRows || sink->full()) break;
    List_iterator<Item> vit(*row);
    uint col = 0;
    while (Item* v = vit++) {
      if (sink->full()) break;
      if (Field* field = targets.ForValue(col)) sink->Add(field->field_name, v->real_item());
      ++col;
    }
  }
}

}  // namespace

uint32_t ExtractKeys(THD* thd, TABLE* table, bool is_insert, uint64_t* out, uint32_t max) {
  if (thd->lex == nullptr || max == 0) return 0;
  Sink sink{out, max, table};
  if (is_insert) {
    InsertValues(thd, table, &sink);
  } else if (SELECT_LEX* sel = thd->lex->first_select_lex()) {
    Walk(sel->where, table, &sink, 0);
  }
  return sink.n;
}

}  // namespace lockdiag::server
