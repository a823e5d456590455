#include "password_prompt.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>

namespace lockdiag::report {

std::string PromptPassword() {
  FILE* tty = std::fopen("/dev/tty", "r+");
  FILE* in = tty ? tty : stdin;
  FILE* out = tty ? tty : stderr;
  std::fputs("Enter password: ", out);
  std::fflush(out);
  termios old{};
  bool echo_off = isatty(fileno(in)) && tcgetattr(fileno(in), &old) == 0;
  if (echo_off) {
    termios quiet = old;
    quiet.c_lflag &= ~ECHO;
    tcsetattr(fileno(in), TCSAFLUSH, &quiet);
  }
  std::string pw;
  for (int c; (c = std::fgetc(in)) != EOF && c != '\n';) pw += static_cast<char>(c);
  if (echo_off) {
    tcsetattr(fileno(in), TCSAFLUSH, &old);
    std::fputs("\n", out);
  }
  if (tty) std::fclose(tty);
  return pw;
}

}  // namespace lockdiag::report
