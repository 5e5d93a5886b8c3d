#pragma once
// The members of a JSON object read by name, in one pass over the object,
// from a table of {enum, name} rows whose order is checked at compile time.

#include "llmcost/json_scan.hpp"
#include "llmcost/strings.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace llmcost {

// The text at a path of member names, or empty when it is not a string.
inline std::string_view text_at(JsonValue object, std::initializer_list<std::string_view> path)
{
  const JsonValue node = object.at(path);
  return node.is(JsonType::string) ? node.text() : std::string_view();
}

// One row of a reader's member table: an enum member and its JSON name.
template <typename Name> struct MemberName
{
  Name member;
  std::string_view name;
};

// The table's static check: row i names member i, every member of `Name`
// (up to its count_) has a row, and no name is empty. Members<Name> indexes
// its found members by the enum, so a row out of order would read the wrong
// member.
template <typename Name, std::size_t N> constexpr bool in_enum_order(const std::array<MemberName<Name>, N>& names)
{
  if (N != static_cast<std::size_t>(Name::count_)) {
    return false;
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(names[i].member) != i || names[i].name.empty()) {
      return false;
    }
  }
  return true;
}

// The members a reader asks an object for, found in one pass over its
// members: a trace line asks for some twenty names, and scanning the members
// once per name was a fifth of the reading time. Names compare unescaped and
// the last of repeated names wins, as with JsonValue::operator[].
class MemberNames
{
public:
  static constexpr std::size_t k_max_names = 24;
  // Tape indices of the members found; 0 (the root, never a member) for none.
  // Indices, not JsonValues: clearing them per object is a third of the stores.
  using Found = std::array<std::uint32_t, k_max_names>;

  // From a table that passed in_enum_order: names[i] names member i.
  template <typename Name, std::size_t N> explicit MemberNames(const std::array<MemberName<Name>, N>& names)
  {
    static_assert(N <= k_max_names);
    m_slots.fill(-1);
    for (std::size_t i = 0; i < N; ++i) {
      std::size_t s = slot(names[i].name);
      while (m_slots[s] >= 0) {
        s = (s + 1) % k_slots;
      }
      m_slots[s] = static_cast<std::int8_t>(i);
      m_names[i] = names[i].name;
    }
    m_count = N;
  }

  // The index of `name`, or -1.
  int find(std::string_view name) const
  {
    if (name.empty()) {
      return -1;
    }
    for (std::size_t s = slot(name);; s = (s + 1) % k_slots) {
      const int i = m_slots[s];
      if (i < 0 || same_text(m_names[static_cast<std::size_t>(i)], name)) {
        return i;
      }
    }
  }

  // Fills `found[i]` with the member named names[i] (none when absent);
  // true when some member has a name not among them.
  bool collect(JsonValue object, Found& found) const
  {
    std::fill_n(found.begin(), m_count, 0U);
    bool other = false;
    object.for_each_member([&](std::string_view name, JsonValue value) {
      const int i = find(name);
      if (i >= 0) {
        found[static_cast<std::size_t>(i)] = value.index();
      } else {
        other = true;
      }
    });
    return other;
  }

private:
  static constexpr std::size_t k_slots = 64;
  static std::size_t slot(std::string_view name)
  {
    return (name.size() * 7 + static_cast<unsigned char>(name.front()) * 3 + static_cast<unsigned char>(name.back())) %
           k_slots;
  }

  std::array<std::int8_t, k_slots> m_slots{};
  std::array<std::string_view, k_max_names> m_names{};
  std::size_t m_count = 0;
};

// The members of an object read by name, in one pass (see MemberNames).
template <typename Name> class Members
{
public:
  Members(const MemberNames& names, JsonValue object)
    : m_tape(object.tape())
    , m_object(object)
  {
    m_other = names.collect(object, m_found);
  }

  // The object itself, and whether it has members not asked for.
  JsonValue object() const { return m_object; }
  bool has_other_members() const { return m_other; }

  // As object.contains(name): present, even when null.
  bool has(Name name) const { return m_found[static_cast<std::size_t>(name)] != 0; }
  // As object.at({name}): none when missing or null.
  JsonValue get(Name name) const
  {
    const JsonValue value = found(name);
    return value.present() ? value : JsonValue();
  }
  // As text_at(object, {name}).
  std::string_view text(Name name) const
  {
    const JsonValue value = found(name);
    return value.is(JsonType::string) ? value.text() : std::string_view();
  }

private:
  JsonValue found(Name name) const
  {
    const std::uint32_t index = m_found[static_cast<std::size_t>(name)];
    return index == 0 ? JsonValue() : JsonValue(m_tape, index);
  }

  const JsonTape* m_tape;
  JsonValue m_object;
  bool m_other = false;
  MemberNames::Found m_found;
};

} // namespace llmcost
