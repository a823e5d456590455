#include "core/lock/digest.h"

#include <array>
#include <cstring>

#include "core/common/hash.h"
#include "core/common/text.h"

namespace lockdiag {
namespace {

// --- character classes (one table lookup per input byte) --------------------
enum CharClass : uint8_t {
  kSpace,     // white space and control bytes
  kIdent,     // letters, '_', '$', bytes >= 0x80
  kDigit,     // 0-9
  kQuote,     // ' and " (strings; ANSI_QUOTES is not assumed)
  kBacktick,  // `quoted identifier`
  kOperator,  // = < > ! ~ ^ & | + - * / % :
  kOther,     // ( ) , . ; @ ? # and everything else
};

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t k = kOther;
    if (c <= 0x20 || c == 0x7f) {
      k = kSpace;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80) {
      k = kIdent;
    } else if (c >= '0' && c <= '9') {
      k = kDigit;
    } else if (c == '\'' || c == '"') {
      k = kQuote;
    } else if (c == '`') {
      k = kBacktick;
    } else if (c == '=' || c == '<' || c == '>' || c == '!' || c == '~' || c == '^' || c == '&' || c == '|' ||
               c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == ':') {
      k = kOperator;
    }
    t[c] = k;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClasses();

inline uint8_t ClassOf(char c) { return kClass[static_cast<unsigned char>(c)]; }
inline bool IsIdentOrDigit(char c) {
  uint8_t k = ClassOf(c);
  return k == kIdent || k == kDigit;
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// Reserved words after which `(` is not a function call (so a space goes
// before it: `in (...)`, not `in(...)`) and after which `-5` is a negative
// number, not a subtraction. Other words are names (`count(*)`, `a - ?`).
bool IsKeyword(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "all",    "and",    "any",    "as",     "between", "by",     "case",   "default",  "distinct", "div",
      "do",     "else",   "elseif", "exists", "from",    "having", "in",     "interval", "into",     "is",
      "join",   "key",    "like",   "limit",  "mod",     "not",    "offset", "on",       "or",       "over",
      "regexp", "return", "rlike",  "select", "set",     "some",   "table",  "then",     "union",    "using",
      "value",  "values", "when",   "where",  "with",    "xor"};
  for (std::string_view k : kWords) {
    if (k.size() == w.size() && std::memcmp(k.data(), w.data(), w.size()) == 0) return true;
  }
  return false;
}

// Multi-character operators, longest first.
constexpr std::string_view kLongOperators[] = {
    "<=>", "->>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>", "->"};

// What the previous output token was; the spacing rules look only at it.
enum class Tok : uint8_t { kNone, kWord, kLiteral, kOpen, kClose, kComma, kDot, kOperator, kAt, kOther };

// Normalizer: one pass over `in`, writing into `out`.
//
// Parenthesised groups are tracked on a small stack so that a group holding
// only literals can be written as "(...)" without ever writing its literals:
// while a group is "literal-only", its literals and commas are only counted
// (`pending`) and written out ("flushed") the moment a non-literal shows up.
// A 10,000-element IN list therefore costs one pass and no output space.
class Normalizer {
 public:
  Normalizer(std::string_view in, std::string* out) : in_(in), out_(out) {}

  // Run writes the normalised text. Returns true when it was cut short.
  bool Run();

 private:
  struct Group {
    uint32_t open_pos;    // offset of the '(' in out_
    uint32_t pending;     // literals counted but not written
    bool literal_only;    // nothing but literals (and collapsed groups) so far
    bool trailing_comma;  // a comma followed the last pending literal
    bool is_row;          // a row of a VALUES list
  };
  // Where a VALUES list is: after the word, after a row, after a row's comma.
  enum class Rows : uint8_t { kNone, kExpectRow, kAfterRow, kAfterComma };
  static constexpr int kMaxGroups = 32;

  Group* Top() { return depth_ > 0 ? &groups_[depth_ - 1] : nullptr; }
  bool InLiteralGroup() { return overflow_ == 0 && depth_ > 0 && groups_[depth_ - 1].literal_only; }

  // Appends raw bytes; past kMaxDigestText it sets full_ and writes nothing.
  void Append(const char* p, size_t n) {
    if (full_) return;
    if (out_->size() + n > kMaxDigestText) {
      full_ = true;
      return;
    }
    out_->append(p, n);
  }
  void Append(char c) { Append(&c, 1); }

  bool PrevWordIsKeyword() const {
    return prev_ == Tok::kWord && IsKeyword(std::string_view(out_->data() + word_pos_, word_len_));
  }
  bool PrevWordIs(std::string_view w) const {
    return prev_ == Tok::kWord && word_len_ == w.size() && out_->compare(word_pos_, word_len_, w) == 0;
  }
  // One space between tokens, except after "(", ".", "@" and before ",", ")",
  // "." and the "(" of a function call.
  void SpaceBefore(Tok next) {
    if (prev_ == Tok::kNone || prev_ == Tok::kOpen || prev_ == Tok::kDot || prev_ == Tok::kAt) return;
    if (next == Tok::kComma || next == Tok::kClose || next == Tok::kDot) return;
    if (next == Tok::kOpen && prev_ == Tok::kWord && !PrevWordIsKeyword()) return;
    Append(' ');
  }
  // Writes a token that is not a literal.
  void Emit(Tok kind, const char* p, size_t n) {
    if (InLiteralGroup()) {
      Flush(Top());
      Top()->literal_only = false;
    }
    SpaceBefore(kind);
    Append(p, n);
    prev_ = kind;
  }
  void Flush(Group* g);
  void NoteToken(char c);
  void CloseRow(const Group& g);
  void Literal(bool is_string);
  // Writes a word; `quoted`: it was a `quoted identifier`, never a keyword.
  void Word(size_t begin, size_t end, bool fold_case, bool quoted);
  void Open();
  void Close();
  void Comma();

  // Scanners: each consumes one token starting at i_.
  void ScanString();
  void ScanQuotedIdentifier();
  bool TryScanNumber();  // false: not a number (an identifier like 1abc)
  void ScanWord();
  void ScanOperator();
  bool SkipComment();  // true when a comment (or executable comment bracket) was consumed

  const std::string_view in_;
  std::string* const out_;
  size_t i_ = 0;
  Tok prev_ = Tok::kNone;
  bool prev_string_ = false;            // the previous literal was a string ('a' 'b' is one literal)
  size_t word_pos_ = 0, word_len_ = 0;  // the last word written, for keyword checks
  bool in_exec_comment_ = false;
  bool full_ = false;
  // Input bytes that were literal content (string literals, the insides of
  // literal-only lists): they do not count against kMaxDigestInput.
  size_t skipped_ = 0;
  Group groups_[kMaxGroups];
  int depth_ = 0;
  int overflow_ = 0;  // open groups deeper than kMaxGroups (never collapsed)
  // The rows of a VALUES list: rows_depth_ is the depth the rows open at; the
  // last row written is out_[row_pos_, row_pos_ + row_len_) (row_len_ 0: none).
  Rows rows_ = Rows::kNone;
  int rows_depth_ = 0;
  size_t row_pos_ = 0, row_len_ = 0;
};

void Normalizer::Flush(Group* g) {
  for (uint32_t k = 0; k < g->pending; ++k) {
    if (!out_->empty() && out_->back() != '(') Append(", ", 2);
    Append('?');
    prev_ = Tok::kLiteral;
  }
  if (g->trailing_comma) {
    Append(',');
    prev_ = Tok::kComma;
  }
  g->pending = 0;
  g->trailing_comma = false;
}

// Called before every token (not white space or comments): a VALUES list
// goes on only as "(row), (row)..." at the depth it started at.
void Normalizer::NoteToken(char c) {
  if (rows_ == Rows::kNone || depth_ != rows_depth_) return;
  if (overflow_ > 0) {
    rows_ = Rows::kNone;
  } else if (rows_ == Rows::kAfterRow) {
    rows_ = c == ',' ? Rows::kAfterComma : Rows::kNone;
  } else if (c != '(') {
    rows_ = Rows::kNone;
  }
}

// A row of a VALUES list was just written (collapsed or not). A row spelled
// like the one before it, "(?, now()), (?, now())", is dropped with its comma:
// a batch of rows is one statement whatever its length, as a batch of
// literal rows already is ("(...)").
void Normalizer::CloseRow(const Group& g) {
  rows_ = Rows::kAfterRow;
  if (full_) {
    row_len_ = 0;
    return;
  }
  const size_t row_end = row_pos_ + row_len_;
  size_t start = g.open_pos;
  if (start > out_->size() || out_->compare(start, 1, "(") != 0) start = out_->size() - 5;  // became "(...)"
  const size_t len = out_->size() - start;
  bool separated = row_len_ > 0 && row_end <= start;
  for (size_t k = row_end; separated && k < start; ++k) separated = (*out_)[k] == ',' || (*out_)[k] == ' ';
  if (separated && len == row_len_ && out_->compare(start, len, *out_, row_pos_, row_len_) == 0) {
    out_->resize(row_end);
    return;
  }
  row_pos_ = start;
  row_len_ = len;
}

void Normalizer::Literal(bool is_string) {
  if (InLiteralGroup()) {
    Group* g = Top();
    if (!(is_string && prev_string_ && prev_ == Tok::kLiteral)) ++g->pending;
    g->trailing_comma = false;
  } else if (!(is_string && prev_string_ && prev_ == Tok::kLiteral)) {
    SpaceBefore(Tok::kLiteral);
    Append('?');
  }
  prev_ = Tok::kLiteral;
  prev_string_ = is_string;
}

void Normalizer::Word(size_t begin, size_t end, bool fold_case, bool quoted) {
  std::string_view w = in_.substr(begin, end - begin);
  // NULL is a value like any literal (a client library writes a missing
  // parameter as NULL: "SET name = NULL", "VALUES (1, NULL)"), except in
  // IS [NOT] NULL and NOT NULL, where it is syntax.
  if (!quoted && w.size() == 4 && (w[0] | 0x20) == 'n' && (w[1] | 0x20) == 'u' && (w[2] | 0x20) == 'l' &&
      (w[3] | 0x20) == 'l' && !PrevWordIs("is") && !PrevWordIs("not")) {
    Literal(false);
    return;
  }
  if (InLiteralGroup()) {
    Flush(Top());
    Top()->literal_only = false;
  }
  SpaceBefore(Tok::kWord);
  size_t pos = out_->size();
  Append(w.data(), w.size());
  if (fold_case && out_->size() > pos) {
    for (size_t k = pos; k < out_->size(); ++k) (*out_)[k] = Lower((*out_)[k]);
  }
  word_pos_ = pos;
  word_len_ = out_->size() - pos;
  prev_ = Tok::kWord;
  if (!quoted && (PrevWordIs("values") || PrevWordIs("value"))) {
    rows_ = Rows::kExpectRow;
    rows_depth_ = depth_;
    row_len_ = 0;
  }
}

void Normalizer::Open() {
  Group* parent = InLiteralGroup() ? Top() : nullptr;
  if (parent != nullptr) Flush(parent);  // keeps the parent literal-only
  SpaceBefore(Tok::kOpen);
  size_t pos = out_->size();
  Append('(');
  prev_ = Tok::kOpen;
  const bool is_row = (rows_ == Rows::kExpectRow || rows_ == Rows::kAfterComma) && depth_ == rows_depth_;
  if (depth_ < kMaxGroups && overflow_ == 0 && !full_) {
    groups_[depth_++] = Group{static_cast<uint32_t>(pos), 0, true, false, is_row};
  } else {
    if (parent != nullptr) parent->literal_only = false;
    ++overflow_;
  }
}

void Normalizer::Close() {
  if (overflow_ > 0) {
    --overflow_;
    Emit(Tok::kClose, ")", 1);
    return;
  }
  if (depth_ == 0) {  // unbalanced: just a character
    Emit(Tok::kClose, ")", 1);
    return;
  }
  Group g = groups_[--depth_];
  Group* parent = Top();
  const bool has_content = g.pending > 0 || out_->size() > g.open_pos + 1;
  if (g.literal_only && has_content && !full_) {
    // Collapse to "(...)"; a second row right after a first one ("(...), (")
    // merges into it, so VALUES with any number of rows is one digest.
    size_t k = g.open_pos;
    bool comma = parent != nullptr && parent->literal_only && parent->trailing_comma;
    while (k > 0 && ((*out_)[k - 1] == ' ' || (*out_)[k - 1] == ',')) {
      comma = comma || (*out_)[k - 1] == ',';
      --k;
    }
    if (comma && k >= 5 && out_->compare(k - 5, 5, "(...)") == 0) {
      out_->resize(k);
    } else {
      out_->resize(g.open_pos);
      Append("(...)", 5);
    }
    if (parent != nullptr && parent->literal_only) parent->trailing_comma = false;
    prev_ = Tok::kClose;
    prev_string_ = false;
    if (g.is_row) CloseRow(g);
    return;
  }
  if (g.literal_only) Flush(&g);  // "()" or cut short
  if (parent != nullptr && parent->literal_only) {
    // The parent's pending literals were flushed when this group opened.
    parent->literal_only = false;
  }
  SpaceBefore(Tok::kClose);
  Append(')');
  prev_ = Tok::kClose;
  if (g.is_row) CloseRow(g);
}

void Normalizer::Comma() {
  if (InLiteralGroup()) {
    Top()->trailing_comma = true;
    prev_ = Tok::kComma;
    return;
  }
  Emit(Tok::kComma, ",", 1);
}

// A string literal, read with memchr: it can be most of a long statement.
void Normalizer::ScanString() {
  const size_t start = i_;
  const char quote = in_[i_++];
  const char* const end = in_.data() + in_.size();
  const char* p = in_.data() + i_;
  const char* q = nullptr;  // the first quote at or after p, or end
  while (p < end) {
    if (q == nullptr || q < p) {
      q = static_cast<const char*>(std::memchr(p, quote, static_cast<size_t>(end - p)));
      if (q == nullptr) q = end;
    }
    const char* escape = static_cast<const char*>(std::memchr(p, '\\', static_cast<size_t>(q - p)));
    if (escape != nullptr) {
      p = escape + 2;  // the escaped byte may be the quote
      continue;
    }
    if (q == end) {  // unterminated
      p = end;
      break;
    }
    p = q + 1;
    if (p < end && *p == quote) {  // doubled quote
      ++p;
      continue;
    }
    break;
  }
  i_ = p < end ? static_cast<size_t>(p - in_.data()) : in_.size();
  skipped_ += i_ - start;
  Literal(true);
}

void Normalizer::ScanQuotedIdentifier() {
  const size_t start = ++i_;
  bool plain = true;  // only identifier characters: the backticks are noise
  while (i_ < in_.size()) {
    if (in_[i_] == '`') {
      if (i_ + 1 < in_.size() && in_[i_ + 1] == '`') {
        plain = false;
        i_ += 2;
        continue;
      }
      break;
    }
    if (!IsIdentOrDigit(in_[i_])) plain = false;
    ++i_;
  }
  const size_t end = i_;
  if (i_ < in_.size()) ++i_;  // closing backtick
  bool all_digits = true;
  for (size_t k = start; k < end && all_digits; ++k) all_digits = IsDigit(in_[k]);
  if (plain && end > start && !all_digits) {
    Word(start, end, /*fold_case=*/true, /*quoted=*/true);
  } else {
    // Kept verbatim, backticks and case included.
    Word(start - 1, i_, /*fold_case=*/false, /*quoted=*/true);
  }
}

bool Normalizer::TryScanNumber() {
  size_t j = i_;
  const size_t n = in_.size();
  if (in_[j] == '0' && j + 1 < n &&
      (in_[j + 1] == 'x' || in_[j + 1] == 'X' || in_[j + 1] == 'b' || in_[j + 1] == 'B')) {
    // 0x1F / 0b101; glued to more letters it is an identifier (0xg, 0b12a).
    size_t k = j + 2;
    while (k < n && IsIdentOrDigit(in_[k])) ++k;
    bool hex = in_[j + 1] == 'x' || in_[j + 1] == 'X';
    bool valid = k > j + 2;
    for (size_t m = j + 2; m < k && valid; ++m) {
      char c = Lower(in_[m]);
      valid = hex ? (IsDigit(c) || (c >= 'a' && c <= 'f')) : (c == '0' || c == '1');
    }
    if (valid) {
      i_ = k;
      Literal(false);
      return true;
    }
  }
  while (j < n && IsDigit(in_[j])) ++j;
  bool point = false;
  if (j < n && in_[j] == '.') {
    point = true;
    ++j;
    while (j < n && IsDigit(in_[j])) ++j;
  }
  if (j < n && (in_[j] == 'e' || in_[j] == 'E')) {
    size_t k = j + 1;
    if (k < n && (in_[k] == '+' || in_[k] == '-')) ++k;
    if (k < n && IsDigit(in_[k])) {
      while (k < n && IsDigit(in_[k])) ++k;
      j = k;
    }
  }
  // 1abc, 2fa: identifiers. With a point it is a number all the same, and
  // what follows is another token: `3.sud` is 3. then the alias sud.
  if (j < n && ClassOf(in_[j]) == kIdent && !point) return false;
  i_ = j;
  Literal(false);
  return true;
}

void Normalizer::ScanWord() {
  const size_t start = i_;
  while (i_ < in_.size() && IsIdentOrDigit(in_[i_])) ++i_;
  const size_t len = i_ - start;
  // Character set introducers and prefixed literals belong to the literal
  // that follows: _utf8mb4'x', _binary 'x', N'x', X'0A', B'01'.
  if (i_ < in_.size()) {
    char c0 = Lower(in_[start]);
    if (len == 1 && (c0 == 'n' || c0 == 'x' || c0 == 'b') && ClassOf(in_[i_]) == kQuote) return;
    if (c0 == '_' && len > 1) {
      size_t k = i_;
      while (k < in_.size() && ClassOf(in_[k]) == kSpace) ++k;
      if (k < in_.size() && ClassOf(in_[k]) == kQuote) return;
    }
  }
  Word(start, i_, /*fold_case=*/true, /*quoted=*/false);
}

void Normalizer::ScanOperator() {
  const char c = in_[i_];
  // A sign where an operand is expected, right before a number, is part of it.
  if ((c == '-' || c == '+') && (prev_ == Tok::kNone || prev_ == Tok::kOpen || prev_ == Tok::kComma ||
                                 prev_ == Tok::kOperator || PrevWordIsKeyword())) {
    size_t k = i_ + 1;
    while (k < in_.size() && ClassOf(in_[k]) == kSpace) ++k;
    if (k < in_.size() && (IsDigit(in_[k]) || (in_[k] == '.' && k + 1 < in_.size() && IsDigit(in_[k + 1])))) {
      const size_t save = i_;
      i_ = k;
      if (in_[k] == '.') {  // -.5
        ++i_;
        while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
        Literal(false);
        return;
      }
      if (TryScanNumber()) return;
      i_ = save;  // -1abc: a minus before an identifier
    }
  }
  const bool may_be_long = i_ + 1 < in_.size() && ClassOf(in_[i_ + 1]) == kOperator;
  for (std::string_view op : kLongOperators) {
    if (!may_be_long) break;
    if (in_.compare(i_, op.size(), op) == 0) {
      i_ += op.size();
      Emit(Tok::kOperator, op.data(), op.size());
      return;
    }
  }
  ++i_;
  Emit(Tok::kOperator, &c, 1);
}

bool Normalizer::SkipComment() {
  const size_t n = in_.size();
  const char c = in_[i_];
  if (c == '/' && i_ + 1 < n && in_[i_ + 1] == '*') {
    size_t k = i_ + 2;
    // Executable comments: /*! ... */, /*!50100 ... */, /*M! ... */,
    // /*M!100100 ... */. Their content is SQL the server runs.
    bool executable = false;
    if (k < n && in_[k] == '!') {
      executable = true;
      ++k;
    } else if (k + 1 < n && in_[k] == 'M' && in_[k + 1] == '!') {
      executable = true;
      k += 2;
    }
    if (executable && !in_exec_comment_) {
      while (k < n && IsDigit(in_[k])) ++k;
      in_exec_comment_ = true;
      i_ = k;
      return true;
    }
    size_t end = in_.find("*/", i_ + 2);
    i_ = end == std::string_view::npos ? n : end + 2;
    return true;
  }
  if (c == '*' && in_exec_comment_ && i_ + 1 < n && in_[i_ + 1] == '/') {
    in_exec_comment_ = false;
    i_ += 2;
    return true;
  }
  // "#" and "-- " (two dashes then white space, a control byte or the end).
  if (c == '#' ||
      (c == '-' && i_ + 1 < n && in_[i_ + 1] == '-' && (i_ + 2 >= n || ClassOf(in_[i_ + 2]) == kSpace))) {
    size_t end = in_.find('\n', i_);
    i_ = end == std::string_view::npos ? n : end + 1;
    return true;
  }
  return false;
}

bool Normalizer::Run() {
  const size_t n = in_.size();
  // kMaxDigestInput bounds the bytes tokenised into the output; literal
  // content (skipped_) is read to its end, so that a statement made long by
  // its values (a blob, a batch of rows, a long IN list) keeps its digest.
  while (i_ < n && !full_ && i_ - skipped_ < kMaxDigestInput) {
    const char c = in_[i_];
    const size_t token_start = i_;
    const size_t skipped_before = skipped_;
    const bool in_list = InLiteralGroup();
    switch (ClassOf(c)) {
      case kSpace:
        ++i_;
        break;
      case kIdent:
        NoteToken(c);
        ScanWord();
        break;
      case kDigit:
        NoteToken(c);
        if (!TryScanNumber()) ScanWord();
        break;
      case kQuote:
        NoteToken(c);
        ScanString();
        break;
      case kBacktick:
        NoteToken(c);
        ScanQuotedIdentifier();
        break;
      case kOperator:
        if (SkipComment()) break;
        NoteToken(c);
        ScanOperator();
        break;
      default:
        if (SkipComment()) break;
        NoteToken(c);
        ++i_;
        switch (c) {
          case '(':
            Open();
            break;
          case ')':
            Close();
            break;
          case ',':
            Comma();
            break;
          case '?':  // a prepared statement's placeholder
            Literal(false);
            break;
          case '.':
            if (i_ < n && IsDigit(in_[i_]) && prev_ != Tok::kWord && prev_ != Tok::kClose) {
              while (i_ < n && IsDigit(in_[i_])) ++i_;  // .5
              Literal(false);
            } else {
              Emit(Tok::kDot, ".", 1);
            }
            break;
          case '@':
            Emit(Tok::kAt, "@", 1);
            break;
          case ';':  // laid out like a comma; a trailing one is dropped below
            Emit(Tok::kComma, ";", 1);
            break;
          default:
            Emit(Tok::kOther, &c, 1);
            break;
        }
    }
    // Inside a list of literals everything read is literal content.
    if (in_list) skipped_ = skipped_before + (i_ - token_start);
  }
  // Unterminated input: whatever the innermost open list had counted.
  if (InLiteralGroup()) Flush(Top());
  return full_ || i_ < n;
}

}  // namespace

uint64_t DigestStatement(std::string_view sql, std::string* out) {
  out->clear();
  out->reserve(kMaxDigestText + 8);
  bool cut = sql.size() > kMaxDigestScan;
  if (cut) sql = sql.substr(0, kMaxDigestScan);
  Normalizer normalizer(sql, out);
  cut = normalizer.Run() || cut;
  // A trailing ";" (and the spaces before it) does not change the statement.
  while (!out->empty() && (out->back() == ' ' || out->back() == ';')) out->pop_back();
  if (cut) {
    if (out->size() > kMaxDigestText - 3) out->resize(Utf8Prefix(*out, kMaxDigestText - 3));
    out->append("...");
  }
  uint64_t h = Fnv1a(*out);
  return h == 0 ? 1 : h;
}

}  // namespace lockdiag
