// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/encoding_adapter.h"

#include <string>
#include <vector>

#include "core/common/hash.h"
#include "core/encoding/charsets.h"
#include "core/encoding/encoding_checker.h"
#include "core/encoding/server_message.h"
#include "core/lock/session.h"
#include "server/insert_targets.h"
#include "server/plugin_state.h"
#include "server/session_registry.h"

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
// our buffer). Its normalised text comes from the connection's Session,
// which digests each statement once for the lock analysis and for this.
struct StatementValues {
  query_id_t query_id = 0;
  const THD* thd = nullptr;
  std::vector<WrittenValue> values;
  // Indexed like `values` and reserved to kMaxValues once, so that it never
  // reallocates: a moved std::string moves a short (inline) value, and the
  // views in `values` would dangle.
  std::vector<std::string> copies;
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

// StatementDigestOf: the running statement's normalised text, from the
// connection's Session (valid until the Session's next statement). False,
// and the event counted as dropped, when there is no Session (out of
// memory).
bool StatementDigestOf(THD* thd, std::string_view* text) {
  Session* session = SessionFor(thd, thd->thread_id);
  if (session == nullptr) {
    GlobalAnalyzer().CountDropped(1, thd->thread_id);
    return false;
  }
  const char* query = thd->query();
  *text = session->StatementText(
      static_cast<uint64_t>(thd->query_id),
      query != nullptr ? std::string_view(query, thd->query_length()) : std::string_view());
  return true;
}

WriteContext ContextFor(THD* thd, std::string_view statement_digest) {
  WriteContext ctx;
  const Security_context* sctx = thd->security_ctx;
  ctx.user = View(sctx ? sctx->user : nullptr);
  ctx.host = View(sctx ? sctx->host_or_ip : nullptr);
  ctx.client_charset = View(thd->variables.character_set_client->cs_name);
  ctx.default_schema = View(thd->db);
  ctx.connection_id = thd->thread_id;
  ctx.statement_digest = statement_digest;
  if (IsCurrent(thd)) {
    ctx.values = t_stmt.values.data();
    ctx.value_count = t_stmt.values.size();
  }
  return ctx;
}

// HoldsCharacters: `field` stores text in a character set (the filter of the
// INSERT's targets).
bool HoldsCharacters(const TABLE*, const Field* field) {
  return field->result_type() == STRING_RESULT && field->charset() != &my_charset_bin;
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
  if (!HoldsCharacters(table, field)) return;
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

void CollectInsert(THD* thd, TABLE* table) {
  LEX* lex = thd->lex;
  const InsertTargets targets(thd, table, HoldsCharacters);
  List_iterator<List_item> rows(lex->many_values);
  uint32_t row_no = 0;
  while (List_item* row = rows++) {
    if (row_no++ == kMaxRows) break;
    List_iterator<Item> vit(*row);
    uint col = 0;
    while (Item* v = vit++) {
      AddValue(thd, table, targets.ForValue(col), v);
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

// IsCollationError: an "Illegal mix of collations" error.
bool IsCollationError(uint32_t code) {
  return code == encoding::kErCantAggregate2Collations || code == encoding::kErCantAggregate3Collations ||
         code == encoding::kErCantAggregateNCollations;
}

// ConditionKey: what makes two conditions of one statement the same finding:
// for the conversion codes (one LOSSY_CONVERSION row per column) the column
// the message names; for the collation codes the message itself.
uint64_t ConditionKey(uint32_t code, std::string_view message) {
  FieldHasher key;
  encoding::ColumnMessage m;
  const bool collation = IsCollationError(code);
  if (!collation && encoding::ParseColumnMessage(message, &m) && !m.column.empty()) {
    key.Field("L");
    key.Field(m.schema);
    key.Field(m.table);
    key.Field(m.column);
  } else {
    key.Field(collation ? "C" : "L");
    key.Number(code);
    key.Field(message);
  }
  return key.value();
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
  std::string_view digest;
  if (!StatementDigestOf(thd, &digest)) return;
  WriteContext ctx = ContextFor(thd, digest);
  ctx.values = t_stmt.values.data() + before;
  ctx.value_count = t_stmt.values.size() - before;
  checker.CheckWrite(ctx);
}

void EncodingOnServerCondition(THD* thd, uint32_t code, const char* message, size_t length) {
  encoding::EncodingChecker& checker = GlobalEncodingChecker();
  if (!checker.enabled()) return;
  // Only the codes the checker knows; others cost one switch.
  switch (code) {
    case encoding::kWarnDataTruncated:
    case encoding::kErInvalidCharacterString:
    case encoding::kErTruncatedWrongValueForField:
    case encoding::kErDataTooLong:
    case encoding::kErCantAggregate2Collations:
    case encoding::kErCantAggregate3Collations:
    case encoding::kErCantAggregateNCollations:
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
  std::string_view digest;
  if (!StatementDigestOf(thd, &digest)) return;
  WriteContext ctx = ContextFor(thd, digest);
  if (checker.RecordServerWarning(ctx, code, text) && t_stmt.seen_count < StatementValues::kMaxSeen)
    t_stmt.seen[t_stmt.seen_count++] = key;
}

void EncodingOnStatementEnd(THD* thd) {
  if (t_stmt.thd == thd) t_stmt.Clear();
}

}  // namespace lockdiag::server
