// password_prompt.h: -p without a value, as the mariadb client asks.
#ifndef LOCKDIAG_REPORT_PASSWORD_PROMPT_H_
#define LOCKDIAG_REPORT_PASSWORD_PROMPT_H_

#include <string>

namespace lockdiag::report {

// PromptPassword: prints "Enter password: " on the terminal (/dev/tty, else
// stderr) and reads one line without echo (from stdin when there is no
// terminal, so a script can pipe it).
std::string PromptPassword();

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_PASSWORD_PROMPT_H_
