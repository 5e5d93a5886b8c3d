#include "cli/terminal.hpp"

#include <cstdlib>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace llmcost::cli {

std::size_t terminal_columns_of(int fd)
{
  return terminal_columns(false) != 0 ? terminal_columns(false) : [fd] {
    winsize size{};
    return isatty(fd) != 0 && ioctl(fd, TIOCGWINSZ, &size) == 0 ? std::size_t{size.ws_col} : std::size_t{0};
  }();
}

std::size_t terminal_columns(bool stdout_is_tty)
{
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr && *columns != '\0') {
    char* end = nullptr;
    const unsigned long value = std::strtoul(columns, &end, 10);
    if (*end == '\0' && value > 0 && value < 10000) {
      return value;
    }
  }
  winsize size{};
  if (stdout_is_tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 0;
}

bool utf8_locale()
{
  const char* value = nullptr;
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    value = std::getenv(name);
    if (value != nullptr && *value != '\0') {
      break;
    }
  }
  if (value == nullptr) {
    return false;
  }
  std::string text = value;
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text.find("utf-8") != std::string::npos || text.find("utf8") != std::string::npos;
}

} // namespace llmcost::cli
