// lockdiag_digest_tool: prints lockdiag's digest of each statement read from
// standard input, so that another fingerprinting tool can be compared with it
// (tests/digest_peer/compare.sh).
//
//   lockdiag_digest_tool [-0] < statements > digests
//
// Input records (statements hold newlines, so lines will not do):
//   default  length-prefixed: the statement's byte count in decimal, "\n",
//            then exactly that many bytes, then an optional "\n";
//   -0       NUL-terminated (statements holding a NUL byte cannot be framed).
// Output: one line per record, in input order:
//   <16 hex digits of the digest> TAB <normalised text>
// with "\\", TAB, CR and LF in the normalised text written as \\, \t, \r, \n
// (a verbatim quoted identifier can hold any of them).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/lock/digest.h"

namespace {

void Print(const std::string& sql, std::string* text) {
  const uint64_t digest = lockdiag::DigestStatement(sql, text);
  std::printf("%016llx\t", static_cast<unsigned long long>(digest));
  for (char c : *text) {
    switch (c) {
      case '\\':
        std::fputs("\\\\", stdout);
        break;
      case '\t':
        std::fputs("\\t", stdout);
        break;
      case '\r':
        std::fputs("\\r", stdout);
        break;
      case '\n':
        std::fputs("\\n", stdout);
        break;
      default:
        std::putchar(c);
    }
  }
  std::putchar('\n');
}

int Fail(const char* what, long record) {
  std::fprintf(stderr, "lockdiag_digest_tool: record %ld: %s\n", record, what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool nul = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-0") == 0) {
      nul = true;
    } else {
      std::fprintf(stderr, "usage: %s [-0] < statements\n", argv[0]);
      return 2;
    }
  }
  std::string sql, text;
  long record = 0;
  for (;;) {
    sql.clear();
    int c = std::getchar();
    if (c == EOF) break;
    ++record;
    if (nul) {
      while (c != EOF && c != '\0') {
        sql.push_back(static_cast<char>(c));
        c = std::getchar();
      }
    } else {
      if (c == '\n') {  // the optional newline after the previous record
        --record;
        continue;
      }
      size_t len = 0;
      while (c != '\n') {
        if (c < '0' || c > '9' || len > (size_t{1} << 40)) return Fail("bad length line", record);
        len = len * 10 + static_cast<size_t>(c - '0');
        c = std::getchar();
      }
      sql.resize(len);
      if (len > 0 && std::fread(&sql[0], 1, len, stdin) != len) return Fail("truncated statement", record);
    }
    Print(sql, &text);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}
