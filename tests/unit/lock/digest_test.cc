// Tests of the statement normaliser (digest.h).
#include "core/lock/digest.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace lockdiag {
namespace {

std::string Norm(std::string_view sql) {
  std::string out;
  DigestStatement(sql, &out);
  return out;
}

uint64_t Digest(std::string_view sql) {
  std::string out;
  return DigestStatement(sql, &out);
}

TEST(Digest, LiteralsBecomePlaceholders) {
  EXPECT_EQ(Norm("SELECT * FROM t WHERE id = 5"), "select * from t where id = ?");
  EXPECT_EQ(Norm("select * from t where name = 'O''Brien' and x = \"a\\\"b\""),
            "select * from t where name = ? and x = ?");
  EXPECT_EQ(Norm("SELECT 1.5, .5, 1e10, 1.5E-3, 0x1F, 0b101, X'0A', x'0a', b'01', N'abc'"),
            "select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
  EXPECT_EQ(Norm("SELECT _utf8mb4'abc', _binary 'x' COLLATE utf8mb4_bin"), "select ?, ? collate utf8mb4_bin");
  EXPECT_EQ(Norm("SELECT 'a' 'b' \"c\""), "select ?") << "adjacent strings are one literal";
  EXPECT_EQ(Norm("SELECT c FROM t WHERE id=?"), "select c from t where id = ?") << "prepared placeholder";
}

// Found by tests/fuzz/digest_fuzz.cc: "3." followed by letters was read as
// the word "3", so the literal stayed in the digest.
TEST(Digest, ANumberWithAPointIsALiteralWhateverFollows) {
  EXPECT_EQ(Norm("SELECT 3.sud, -3.SUD, 1.5abc, 2.e FROM t"), "select ? sud, ? sud, ? abc, ? e from t");
  EXPECT_EQ(Norm("SELECT 1abc, 2fa FROM t"), "select 1abc, 2fa from t") << "still identifiers";
}

TEST(Digest, OneCodePathIsOneDigest) {
  EXPECT_EQ(Digest("SELECT * FROM t WHERE id = 5"), Digest("select *  from t where id=7 -- retry"));
  EXPECT_EQ(Digest("SELECT * FROM t WHERE id = 5"), Digest("SELECT\n\t*\nFROM `t`\nWHERE id = -7;"));
  EXPECT_EQ(Digest("UPDATE t SET n=n+1 WHERE id=1"), Digest("update t set n = n + 1 where id = 99"));
  EXPECT_NE(Digest("SELECT * FROM t WHERE id = 5"), Digest("SELECT * FROM u WHERE id = 5"));
  EXPECT_NE(Digest("SELECT * FROM t WHERE id = 5"), Digest("SELECT * FROM t WHERE id = 5 FOR UPDATE"));
}

TEST(Digest, ListsOfLiteralsCollapse) {
  EXPECT_EQ(Norm("SELECT * FROM t WHERE id IN (1, 2, 3)"), "select * from t where id in (...)");
  EXPECT_EQ(Norm("SELECT * FROM t WHERE id IN(7)"), "select * from t where id in (...)");
  EXPECT_EQ(Norm("select * from t where id in ('a','b') and k in (?, ?)"),
            "select * from t where id in (...) and k in (...)");
  EXPECT_EQ(Norm("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'),(3,'z')"),
            "insert into t(a, b) values (...)");
  EXPECT_EQ(Digest("INSERT INTO t VALUES (1, 2)"), Digest("INSERT INTO t VALUES (3,4),(5,6),(7,8)"));
  EXPECT_EQ(Norm("INSERT INTO t VALUES (1, NULL, -2)"), "insert into t values (...)");
  EXPECT_EQ(Norm("SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))"),
            "select * from t where (a, b) in (...)");
  EXPECT_EQ(Norm("SELECT GET_LOCK('x', 10)"), "select get_lock(...)");
}

TEST(Digest, ListsWithExpressionsKeepTheirShape) {
  EXPECT_EQ(Norm("INSERT INTO t VALUES (1, NOW())"), "insert into t values (?, now())");
  EXPECT_EQ(Norm("SELECT * FROM t WHERE id IN (1, a, 2)"), "select * from t where id in (?, a, ?)");
  EXPECT_EQ(Norm("SELECT COUNT(*) FROM t"), "select count(*) from t");
  EXPECT_EQ(Norm("SELECT NOW()"), "select now()");
  EXPECT_EQ(Norm("SELECT (1 + a) * 2"), "select (? + a) * ?");
  EXPECT_EQ(Norm("SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE k = 3)"),
            "select * from t where id in (select id from u where k = ?)");
}

// The fixes below come from the comparison with pt-query-digest
// (tests/digest_peer, docs/digests.md): each is a pair of statements of one
// code path that lockdiag used to keep apart.

// A client library that interpolates parameters writes a missing one as NULL.
TEST(Digest, NullIsAValueExceptInIsNull) {
  EXPECT_EQ(Digest("UPDATE v SET name = NULL WHERE id = 6"), Digest("UPDATE v SET name = 'f' WHERE id = 6"));
  EXPECT_EQ(Norm("SELECT id FROM v WHERE name <=> NULL"), "select id from v where name <=> ?");
  EXPECT_EQ(Norm("SELECT NULL, COALESCE(a, null)"), "select ?, coalesce(a, ?)");
  EXPECT_EQ(Norm("SELECT a FROM t WHERE b IS NULL AND c IS NOT NULL"),
            "select a from t where b is null and c is not null");
  EXPECT_NE(Digest("SELECT a FROM t WHERE b IS NULL"), Digest("SELECT a FROM t WHERE b IS NOT NULL"));
  EXPECT_EQ(Norm("CREATE TABLE t (a INT NOT NULL DEFAULT NULL)"), "create table t(a int not null default ?)");
  EXPECT_EQ(Norm("SELECT `null`, `NULL` FROM t"), "select null, null from t") << "quoted: a column";
}

// A batch of rows that are not all literals ("(?, now())") is one statement
// whatever its length, as a batch of literal rows already is ("(...)").
TEST(Digest, RepeatedValuesRowsCollapse) {
  EXPECT_EQ(Norm("INSERT INTO v (id, created) VALUES (8, NOW()), (9, NOW()),(10,NOW())"),
            "insert into v(id, created) values (?, now())");
  EXPECT_EQ(
      Digest("INSERT INTO v (id, name, created) VALUES (7, 'g', NOW())"),
      Digest(
          "INSERT INTO v (id, name, created) VALUES (10, 'j', NOW()), (11, 'k', NOW()), (12, NULL, NOW())"));
  EXPECT_EQ(Norm("INSERT INTO t VALUES (1, NOW()), (2, NOW()) ON DUPLICATE KEY UPDATE a = VALUES(a)"),
            "insert into t values (?, now()) on duplicate key update a = values (a)");
  EXPECT_EQ(Norm("REPLACE INTO t VALUE (1, UUID()), (2, UUID())"), "replace into t value (?, uuid())");
  // Rows of another shape stay, and so does everything outside VALUES.
  EXPECT_EQ(Norm("INSERT INTO t VALUES (1, NOW()), (2, DEFAULT), (3, DEFAULT)"),
            "insert into t values (?, now()), (?, default)");
  EXPECT_EQ(Norm("INSERT INTO t VALUES (1, 2), (3, NOW()), (4, NOW()), (5, 6)"),
            "insert into t values (...), (?, now()), (...)");
  EXPECT_EQ(Norm("SELECT (a + 1), (a + 1) FROM t"), "select (a + ?), (a + ?) from t");
  EXPECT_EQ(Norm("SELECT * FROM t WHERE (a, b) IN ((1, x), (1, x))"),
            "select * from t where (a, b) in ((?, x), (?, x))");
  EXPECT_EQ(Norm("INSERT INTO t VALUES (f(1)), (f(2)) , (g(3))"), "insert into t values (f(...)), (g(...))");
}

// Literal content does not count against kMaxDigestInput: a statement made
// long by a blob, a batch of rows or an IN list keeps its short digest.
TEST(Digest, LongLiteralsKeepTheDigest) {
  const std::string blob(1 << 20, 'x');
  EXPECT_EQ(Norm("INSERT INTO t1 VALUES (2, '" + blob + "')"), "insert into t1 values (...)");
  EXPECT_EQ(Digest("INSERT INTO t1 VALUES (2, '" + blob + "')"), Digest("INSERT INTO t1 VALUES (1, 0)"));
  EXPECT_EQ(Norm("UPDATE t SET body = '" + blob + "' WHERE id = 7"), "update t set body = ? where id = ?");
  std::string escaped;  // backslashes and doubled quotes all the way
  for (int i = 0; i < 40000; ++i) escaped += "a\\nb''c\\'";
  EXPECT_EQ(Norm("UPDATE t SET body = '" + escaped + "' WHERE id = 7"), "update t set body = ? where id = ?");
  std::string in = "SELECT * FROM t WHERE id IN (";
  for (int i = 0; i < 20000; ++i) in += (i ? ", " : "") + std::to_string(1000000 + i);
  EXPECT_GT(in.size(), kMaxDigestInput);
  EXPECT_EQ(Norm(in + ") AND x = 1"), "select * from t where id in (...) and x = ?");
  std::string rows = "INSERT INTO t (a, b) VALUES ";
  for (int i = 0; i < 5000; ++i)
    rows += (i ? ", (" : "(") + std::to_string(i) + ", 'value number " + std::to_string(i) + "')";
  EXPECT_GT(rows.size(), kMaxDigestInput);
  EXPECT_EQ(Norm(rows + " ON DUPLICATE KEY UPDATE b = 1"),
            "insert into t(a, b) values (...) on duplicate key update b = ?");
  // Past kMaxDigestScan nothing is read.
  const std::string huge(kMaxDigestScan, 'y');
  EXPECT_EQ(Norm("SELECT '" + huge + "' FROM t"), "select ?...");
}

TEST(Digest, HugeInListCostsNoOutput) {
  std::string sql = "SELECT * FROM t WHERE id IN (";
  for (int i = 0; i < 5000; ++i) sql += (i ? ", " : "") + std::to_string(i);
  sql += ") AND x = 1";
  EXPECT_EQ(Norm(sql), "select * from t where id in (...) and x = ?");
  std::string rows = "INSERT INTO t VALUES ";
  for (int i = 0; i < 3000; ++i) rows += (i ? ",(" : "(") + std::to_string(i) + ",'v')";
  EXPECT_EQ(Norm(rows), "insert into t values (...)");
}

TEST(Digest, CommentsGoExecutableCommentsStay) {
  EXPECT_EQ(Norm("SELECT /* hint */ a FROM t # trailing"), "select a from t");
  EXPECT_EQ(Norm("SELECT a -- comment\nFROM t"), "select a from t");
  EXPECT_EQ(Norm("SELECT a FROM t --"), "select a from t");
  EXPECT_EQ(Norm("SELECT 5--3"), "select ? - ?") << "not a comment without white space";
  EXPECT_EQ(Norm("SELECT /*! STRAIGHT_JOIN */ a FROM t"), "select straight_join a from t");
  EXPECT_EQ(Norm("CREATE TABLE t (a INT) /*!50100 PARTITION BY HASH (a) */"),
            "create table t(a int) partition by hash(a)");
  EXPECT_EQ(Norm("SELECT /*M!100100 1, */ 2"), "select ?, ?");
  EXPECT_EQ(Norm("SELECT /*+ no_hint */ a FROM t"), "select a from t");
}

TEST(Digest, CaseAndQuotedIdentifiers) {
  EXPECT_EQ(Norm("SeLeCt A FrOm Shop.Orders"), "select a from shop.orders");
  EXPECT_EQ(Norm("SELECT `A` FROM `Shop`.`Orders`"), "select a from shop.orders");
  EXPECT_EQ(Norm("SELECT `my col`, `x``y` FROM t"), "select `my col`, `x``y` from t") << "verbatim";
  EXPECT_EQ(Norm("SELECT `123` FROM t"), "select `123` from t");
  EXPECT_EQ(Norm("SELECT t1.a, 2fa, 1abc FROM t1"), "select t1.a, 2fa, 1abc from t1");
  EXPECT_EQ(Norm("SELECT caf\xc3\xa9 FROM t"), "select caf\xc3\xa9 from t") << "UTF-8 bytes kept";
}

TEST(Digest, NegativeNumbersAndOperators) {
  EXPECT_EQ(Norm("SELECT * FROM t WHERE a=-5"), "select * from t where a = ?");
  EXPECT_EQ(Norm("SELECT a-5, a - 5, -5, (-5), f(-1.5)"), "select a - ?, a - ?, ?, (...), f(...)");
  EXPECT_EQ(Norm("SELECT a FROM t WHERE b > - 3 AND c<>4 AND d<=>NULL"),
            "select a from t where b > ? and c <> ? and d <=> ?");
  EXPECT_EQ(Norm("UPDATE t SET a=a-1"), "update t set a = a - ?");
  EXPECT_EQ(Norm("SELECT @a := 1, @@session.tx_isolation"), "select @a := ?, @@session.tx_isolation");
  EXPECT_EQ(Norm("SELECT * FROM t LIMIT 10 OFFSET 5"), "select * from t limit ? offset ?");
}

TEST(Digest, TrailingSemicolonsAndWhiteSpace) {
  EXPECT_EQ(Norm("  BEGIN ;  "), "begin");
  EXPECT_EQ(Norm("SELECT 1;;"), "select ?");
  EXPECT_EQ(Norm("SELECT 1; SELECT 2"), "select ?; select ?");
  EXPECT_EQ(Norm(""), "");
  EXPECT_NE(Digest(""), 0u);
  EXPECT_EQ(Norm("SELECT\x01\x02 1"), "select ?") << "control bytes are white space";
}

TEST(Digest, UnterminatedInput) {
  EXPECT_EQ(Norm("SELECT 'abc"), "select ?");
  EXPECT_EQ(Norm("SELECT `abc"), "select abc");
  EXPECT_EQ(Norm("SELECT a /* never closed"), "select a");
  EXPECT_EQ(Norm("SELECT * FROM t WHERE id IN (1, 2"), "select * from t where id in (?, ?");
  EXPECT_EQ(Norm("SELECT 'a\\"), "select ?");
  EXPECT_EQ(Norm("SELECT ((((("), "select (((((");
  EXPECT_EQ(Norm("SELECT )))"), "select)))");
}

TEST(Digest, HugeInputIsCut) {
  std::string sql = "SELECT ";
  for (int i = 0; i < 2000; ++i) sql += "col" + std::to_string(i) + ", ";
  std::string out;
  DigestStatement(sql, &out);
  EXPECT_EQ(out.size(), kMaxDigestText);
  EXPECT_EQ(out.substr(out.size() - 3), "...");
  std::string huge(kMaxDigestInput + 100, ' ');
  huge.replace(0, 6, "SELECT");
  DigestStatement(huge, &out);
  EXPECT_EQ(out, "select...");
}

TEST(Digest, DeepNestingIsBounded) {
  std::string sql = "SELECT " + std::string(200, '(') + "1" + std::string(200, ')');
  std::string out;
  DigestStatement(sql, &out);
  EXPECT_LE(out.size(), kMaxDigestText);
  EXPECT_EQ(out.substr(0, 8), "select (");
}

TEST(Digest, ReusedOutputDoesNotReallocate) {
  std::string out;
  DigestStatement("SELECT 1", &out);
  const char* data = out.data();
  const size_t capacity = out.capacity();
  std::string sql = "SELECT * FROM t WHERE id IN (";
  for (int i = 0; i < 1000; ++i) sql += "1,";
  sql += "2)";
  for (int i = 0; i < 10; ++i) DigestStatement(sql, &out);
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(out.capacity(), capacity);
}

TEST(Digest, IsPinnedFnv1aOfTheNormalisedText) {
  // A digest must mean the same statement in every build (the state file and
  // the trail keep them): pin the FNV-1a of one normalised text, computed by
  // hand, and check that spelling variants land on it.
  constexpr uint64_t kSelectPlaceholder = 0x02fb7a5a1a5a9a58ull;  // FNV-1a 64 of "select ?"
  EXPECT_EQ(Digest("select ?"), kSelectPlaceholder);
  EXPECT_EQ(Digest("SELECT 1"), kSelectPlaceholder);
  EXPECT_EQ(Digest("  Select  -42 ;"), kSelectPlaceholder);
}

// Fuzz-like: random bytes and random SQL-ish token soup never crash, never
// exceed the bounds, and give the same answer twice.
TEST(Digest, RandomInputIsSafe) {
  std::mt19937_64 rng(12345);
  static const char* kTokens[] = {"SELECT", " ",  "'", "\"",   "`",    "(",     ")",    ",",      "1",
                                  "-",      "+",  ".", "/*",   "*/",   "/*!",   "/*M!", "--",     "#",
                                  "\n",     "\\", "?", "@",    "x'",   "_utf8", "IN",   "VALUES", "NULL",
                                  "e",      "0x", ";", "\xff", "\x80", "\0",    "=",    "<=>"};
  std::string out, again;
  for (int round = 0; round < 20000; ++round) {
    std::string sql;
    size_t len = rng() % 300;
    if (round % 2 == 0) {
      for (size_t i = 0; i < len; ++i) sql.push_back(static_cast<char>(rng() & 0xff));
    } else {
      for (size_t i = 0; i < len / 3; ++i) {
        const char* t = kTokens[rng() % (sizeof(kTokens) / sizeof(kTokens[0]))];
        sql.append(t, *t ? std::char_traits<char>::length(t) : 1);
      }
    }
    uint64_t d1 = DigestStatement(sql, &out);
    uint64_t d2 = DigestStatement(sql, &again);
    ASSERT_NE(d1, 0u);
    ASSERT_EQ(d1, d2);
    ASSERT_EQ(out, again);
    ASSERT_LE(out.size(), kMaxDigestText);
    ASSERT_LE(out.size(), 2 * sql.size() + 8) << "output is bounded by the input";
  }
}

}  // namespace
}  // namespace lockdiag
