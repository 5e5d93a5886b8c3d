#include "llmcost/usage.hpp"

#include "llmcost/strings.hpp"
#include "llmcost/timestamp.hpp"

#include <fmt/format.h>

namespace llmcost {

std::optional<Day> local_day_of(const UsageRecord& record, std::int32_t offset_seconds)
{
  if (!record.time) {
    return std::nullopt;
  }
  return day_at_offset(*record.time, offset_seconds);
}

Usage usage_of(const UsageRecord& record)
{
  return usage_from_counts(record.counts);
}

std::string conflicting_response_detail(const UsageRecord& record)
{
  return fmt::format("response {} was read before with other usage (model {}, {} input, {} cached, {} output "
                     "tokens here); one response is billed once (expected copies of a response to agree)",
                     elide(std::string(record.request_id), 80), record.model, record.counts[Counter::input],
                     record.counts[Counter::cached_input], record.counts[Counter::output]);
}

std::optional<std::string> nul_byte_detail(const UsageRecord& record)
{
  const std::pair<std::string_view, std::string_view> fields[] = {
      {"provider", record.provider}, {"model", record.model}, {"request_id", record.request_id},
      {"project", record.project},   {"key", record.key},     {"session", record.session},
  };
  for (const auto& [name, text] : fields) {
    if (text.find('\0') != std::string_view::npos) {
      return fmt::format("NUL byte in field {}: \"{}\" (expected text without NUL bytes)", name,
                         printable(elide(std::string(text), 80)));
    }
  }
  return std::nullopt;
}

} // namespace llmcost
