#include "options.h"

#include <gtest/gtest.h>

#include "errors.h"
#include "exit_status.h"
#include "fixture.h"
#include "merge.h"

namespace lockdiag::report {
namespace {

std::optional<Options> Parse(std::vector<std::string> args, std::string* error) {
  error->clear();
  return ParseOptions(args, error);
}

TEST(Options, ClientStyleConnectionOptions) {
  std::string err;
  auto o = Parse({"-h", "db1", "-P3307", "-uapp", "-psecret", "-S", "/run/s.sock", "--defaults-file=/x.cnf"},
                 &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(*o->host, "db1");
  EXPECT_EQ(o->port, 3307u);
  EXPECT_EQ(*o->user, "app");
  EXPECT_EQ(*o->password, "secret");
  EXPECT_FALSE(o->prompt_password);
  EXPECT_EQ(*o->socket, "/run/s.sock");
  EXPECT_EQ(*o->defaults_file, "/x.cnf");
  EXPECT_EQ(o->format, Format::kText);
  EXPECT_EQ(o->fail_on, Severity::kHigh);
}

TEST(Options, BarePasswordPromptsAndDoesNotEatTheNextArgument) {
  std::string err;
  auto o = Parse({"-p", "--format=json"}, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_TRUE(o->prompt_password);
  EXPECT_FALSE(o->password);
  EXPECT_EQ(o->format, Format::kJson);
  o = Parse({"--password"}, &err);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->prompt_password);
  o = Parse({"--password=x"}, &err);
  EXPECT_EQ(*o->password, "x");
}

TEST(Options, ServersFormatFailOn) {
  std::string err;
  auto o = Parse({"--servers", "db1:3306,db2", "--format=dot", "--fail-on=low", "--no-color"}, &err);
  ASSERT_TRUE(o) << err;
  ASSERT_EQ(o->servers.size(), 2u);
  EXPECT_EQ(o->servers[0].host, "db1");
  EXPECT_EQ(o->servers[0].port, 3306u);
  EXPECT_EQ(o->servers[1].port, 0u);
  EXPECT_EQ(o->fail_on, Severity::kLow);
  EXPECT_TRUE(o->no_color);
  o = Parse({"--fail-on=NONE"}, &err);
  EXPECT_FALSE(o->fail_on.has_value());
}

TEST(Options, UsageErrorsSayWhat) {
  std::string err;
  EXPECT_FALSE(Parse({"--format=pdf"}, &err));
  EXPECT_EQ(err, "--format: 'pdf' is not one of text, json, dot, html");
  EXPECT_FALSE(Parse({"--servers=db1:x"}, &err));
  EXPECT_EQ(err, "--servers: 'db1:x' is not host:port");
  EXPECT_FALSE(Parse({"--servers=db1,,db2"}, &err));
  EXPECT_FALSE(Parse({"--fail-on=urgent"}, &err));
  EXPECT_FALSE(Parse({"-P", "99999"}, &err));
  EXPECT_FALSE(Parse({"--bogus"}, &err));
  EXPECT_EQ(err, "unknown option '--bogus' (see lockdiag-report --help)");
  EXPECT_FALSE(Parse({"-h"}, &err));
  EXPECT_EQ(err, "option '-h' needs a value");
}

TEST(Options, HelpIsLaidOutLikeAManPage) {
  std::string h = HelpText();
  size_t last = 0;
  for (const char* s :
       {"NAME\n", "SYNOPSIS\n", "DESCRIPTION\n", "OPTIONS\n", "EXIT STATUS\n", "EXAMPLES\n"}) {
    size_t at = h.find(s);
    ASSERT_NE(at, std::string::npos) << s;
    EXPECT_GT(at + 1, last) << s << " out of order";
    last = at;
  }
}

TEST(ExitStatus, FailOnThreshold) {
  Report r = BuildReport({testing::Db2()});  // one HIGH, one MEDIUM, one LOW
  EXPECT_EQ(ExitStatusFor(r, Severity::kHigh), kExitFindings);
  EXPECT_EQ(ExitStatusFor(r, std::nullopt), kExitClean);
  ServerSnapshot low = testing::Db2();
  low.findings.erase(low.findings.begin());  // MEDIUM and LOW remain
  Report l = BuildReport({low});
  EXPECT_EQ(ExitStatusFor(l, Severity::kHigh), kExitClean);
  EXPECT_EQ(ExitStatusFor(l, Severity::kMedium), kExitFindings);
  EXPECT_EQ(ExitStatusFor(BuildReport({}), Severity::kLow), kExitClean);
}

TEST(Errors, PluginMissingAndPrivilege) {
  EXPECT_EQ(QueryError("db1:3306", 1109, "Unknown table 'LOCKDIAG_PATTERNS' in information_schema"),
            "lockdiag is not installed on db1:3306 (INSTALL SONAME 'lockdiag'): Unknown table "
            "'LOCKDIAG_PATTERNS' in information_schema");
  EXPECT_NE(QueryError("db1", 1227, "Access denied").find("needs the PROCESS privilege"), std::string::npos);
  EXPECT_EQ(ConnectError("localhost:3306", "Access denied for user 'x'@'localhost'"),
            "cannot connect to localhost:3306: Access denied for user 'x'@'localhost'");
}

}  // namespace
}  // namespace lockdiag::report
