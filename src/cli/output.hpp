#pragma once
// Where output goes: --output FILE (written atomically) or standard output;
// and the filter that keeps standard error printable.

#include "cli/common_options.hpp"
#include "cli/context.hpp"
#include "llmcost/text_sink.hpp"

#include <cstddef>
#include <functional>
#include <ostream>
#include <streambuf>
#include <string>

namespace llmcost::cli {

// On SIGINT, SIGTERM and SIGHUP, the temporary file of an --output being
// written is removed before the process ends by the signal (128+signal).
void remove_output_temp_on_signals();

// True when --output names a file (not stdout).
bool writes_to_file(const CommonOptions& options);
// Output rendered in pieces: it hands each piece to the sink it is given.
using TextProducer = std::function<void(const TextSink&)>;

// Writes to --output (atomically, via a temporary file) or stdout.
void emit(const CommonOptions& options, Context& context, const std::string& text);
// The same, a piece at a time as `produce` renders it (a report of a
// million rows is never held whole).
void emit(const CommonOptions& options, Context& context, const TextProducer& produce);
// Writes `text` to standard output (`out`) and flushes it; throws Error on a
// failed write (a full disk), but not on a closed pipe (`| head`).
void write_stdout(std::ostream& out, const std::string& text);
void write_stdout(std::ostream& out, const TextProducer& produce);

// Standard error goes through this filter: messages quote what the input
// held, and input can hold NUL, escape sequences, invalid UTF-8 or a 100 MB
// field. Each line is made printable and cut to a readable length.
class PrintableLines : public std::streambuf
{
public:
  explicit PrintableLines(std::streambuf* target)
    : m_target(target)
  {
  }
  PrintableLines(const PrintableLines&) = delete;
  PrintableLines& operator=(const PrintableLines&) = delete;
  ~PrintableLines() override { sync(); }

protected:
  int_type overflow(int_type c) override;
  int sync() override;

private:
  static constexpr std::size_t k_max_line_bytes = 2000;

  void write_line(bool newline);

  std::streambuf* m_target;
  std::string m_line;
  std::size_t m_cut = 0;
};

} // namespace llmcost::cli
