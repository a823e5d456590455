#include "core/lock/table_ref.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace {

TEST(QualifiedName, PlainNamesStayPlain) {
  EXPECT_EQ(QualifiedName("shop", "orders"), "shop.orders");
  EXPECT_EQ(QualifiedName("db_1", "t$2"), "db_1.t$2");
  EXPECT_EQ(QualifiedName("poésie", "poèmes"), "poésie.poèmes") << "UTF-8 letters need no quotes";
}

TEST(QualifiedName, NamesThatWouldBeAmbiguousAreQuotedAsSqlDoes) {
  EXPECT_EQ(QualifiedName("we.ird, db", "t"), "`we.ird, db`.t");
  EXPECT_EQ(QualifiedName("s", "a`b"), "s.`a``b`");
  EXPECT_EQ(QualifiedName("s", "with space"), "s.`with space`");
  EXPECT_EQ(QualifiedName("", "t"), "``.t");
}

}  // namespace
}  // namespace lockdiag
