// server_message_test.cc: parsing the server's English diagnostics.
#include "core/encoding/server_message.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace encoding {
namespace {

TEST(ServerMessage, IncorrectStringValue) {
  ColumnMessage m;
  ASSERT_TRUE(ParseColumnMessage(
      "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column `db`.`t`.`c` at row 1", &m));
  EXPECT_TRUE(m.string_value);
  EXPECT_EQ(m.schema, "db");
  EXPECT_EQ(m.table, "t");
  EXPECT_EQ(m.column, "c");
  EXPECT_EQ(m.value_bytes(), "\xF0\x9F\x98\x80");
  ASSERT_TRUE(ParseColumnMessage("Incorrect string value: '\\xE9t\\xE9' for column 'c' at row 3", &m));
  EXPECT_EQ(m.column, "c");
  EXPECT_EQ(m.table, "");
  EXPECT_EQ(m.value_bytes(), "\xE9t\xE9");
  ASSERT_TRUE(ParseColumnMessage("Incorrect integer value: 'abc' for column `db`.`t`.`n` at row 1", &m));
  EXPECT_FALSE(m.string_value);
}

TEST(ServerMessage, LongValueIsCut) {
  ColumnMessage m;
  std::string msg = "Incorrect string value: '" + std::string(100, 'y') + "' for column `a`.`b`.`c` at row 1";
  ASSERT_TRUE(ParseColumnMessage(msg, &m));
  EXPECT_EQ(m.value_len, sizeof m.value_buf);
  EXPECT_TRUE(m.value_truncated);
  // The server's own cut: "..." after the bytes it shows is a marker.
  ASSERT_TRUE(ParseColumnMessage(
      "Incorrect string value: '\\xD0\\xBF\\xD1\\x80\\xD0\\xB8...' for column `a`.`b`.`c` at row 1", &m));
  EXPECT_EQ(m.value_bytes(), "\xD0\xBF\xD1\x80\xD0\xB8");
  EXPECT_TRUE(m.value_truncated);
  ASSERT_TRUE(ParseColumnMessage("Invalid utf8mb4 character string: 'F09F98...'", &m));
  EXPECT_EQ(m.value_bytes(), "\xF0\x9F\x98");
  EXPECT_TRUE(m.value_truncated);
}

TEST(ServerMessage, InvalidCharacterStringAndTruncation) {
  ColumnMessage m;
  ASSERT_TRUE(ParseColumnMessage("Invalid utf8mb4 character string: '\\xF0\\x9F\\x98'", &m));
  EXPECT_EQ(m.charset, "utf8mb4");
  EXPECT_EQ(m.value_bytes(), "\xF0\x9F\x98");
  ASSERT_TRUE(ParseColumnMessage("Invalid utf8mb3 character string: 'F09F98'", &m));
  EXPECT_EQ(m.value_bytes(), "\xF0\x9F\x98");
  ASSERT_TRUE(ParseColumnMessage("Data truncated for column 'title' at row 2", &m));
  EXPECT_EQ(m.column, "title");
  ASSERT_TRUE(ParseColumnMessage("Data too long for column 'name' at row 1", &m));
  EXPECT_EQ(m.column, "name");
  EXPECT_FALSE(ParseColumnMessage("Donnée trop longue pour la colonne 'name'", &m));
  EXPECT_FALSE(ParseColumnMessage("", &m));
  // Found by tests/fuzz/server_message_fuzz.cc: with no charset named, the
  // charset was read from past its own end (the rest of the message).
  EXPECT_FALSE(ParseColumnMessage("Invalid character string: 'F09F98'", &m));
  EXPECT_FALSE(ParseColumnMessage("Incorrect string value: 'unterminated", &m));
}

TEST(ServerMessage, Collations) {
  CollationMessage m;
  ASSERT_TRUE(
      ParseCollationMessage("Illegal mix of collations (latin1_swedish_ci,IMPLICIT) and "
                            "(utf8mb4_general_ci,COERCIBLE) for operation '='",
                            &m));
  ASSERT_EQ(m.operands, 2);
  EXPECT_EQ(m.collation[0], "latin1_swedish_ci");
  EXPECT_EQ(m.coercibility[0], "IMPLICIT");
  EXPECT_EQ(m.collation[1], "utf8mb4_general_ci");
  EXPECT_EQ(m.coercibility[1], "COERCIBLE");
  EXPECT_EQ(m.operation, "=");
  ASSERT_TRUE(ParseCollationMessage(
      "Illegal mix of collations (a_ci,IMPLICIT), (b_ci,COERCIBLE), (c_bin,EXPLICIT) for operation 'concat'",
      &m));
  ASSERT_EQ(m.operands, 3);
  EXPECT_EQ(m.collation[2], "c_bin");
  EXPECT_EQ(m.operation, "concat");
  ASSERT_TRUE(ParseCollationMessage("Illegal mix of collations for operation 'UNION'", &m));
  EXPECT_EQ(m.operands, 0);
  EXPECT_EQ(m.operation, "UNION");
  EXPECT_FALSE(ParseCollationMessage("Something else", &m));
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
