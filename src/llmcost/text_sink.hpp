#pragma once
// Text written in pieces: a report of a million rows goes out as it is
// rendered, never held whole (as text, or as a JSON tree).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace llmcost {

// Receives the pieces of a text, in order.
using TextSink = std::function<void(std::string_view)>;

// Gathers small writes into pieces of about k_piece bytes for a TextSink:
// one call per piece, not per cell. finish() hands over the rest.
class ChunkedText
{
public:
  static constexpr std::size_t k_piece = 64 * 1024;

  explicit ChunkedText(const TextSink& sink)
    : m_sink(sink)
  {
    m_buffer.reserve(k_piece + 256);
  }
  ChunkedText(const ChunkedText&) = delete;
  ChunkedText& operator=(const ChunkedText&) = delete;
  ~ChunkedText() = default; // what finish() did not hand over is dropped (an exception is on its way)

  void put(std::string_view text)
  {
    m_buffer += text;
    if (m_buffer.size() >= k_piece) {
      hand_over();
    }
  }
  void put(char c)
  {
    m_buffer += c;
    if (m_buffer.size() >= k_piece) {
      hand_over();
    }
  }
  void finish() { hand_over(); }

private:
  void hand_over()
  {
    if (!m_buffer.empty()) {
      m_sink(m_buffer);
      m_buffer.clear();
    }
  }

  const TextSink& m_sink;
  std::string m_buffer;
};

} // namespace llmcost
