#include "core/lock/access_kind.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace {

TEST(ClassifyAccess, FollowsTheServersLockTypes) {
  // The table in shared/server-facts.md, row by row.
  EXPECT_EQ(ClassifyAccess(LockStrength::kPlainRead, StatementClass::kRead, false), AccessKind::kRead);
  EXPECT_EQ(ClassifyAccess(LockStrength::kSharedRead, StatementClass::kRead, false), AccessKind::kReadShared);
  EXPECT_EQ(ClassifyAccess(LockStrength::kWriteLock, StatementClass::kRead, false),
            AccessKind::kReadExclusive);
  EXPECT_EQ(ClassifyAccess(LockStrength::kWriteLock, StatementClass::kModify, false), AccessKind::kWrite);
  EXPECT_EQ(ClassifyAccess(LockStrength::kPlainRead, StatementClass::kModify, false), AccessKind::kRead)
      << "the source of INSERT ... SELECT is read";
  EXPECT_EQ(ClassifyAccess(LockStrength::kWriteLock, StatementClass::kLockTables, false),
            AccessKind::kLockTablesWrite);
  EXPECT_EQ(ClassifyAccess(LockStrength::kPlainRead, StatementClass::kLockTables, false),
            AccessKind::kLockTablesRead);
}

TEST(ClassifyAccess, SerializableTurnsPlainReadsIntoSharedReads) {
  EXPECT_EQ(ClassifyAccess(LockStrength::kPlainRead, StatementClass::kRead, true), AccessKind::kReadShared);
  EXPECT_EQ(ClassifyAccess(LockStrength::kWriteLock, StatementClass::kRead, true),
            AccessKind::kReadExclusive);
}

TEST(AccessKindName, NamesEveryKind) {
  EXPECT_STREQ(AccessKindName(AccessKind::kRead), "READ");
  EXPECT_STREQ(AccessKindName(AccessKind::kReadShared), "READ_SHARED");
  EXPECT_STREQ(AccessKindName(AccessKind::kReadExclusive), "READ_EXCLUSIVE");
  EXPECT_STREQ(AccessKindName(AccessKind::kWrite), "WRITE");
  EXPECT_STREQ(AccessKindName(AccessKind::kLockTablesRead), "LOCK_TABLES_READ");
  EXPECT_STREQ(AccessKindName(AccessKind::kLockTablesWrite), "LOCK_TABLES_WRITE");
}

}  // namespace
}  // namespace lockdiag
