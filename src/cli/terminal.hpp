#pragma once
// What the terminal can show: its width and whether it takes UTF-8.

#include <cstddef>

namespace llmcost::cli {

// COLUMNS when set to a number; else the width of standard output when it is
// a terminal (`fd_is_tty`); else 0 (unknown: no limit).
std::size_t terminal_columns(bool stdout_is_tty);

// COLUMNS, else the width of the terminal on `fd` (0 when it is not one).
std::size_t terminal_columns_of(int fd);

// LC_ALL, else LC_CTYPE, else LANG names a UTF-8 locale.
bool utf8_locale();

} // namespace llmcost::cli
