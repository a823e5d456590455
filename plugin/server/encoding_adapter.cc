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

// --- INSERT and REPLACE under LOCK TABLES ----------------------------------
// A statement run under LOCK TABLES fires no table-lock event (its tables
// were locked at LOCK TABLES), and its items are freed before its STATUS
// event; so its values are read back from its text, as the server's lexer
// reads them. This is what a restore of mariadb-dump's output sends
// (LOCK TABLES `t` WRITE; INSERT INTO `t` VALUES (...),(...); UNLOCK
// TABLES): a restore through a client that declares the wrong character set
// is where double encoding is born, and without this it went unseen.

// SqlTokens: the lexer's tokens, as far as VALUES rows need them. Comments
// are skipped, the content of executable comments (/*! ... */) is read as
// the server runs it, and strings follow the connection's sql_mode
// (NO_BACKSLASH_ESCAPES, ANSI_QUOTES) and character set (a multi-byte
// character is never split, so a trail byte 0x5C is no escape).
class SqlTokens {
 public:
  enum Kind { kEnd, kWord, kIdent, kString, kPunct };
  struct Token {
    Kind kind = kEnd;
    const char* begin = nullptr;  // kString and kIdent: the content, without the quotes
    const char* end = nullptr;
    char quote = 0;  // kString and kIdent: the quote character
  };

  SqlTokens(std::string_view text, const CHARSET_INFO* cs, bool backslash_escapes, bool ansi_quotes)
      : p_(text.data()),
        end_(text.data() + text.size()),
        cs_(cs),
        mb_(cs->use_mb()),
        backslash_escapes_(backslash_escapes),
        ansi_quotes_(ansi_quotes) {}

  Token Next() {
    for (;;) {
      while (p_ < end_ && static_cast<unsigned char>(*p_) <= ' ') ++p_;
      if (p_ >= end_) return {};
      if (in_executable_comment_ && Starts("*/")) {
        p_ += 2;
        in_executable_comment_ = false;
        continue;
      }
      if (Starts("/*!") || Starts("/*M!")) {
        p_ += p_[2] == '!' ? 3 : 4;
        while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        in_executable_comment_ = true;
        continue;
      }
      if (Starts("/*")) {
        const char* close = Find(p_ + 2, "*/");
        p_ = close == nullptr ? end_ : close + 2;
        continue;
      }
      if (*p_ == '#' || (Starts("--") && (p_ + 2 == end_ || static_cast<unsigned char>(p_[2]) <= ' '))) {
        while (p_ < end_ && *p_ != '\n') ++p_;
        continue;
      }
      break;
    }
    const char c = *p_;
    if (c == '\'' || c == '"' || c == '`')
      return Quoted(c == '`' || (c == '"' && ansi_quotes_) ? kIdent : kString);
    Token t;
    t.begin = p_;
    if (IsWordByte(c)) {
      while (p_ < end_ && IsWordByte(*p_)) ++p_;
      t.kind = kWord;
    } else {
      ++p_;
      t.kind = kPunct;
    }
    t.end = p_;
    return t;
  }

  // Unescape: the bytes of a kString token's content, as the server stores
  // them before any conversion (my_unescape in sql/sql_lex.cc).
  void Unescape(const Token& t, std::string* out) const {
    out->clear();
    for (const char* s = t.begin; s < t.end;) {
      const uint l = mb_ ? my_ismbchar(cs_, s, t.end) : 0;
      if (l > 0) {
        out->append(s, l);
        s += l;
      } else if (backslash_escapes_ && *s == '\\' && s + 1 < t.end) {
        switch (s[1]) {
          case 'n':
            *out += '\n';
            break;
          case 't':
            *out += '\t';
            break;
          case 'r':
            *out += '\r';
            break;
          case 'b':
            *out += '\b';
            break;
          case '0':
            *out += '\0';
            break;
          case 'Z':
            *out += '\032';
            break;
          case '_':
          case '%':
            *out += '\\';
            *out += s[1];
            break;
          default:
            *out += s[1];
            break;
        }
        s += 2;
      } else if (*s == t.quote) {
        *out += *s;  // one of two: a lone quote would have ended the string
        s += s + 1 < t.end ? 2 : 1;
      } else {
        *out += *s++;
      }
    }
  }

 private:
  static bool IsWordByte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
           u == '_' || u == '$';
  }
  bool Starts(const char* s) const {
    const size_t n = strlen(s);
    return static_cast<size_t>(end_ - p_) >= n && memcmp(p_, s, n) == 0;
  }
  const char* Find(const char* from, const char* s) const {
    const size_t n = strlen(s);
    for (const char* q = from; q + n <= end_; ++q) {
      if (memcmp(q, s, n) == 0) return q;
    }
    return nullptr;
  }
  // Quoted: a string or quoted identifier; a doubled quote is part of it.
  // Unterminated: the end (the statement ends inside it).
  Token Quoted(Kind kind) {
    Token t;
    t.quote = *p_++;
    t.begin = p_;
    while (p_ < end_) {
      const uint l = mb_ && kind == kString ? my_ismbchar(cs_, p_, end_) : 0;
      if (l > 0) {
        p_ += l;
      } else if (kind == kString && backslash_escapes_ && *p_ == '\\') {
        p_ = end_ - p_ >= 2 ? p_ + 2 : end_;
      } else if (*p_ == t.quote) {
        if (p_ + 1 < end_ && p_[1] == t.quote) {
          p_ += 2;
          continue;
        }
        t.kind = kind;
        t.end = p_++;
        return t;
      } else {
        ++p_;
      }
    }
    return {};
  }

  const char* p_;
  const char* const end_;
  const CHARSET_INFO* const cs_;
  const bool mb_;
  const bool backslash_escapes_;
  const bool ansi_quotes_;
  bool in_executable_comment_ = false;
};

// IsWord: `t` is the keyword `word` (lower case), in any case.
bool IsWord(const SqlTokens::Token& t, const char* word) {
  const size_t n = strlen(word);
  if (t.kind != SqlTokens::kWord || static_cast<size_t>(t.end - t.begin) != n) return false;
  for (size_t i = 0; i < n; ++i) {
    const char c = t.begin[i];
    if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != word[i]) return false;
  }
  return true;
}

bool IsPunct(const SqlTokens::Token& t, char c) { return t.kind == SqlTokens::kPunct && *t.begin == c; }

// LockedTable: the statement's target table when it is one of the tables
// LOCK TABLES opened (alive until UNLOCK TABLES), else nullptr.
TABLE* LockedTable(THD* thd) {
  const TABLE_LIST* tl = thd->lex->query_tables;
  if (tl == nullptr || tl->table == nullptr) return nullptr;
  for (TABLE* t = thd->open_tables; t != nullptr; t = t->next) {
    if (t == tl->table) return t;
  }
  return nullptr;
}

// ValuesFromText collects, into `values` (the bytes in `copies`, reserved
// by the caller to kMaxValues so that views into it stay valid), the string
// literals of an INSERT / REPLACE ... VALUES text, with their columns: the
// column list right before VALUES, else the table's columns in order. A
// value is taken only when it is one string literal (no introducer, no
// expression); the first kMaxRows rows are read.
void ValuesFromText(THD* thd, TABLE* table, std::string_view text, std::vector<WrittenValue>* values,
                    std::vector<std::string>* copies) {
  SqlTokens tokens(text, thd->variables.character_set_client, thd->backslash_escapes(),
                   (thd->variables.sql_mode & MODE_ANSI_QUOTES) != 0);
  SqlTokens::Token t = tokens.Next();
  if (!IsWord(t, "insert") && !IsWord(t, "replace")) return;
  Field* listed[kMaxInsertColumns];
  uint listed_count = 0;
  bool have_list = false;
  SqlTokens::Token prev;
  for (;;) {
    t = tokens.Next();
    if (t.kind == SqlTokens::kEnd || IsWord(t, "select") || IsWord(t, "set")) return;
    if (IsWord(t, "values") || IsWord(t, "value")) break;
    if (IsPunct(t, '(')) {
      // The column list, or a PARTITION list (which names no column).
      const bool partition = IsWord(prev, "partition");
      have_list = !partition;
      listed_count = 0;
      for (t = tokens.Next(); !IsPunct(t, ')'); t = tokens.Next()) {
        if (t.kind == SqlTokens::kEnd) return;
        if (IsPunct(t, ',') || partition) continue;
        if (t.kind != SqlTokens::kWord && t.kind != SqlTokens::kIdent) return;
        if (listed_count == kMaxInsertColumns) continue;
        // find_field_by_name compares NUL-terminated names.
        char buf[NAME_LEN + 1];
        const size_t length = static_cast<size_t>(t.end - t.begin);
        Field* field = nullptr;
        if (length <= NAME_LEN) {
          memcpy(buf, t.begin, length);
          buf[length] = '\0';
          LEX_CSTRING name{buf, length};
          field = table->find_field_by_name(&name);
        }
        listed[listed_count++] = field != nullptr && HoldsCharacters(table, field) ? field : nullptr;
      }
    }
    prev = t;
  }
  auto target = [&](uint col) -> Field* {
    if (have_list) return col < listed_count ? listed[col] : nullptr;
    // Without a column list the values go to the visible columns in order.
    for (uint i = 0; i < table->s->fields; ++i) {
      Field* field = table->field[i];
      if (field->invisible != VISIBLE) continue;
      if (col-- == 0) return HoldsCharacters(table, field) ? field : nullptr;
    }
    return nullptr;
  };
  t = tokens.Next();
  for (uint32_t row = 0; IsPunct(t, '(') && row < kMaxRows; ++row) {
    for (uint col = 0;; ++col) {
      // One value: its tokens up to a ',' or ')' outside parentheses.
      int depth = 0;
      uint count = 0;
      SqlTokens::Token first;
      for (t = tokens.Next(); depth > 0 || !(IsPunct(t, ',') || IsPunct(t, ')')); t = tokens.Next()) {
        if (t.kind == SqlTokens::kEnd) return;
        if (IsPunct(t, '(')) ++depth;
        if (IsPunct(t, ')')) --depth;
        if (count++ == 0) first = t;
      }
      Field* field = target(col);
      if (count == 1 && first.kind == SqlTokens::kString && field != nullptr) {
        if (values->size() >= kMaxValues) return;
        copies->emplace_back();
        tokens.Unescape(first, &copies->back());
        WrittenValue v;
        v.schema = View(table->s->db);
        v.table = View(table->s->table_name);
        v.column = View(field->field_name);
        v.column_charset = View(field->charset()->cs_name);
        v.value = copies->back();
        values->push_back(v);
      }
      if (IsPunct(t, ')')) break;
    }
    t = tokens.Next();
    if (!IsPunct(t, ',')) return;
    t = tokens.Next();
  }
}

}  // namespace

void EncodingOnLockedTablesStatement(THD* thd, std::string_view text) {
  encoding::EncodingChecker& checker = GlobalEncodingChecker();
  if (!checker.enabled() || thd->lex == nullptr || thd->locked_tables_mode != LTM_LOCK_TABLES) return;
  const enum_sql_command cmd = thd->lex->sql_command;
  if (cmd != SQLCOM_INSERT && cmd != SQLCOM_REPLACE) return;
  TABLE* table = LockedTable(thd);
  if (table == nullptr) return;
  std::vector<WrittenValue> values;
  std::vector<std::string> copies;
  copies.reserve(kMaxValues);
  ValuesFromText(thd, table, text, &values, &copies);
  if (values.empty()) return;
  std::string_view digest;
  if (!StatementDigestOf(thd, &digest)) return;
  WriteContext ctx = ContextFor(thd, digest);
  ctx.values = values.data();
  ctx.value_count = values.size();
  checker.CheckWrite(ctx);
}

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
