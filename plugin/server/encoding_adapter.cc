// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/encoding_adapter.h"

#include <string>
#include <vector>

#include "core/lock/digest.h"
#include "core/encoding/charsets.h"
#include "core/encoding/encoding_checker.h"
#include "core/encoding/server_message.h"
#include "server/plugin_state.h"

namespace lockdiag::server {
namespace {

using encoding::WriteContext;
using encoding::WrittenValue;

// Values looked at per statement: enough to catch a client's habit, bounded
// for bulk inserts.
constexpr size_t kMaxValues = 64;
constexpr uint32_t kMaxRows = 16;

// The running statement's values. The views point into the statement's items
// (alive until its end) or into `copies` (values the server materialised in
// our buffer).
struct StatementValues {
  query_id_t query_id = 0;
  const THD* thd = nullptr;
  std::vector<WrittenValue> values;
  // Indexed like `values` and reserved to kMaxValues once, so that it never
  // reallocates: a moved std::string moves a short (inline) value, and the
  // views in `values` would dangle.
  std::vector<std::string> copies;
  std::string digest;
  // The (issue, column) pairs the statement's warnings already recorded: a
  // multi-row INSERT raises one warning per row, and OCCURRENCES counts
  // statements. When full, further pairs are recorded without this check.
  static constexpr size_t kMaxSeen = 16;
  uint64_t seen[kMaxSeen];
  size_t seen_count = 0;
  void Clear() {
    query_id = 0;
    thd = nullptr;
    values.clear();
    digest.clear();
    seen_count = 0;
  }
  void Begin(THD* t) {
    if (thd == t && query_id == t->query_id) return;
    Clear();
    thd = t;
    query_id = t->query_id;
  }
};
thread_local StatementValues t_stmt;

std::string_view View(const LEX_CSTRING& s) { return {s.str ? s.str : "", s.str ? s.length : 0}; }
std::string_view View(const char* s) { return s ? std::string_view(s) : std::string_view(); }

bool IsCurrent(THD* thd) { return t_stmt.thd == thd && t_stmt.query_id == thd->query_id; }

WriteContext ContextFor(THD* thd) {
  WriteContext ctx;
  const Security_context* sctx = thd->security_ctx;
  ctx.user = View(sctx ? sctx->user : nullptr);
  ctx.host = View(sctx ? sctx->host_or_ip : nullptr);
  ctx.client_charset = View(thd->variables.character_set_client->cs_name);
  ctx.default_schema = View(thd->db);
  ctx.connection_id = thd->thread_id;
  if (IsCurrent(thd)) {
    ctx.statement_digest = t_stmt.digest;
    ctx.values = t_stmt.values.data();
    ctx.value_count = t_stmt.values.size();
  }
  return ctx;
}

// Adds `value` written into `field` when it is a string literal or string
// parameter in the client's character set and the column holds characters.
void AddValue(THD* thd, TABLE* table, Field* field, Item* value) {
  if (field == nullptr || value == nullptr || t_stmt.values.size() >= kMaxValues) return;
  value = value->real_item();
  // Literals and bound parameters only (see key_extractor.cc for why type()
  // is tested first).
  if (value->type() != Item::CONST_ITEM || !value->basic_const_item()) return;
  if (value->cmp_type() != STRING_RESULT) return;
  const CHARSET_INFO* value_cs = value->collation.collation;
  const CHARSET_INFO* client_cs = thd->variables.character_set_client;
  // An introducer (_utf8mb4'...') or a hex literal declares its own bytes.
  // A literal (or parameter) the server converted from character_set_client
  // to a different character_set_connection is converted back, which gives
  // the client's bytes exactly when the conversion could lose nothing (e.g.
  // latin1 -> utf8mb4); otherwise the client's bytes are gone and the value
  // is skipped.
  if (value_cs == nullptr || value_cs == &my_charset_bin) return;
  if (field->result_type() != STRING_RESULT || field->charset() == &my_charset_bin) return;
  const bool converted = !my_charset_same(value_cs, client_cs);
  if (converted) {
    const CHARSET_INFO* conn_cs = thd->variables.collation_connection;
    if (!my_charset_same(value_cs, conn_cs) ||
        encoding::ConversionCanLose(encoding::LookupCharset(View(client_cs->cs_name)).id,
                                    encoding::LookupCharset(View(conn_cs->cs_name)).id))
      return;
  }
  char buf[256];
  String tmp(buf, sizeof(buf), value_cs);
  String* s = value->val_str(&tmp);
  if (s == nullptr) return;
  char back_buf[256];
  String back(back_buf, sizeof(back_buf), client_cs);
  if (converted) {
    uint errors = 0;
    if (back.copy(s->ptr(), s->length(), value_cs, client_cs, &errors) || errors != 0) return;
    s = &back;
  }
  std::string_view bytes(s->ptr(), s->length());
  if (s == &tmp || s == &back || s->ptr() == buf || s->ptr() == back_buf) {
    // The server built the value in our stack buffer: keep a copy.
    if (t_stmt.copies.capacity() < kMaxValues) t_stmt.copies.reserve(kMaxValues);
    if (t_stmt.copies.size() <= t_stmt.values.size()) t_stmt.copies.resize(t_stmt.values.size() + 1);
    std::string& copy = t_stmt.copies[t_stmt.values.size()];
    copy.assign(bytes);
    bytes = copy;
  }
  WrittenValue v;
  v.schema = View(table->s->db);
  v.table = View(table->s->table_name);
  v.column = View(field->field_name);
  v.column_charset = View(field->charset()->cs_name);
  v.value = bytes;
  t_stmt.values.push_back(v);
}

// The column of `table` that `item` (a SET or INSERT target) names, or
// nullptr when it names another table's column (multi-table UPDATE). An
// unqualified name is taken as this table's when the table has such a
// column: were it in two of the statement's tables, the server would refuse
// the statement as ambiguous.
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

void CollectInsert(THD* thd, TABLE* table) {
  LEX* lex = thd->lex;
  Field* targets[64];
  uint named = 0;
  List_iterator<Item> fit(lex->field_list);
  while (Item* f = fit++) {
    if (named == 64) break;
    targets[named++] = FieldNamed(table, f);
  }
  List_iterator<List_item> rows(lex->many_values);
  uint32_t row_no = 0;
  while (List_item* row = rows++) {
    if (row_no++ == kMaxRows) break;
    List_iterator<Item> vit(*row);
    uint col = 0;
    while (Item* v = vit++) {
      Field* f = nullptr;
      if (named > 0) {
        f = col < named ? targets[col] : nullptr;
      } else if (col < table->s->fields) {
        f = table->field[col];
      }
      AddValue(thd, table, f, v);
      ++col;
    }
  }
  // INSERT ... ON DUPLICATE KEY UPDATE c = 'v': update_list / value_list.
  List_iterator<Item> ufit(lex->update_list);
  List_iterator<Item> uvit(lex->value_list);
  Item* uf;
  Item* uv;
  while ((uf = ufit++) && (uv = uvit++)) AddValue(thd, table, FieldNamed(table, uf), uv);
}

void CollectUpdate(THD* thd, TABLE* table) {
  SELECT_LEX* sel = thd->lex->first_select_lex();
  if (sel == nullptr) return;
  List_iterator<Item> fields(sel->item_list);
  List_iterator<Item> values(thd->lex->value_list);
  Item* f;
  Item* v;
  while ((f = fields++) && (v = values++)) AddValue(thd, table, FieldNamed(table, f), v);
}

// ConditionKey: what makes two conditions of one statement the same finding:
// for the conversion codes (one LOSSY_CONVERSION row per column) the column
// the message names; for the collation codes the message itself.
uint64_t ConditionKey(uint32_t code, std::string_view message) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xFF) * 1099511628211ull;
  };
  encoding::ColumnMessage m;
  const bool collation = code == 1267 || code == 1270 || code == 1271;
  if (!collation && encoding::ParseColumnMessage(message, &m) && !m.column.empty()) {
    mix("L");
    mix(m.schema);
    mix(m.table);
    mix(m.column);
  } else {
    mix(collation ? "C" : "L");
    h ^= code;
    mix(message);
  }
  return h;
}

}  // namespace

void EncodingOnWriteTarget(THD* thd, TABLE* table) {
  encoding::EncodingChecker& checker = GlobalEncodingChecker();
  if (!checker.enabled() || table == nullptr || thd->lex == nullptr) return;
  t_stmt.Begin(thd);
  const size_t before = t_stmt.values.size();
  switch (thd->lex->sql_command) {
    case SQLCOM_INSERT:
    case SQLCOM_REPLACE:
      CollectInsert(thd, table);
      break;
    case SQLCOM_UPDATE:
    case SQLCOM_UPDATE_MULTI:
      CollectUpdate(thd, table);
      break;
    default:
      return;
  }
  if (t_stmt.values.size() == before) return;
  if (t_stmt.digest.empty()) DigestStatement({thd->query(), thd->query_length()}, &t_stmt.digest);
  WriteContext ctx = ContextFor(thd);
  ctx.values = t_stmt.values.data() + before;
  ctx.value_count = t_stmt.values.size() - before;
  checker.CheckWrite(ctx);
}

void EncodingOnServerCondition(THD* thd, uint32_t code, const char* message, size_t length) {
  encoding::EncodingChecker& checker = GlobalEncodingChecker();
  if (!checker.enabled()) return;
  // Only the codes the checker knows; others cost one switch.
  switch (code) {
    case 1265:
    case 1300:
    case 1366:
    case 1406:
    case 1267:
    case 1270:
    case 1271:
      break;
    default:
      return;
  }
  t_stmt.Begin(thd);
  const std::string_view text(message ? message : "", message ? length : 0);
  const uint64_t key = ConditionKey(code, text);
  for (size_t i = 0; i < t_stmt.seen_count; i++) {
    if (t_stmt.seen[i] == key) return;  // this statement already counted it
  }
  if (t_stmt.digest.empty() && thd->query() != nullptr)
    DigestStatement({thd->query(), thd->query_length()}, &t_stmt.digest);
  WriteContext ctx = ContextFor(thd);
  if (checker.RecordServerWarning(ctx, code, text) && t_stmt.seen_count < StatementValues::kMaxSeen)
    t_stmt.seen[t_stmt.seen_count++] = key;
}

void EncodingOnStatementEnd(THD* thd) {
  if (t_stmt.thd == thd) t_stmt.Clear();
}

}  // namespace lockdiag::server
