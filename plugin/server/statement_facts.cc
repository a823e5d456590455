// server/server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/statement_facts.h"

#include <item_cmpfunc.h>

#include "core/common/text.h"

namespace lockdiag::server {
namespace {

// Depth of expression nesting followed; deeper values count as the
// application's (plain), which is the safe side.
constexpr int kMaxDepth = 8;

bool SameName(const LEX_CSTRING& a, const LEX_CSTRING& b) {
  return EqualsIgnoreCase({a.str, a.length}, {b.str, b.length});
}

// What a SET value is built from.
struct ValueSources {
  bool own_column = false;    // the assigned column itself
  bool other_column = false;  // another column
  bool constant = false;      // a literal or a bound parameter: a value the application chose
  bool unknown = false;       // something not followed (subquery, too deep, ...)
};

void Sources(Item* item, const LEX_CSTRING& column, ValueSources* out, int depth) {
  if (item == nullptr) return;
  item = item->real_item();
  if (depth > kMaxDepth) {
    out->unknown = true;
    return;
  }
  switch (item->type()) {
    case Item::FIELD_ITEM:
      if (SameName(static_cast<Item_field*>(item)->field_name, column)) {
        out->own_column = true;
      } else {
        out->other_column = true;
      }
      return;
    case Item::CONST_ITEM:
      out->constant = true;
      return;
    case Item::FUNC_ITEM:
    case Item::COND_ITEM: {
      auto* f = static_cast<Item_func*>(item);
      for (uint i = 0; i < f->argument_count(); ++i) Sources(f->arguments()[i], column, out, depth + 1);
      return;
    }
    default:
      out->unknown = true;
      return;
  }
}

// AssignsWithWhereEquality: the WHERE clause (under AND) has `col = const`
// for a column the statement assigns.
bool WhereChecksAssigned(Item* cond, List<Item>& assigned, int depth) {
  if (cond == nullptr || depth > kMaxDepth) return false;
  if (cond->type() == Item::COND_ITEM) {
    auto* c = static_cast<Item_cond*>(cond);
    if (c->functype() != Item_func::COND_AND_FUNC) return false;
    List_iterator<Item> it(*c->argument_list());
    while (Item* arg = it++) {
      if (WhereChecksAssigned(arg, assigned, depth + 1)) return true;
    }
    return false;
  }
  if (cond->type() != Item::FUNC_ITEM) return false;
  auto* f = static_cast<Item_func*>(cond);
  if (f->functype() != Item_func::EQ_FUNC || f->argument_count() != 2) return false;
  Item* a = f->arguments()[0]->real_item();
  Item* b = f->arguments()[1]->real_item();
  if (a->type() != Item::FIELD_ITEM) std::swap(a, b);
  if (a->type() != Item::FIELD_ITEM || b->type() != Item::CONST_ITEM) return false;
  const LEX_CSTRING& name = static_cast<Item_field*>(a)->field_name;
  List_iterator<Item> it(assigned);
  while (Item* target = it++) {
    Item* real = target->real_item();
    if (real->type() == Item::FIELD_ITEM && SameName(static_cast<Item_field*>(real)->field_name, name))
      return true;
  }
  return false;
}

WriteForm UpdateForm(THD* thd) {
  SELECT_LEX* sel = thd->lex->first_select_lex();
  if (sel == nullptr) return WriteForm::kPlain;
  List<Item>& fields = sel->item_list;
  if (WhereChecksAssigned(sel->where, fields, 0)) return WriteForm::kCompareAndSet;
  // Self-relative: no value carries what the application computed. Each is
  // built from its own column (n = n + 1) or from neither a column nor a
  // constant (updated_at = NOW()).
  List_iterator<Item> fit(fields);
  List_iterator<Item> vit(thd->lex->value_list);
  bool any_own = false;
  Item* f;
  Item* v;
  while ((f = fit++) && (v = vit++)) {
    Item* target = f->real_item();
    if (target->type() != Item::FIELD_ITEM) return WriteForm::kPlain;
    ValueSources s;
    Sources(v, static_cast<Item_field*>(target)->field_name, &s, 0);
    if (s.unknown || s.other_column || (s.constant && !s.own_column)) return WriteForm::kPlain;
    any_own = any_own || s.own_column;
  }
  return any_own ? WriteForm::kSelfRelative : WriteForm::kPlain;
}

}  // namespace

WriteForm WriteFormOf(THD* thd, TABLE*) {
  LEX* lex = thd->lex;
  if (lex == nullptr) return WriteForm::kPlain;
  switch (lex->sql_command) {
    case SQLCOM_REPLACE:
    case SQLCOM_REPLACE_SELECT:
      return WriteForm::kUpsert;
    case SQLCOM_INSERT:
    case SQLCOM_INSERT_SELECT:
    case SQLCOM_LOAD:
      return lex->duplicates == DUP_UPDATE || lex->duplicates == DUP_REPLACE || lex->ignore
                 ? WriteForm::kUpsert
                 : WriteForm::kInsert;
    case SQLCOM_UPDATE:
    case SQLCOM_UPDATE_MULTI:
      return UpdateForm(thd);
    default:
      return WriteForm::kPlain;
  }
}

bool FoundNothing(THD* thd) { return thd->get_sent_row_count() == 0 && thd->limit_found_rows == 0; }

TxnControl TransactionControlOf(THD* thd) {
  if (thd->lex == nullptr) return TxnControl::kNone;
  switch (thd->lex->sql_command) {
    case SQLCOM_BEGIN:
    case SQLCOM_XA_START:
      return TxnControl::kBegin;
    case SQLCOM_COMMIT:
    case SQLCOM_XA_COMMIT:
      return TxnControl::kCommit;
    case SQLCOM_ROLLBACK:
    case SQLCOM_XA_ROLLBACK:
      return TxnControl::kRollback;
    default:
      return TxnControl::kNone;
  }
}

bool LooksLikeBackup(THD* thd, std::string_view text) {
  if (thd->lex != nullptr) {
    const enum_sql_command cmd = thd->lex->sql_command;
    if (cmd == SQLCOM_BACKUP) return true;
    if (cmd == SQLCOM_FLUSH && (thd->lex->type & REFRESH_READ_LOCK)) return true;
    if (cmd != SQLCOM_SELECT && cmd != SQLCOM_LOCK_TABLES) return false;
  }
  // The version-gated comments mysqldump has written for twenty years;
  // applications have no reason to.
  return text.find("/*!40001 SQL_NO_CACHE */") != std::string_view::npos ||
         text.find("/*!32311 LOCAL */") != std::string_view::npos;
}

}  // namespace lockdiag::server
