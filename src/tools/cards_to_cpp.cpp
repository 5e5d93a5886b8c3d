// Build-time generator: loads pricing/*.json with the real load_card (so a
// card that fails validation fails the build) and writes C++ that builds the
// same Card structs directly. The binary then starts without parsing JSON.
//   llmcost_cards_to_cpp OUTPUT.cpp CARD.json...

#include "llmcost/catalog.hpp"
#include "llmcost/error.hpp"
#include "llmcost/ratecard.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>

namespace {

using namespace llmcost;

// A C++ string literal. Octal escapes for anything outside printable ASCII:
// unlike \x they stop after three digits, so following text cannot extend them.
std::string quoted(std::string_view text)
{
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\{:03o}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Decimals by their raw 1e-12 count, never through text or double.
std::string decimal(Decimal value)
{
  const int128 raw = value.raw();
  // INT64_MIN has no literal form: it goes the wide way.
  if (raw > std::numeric_limits<std::int64_t>::min() && raw <= std::numeric_limits<std::int64_t>::max()) {
    return fmt::format("dec({})", static_cast<std::int64_t>(raw));
  }
  const int128 base = 1'000'000'000'000'000'000;
  return fmt::format("wide({}, {})", static_cast<std::int64_t>(raw / base), static_cast<std::int64_t>(raw % base));
}

std::string optional_int(const std::optional<std::int64_t>& value)
{
  return value ? fmt::format("{}", *value) : "std::nullopt";
}

std::string price(const Price& p)
{
  return fmt::format("price({}, {}, {})", decimal(p.amount), p.approximate ? "true" : "false", quoted(p.note));
}

class Writer
{
public:
  void line(const std::string& text) { m_out += std::string(m_indent, ' ') + text + "\n"; }
  void indent() { m_indent += 2; }
  void dedent() { m_indent -= 2; }
  // `target = value;` only when the value is not the default.
  void set(const std::string& target, const std::string& value)
  {
    if (!value.empty()) {
      line(target + " = " + quoted(value) + ";");
    }
  }
  void set(const std::string& target, bool value)
  {
    if (value) {
      line(target + " = true;");
    }
  }
  void set(const std::string& target, const std::optional<Price>& value)
  {
    if (value) {
      line(target + " = " + price(*value) + ";");
    }
  }
  void set(const std::string& target, const std::optional<Decimal>& value)
  {
    if (value) {
      line(target + " = " + decimal(*value) + ";");
    }
  }
  const std::string& text() const { return m_out; }

private:
  std::string m_out;
  int m_indent = 0;
};

void write_prices(Writer& w, const PriceSet& s)
{
  w.line(fmt::format("s.from = {};", s.from));
  w.set("s.source", s.source);
  w.set("s.note", s.note);
  w.set("s.input", s.input);
  w.set("s.cached_input", s.cached_input);
  w.set("s.output", s.output);
  w.set("s.batch_input", s.batch_input);
  w.set("s.batch_cached_input", s.batch_cached_input);
  w.set("s.batch_output", s.batch_output);
  w.set("s.request_fee", s.request_fee);
  w.set("s.request_fee_label", s.request_fee_label);
  if (s.media) {
    const MediaPrice& m = *s.media;
    w.line("{");
    w.indent();
    w.line("MediaPrice& mp = s.media.emplace();");
    w.line(fmt::format("mp.unit = static_cast<MediaUnit>({});", static_cast<int>(m.unit)));
    w.set("mp.price", m.price);
    w.set("mp.tier_by", m.tier_by);
    if (!m.tiers.empty()) {
      w.line(fmt::format("mp.tiers.reserve({});", m.tiers.size()));
    }
    for (const auto& [name, amount] : m.tiers) {
      w.line(fmt::format("mp.tiers.emplace_back({}, {});", quoted(name), decimal(amount)));
    }
    w.set("mp.varies", m.varies);
    w.set("mp.approximate", m.approximate);
    w.set("mp.minimum", m.minimum);
    w.set("mp.default_seconds", m.default_seconds);
    w.dedent();
    w.line("}");
  }
}

void write_model(Writer& w, const Model& model)
{
  w.line("{");
  w.indent();
  w.line("Model& m = c.models.emplace_back();");
  w.set("m.id", model.id);
  if (!model.aliases.empty()) {
    std::string list;
    for (const auto& alias : model.aliases) {
      list += (list.empty() ? "" : ", ") + quoted(alias);
    }
    w.line("m.aliases = {" + list + "};");
  }
  w.line(fmt::format("m.kind = static_cast<ModelKind>({});", static_cast<int>(model.kind)));
  if (model.context_window) {
    w.line(fmt::format("m.context_window = {};", *model.context_window));
  }
  w.set("m.source", model.source);
  w.set("m.note", model.note);
  for (const auto& [name, event] : {std::pair{"launched", &model.launched}, std::pair{"deprecated", &model.deprecated},
                                    std::pair{"retired", &model.retired}}) {
    if (*event) {
      w.line(fmt::format("m.{} = LifecycleDate{{{}, {}, {}}};", name, (*event)->day, quoted((*event)->source),
                         quoted((*event)->note)));
    }
  }
  w.set("m.successor", model.successor);
  w.line(fmt::format("m.periods.reserve({});", model.periods.size()));
  for (const auto& period : model.periods) {
    w.line("{");
    w.indent();
    w.line("PriceSet& s = m.periods.emplace_back();");
    write_prices(w, period);
    w.dedent();
    w.line("}");
  }
  w.dedent();
  w.line("}");
}

void write_card(Writer& w, const Card& card, std::size_t index)
{
  w.line(fmt::format("Card card_{}()", index));
  w.line("{");
  w.indent();
  w.line("Card c;");
  w.set("c.provider", card.provider);
  w.set("c.name", card.name);
  w.set("c.currency", card.currency);
  w.set("c.origin", std::string("bundled"));
  w.set("c.tax_included", card.tax_included);
  w.set("c.tax_note", card.tax_note);
  w.line(fmt::format("c.effective_from = {};", card.effective_from));
  w.set("c.effective_from_note", card.effective_from_note);
  w.line(fmt::format("c.sources.reserve({});", card.sources.size()));
  for (const auto& source : card.sources) {
    w.line(fmt::format("c.sources.push_back(Source{{{}, {}, {}, {}, {}, {}}});", quoted(source.id),
                       quoted(source.title), quoted(source.file), quoted(source.url), quoted(source.date),
                       !source.official   ? "std::nullopt"
                       : *source.official ? "true"
                                          : "false"));
  }
  w.set("c.batch_available", card.batch_available);
  w.set("c.batch_source", card.batch_source);
  w.set("c.batch_note", card.batch_note);
  w.set("c.web_search_call_fee", card.web_search_call_fee);
  w.line(fmt::format("c.models.reserve({});", card.models.size()));
  for (const auto& model : card.models) {
    write_model(w, model);
  }
  w.line(fmt::format("c.tiers.reserve({});", card.tiers.size()));
  for (const auto& tier : card.tiers) {
    w.line(fmt::format("c.tiers.push_back(RateLimitTier{{{}, {}, {}, {}, {}, {}, {}}});", quoted(tier.name),
                       decimal(tier.min_purchase), optional_int(tier.concurrency), optional_int(tier.rpm),
                       optional_int(tier.per_model_rpm), optional_int(tier.tpm), optional_int(tier.tpd)));
  }
  w.set("c.rate_limits_note", card.rate_limits_note);
  w.line(fmt::format("c.credits.reserve({});", card.credits.size()));
  for (const auto& credit : card.credits) {
    w.line("{");
    w.indent();
    w.line("CreditRule& r = c.credits.emplace_back();");
    w.set("r.kind", credit.kind);
    w.set("r.amount", credit.amount);
    for (const auto& amount : credit.amounts) {
      w.line(fmt::format("r.amounts.push_back({});", decimal(amount)));
    }
    w.set("r.threshold", credit.threshold);
    w.set("r.note", credit.note);
    w.dedent();
    w.line("}");
  }
  w.set("c.credits_note", card.credits_note);
  w.line(fmt::format("c.not_carried.reserve({});", card.not_carried.size()));
  for (const auto& entry : card.not_carried) {
    w.line("{");
    w.indent();
    w.line("NotCarried& n = c.not_carried.emplace_back();");
    w.set("n.id", entry.id);
    for (const auto& source : entry.sources) {
      w.line(fmt::format("n.sources.push_back({});", quoted(source)));
    }
    w.set("n.reason", entry.reason);
    w.set("n.note", entry.note);
    w.dedent();
    w.line("}");
  }
  w.set("c.not_carried_note", card.not_carried_note);
  w.line("return c;");
  w.dedent();
  w.line("}");
  w.line("");
}

} // namespace

int main(int argc, char** argv)
{
  if (argc < 3) {
    std::cerr << "usage: llmcost_cards_to_cpp OUTPUT.cpp CARD.json...\n";
    return 2;
  }
  Writer w;
  w.line("// Generated from pricing/*.json by src/tools/cards_to_cpp.cpp. Do not edit.");
  w.line("#include \"llmcost/ratecard.hpp\"");
  w.line("");
  w.line("namespace llmcost {");
  w.line("");
  w.line("namespace {");
  w.line("");
  w.line("[[maybe_unused]] Decimal dec(std::int64_t raw) { return Decimal::from_raw(raw); }");
  w.line("[[maybe_unused]] Decimal wide(std::int64_t high, std::int64_t low)");
  w.line("{");
  w.line("  return Decimal::from_raw(static_cast<int128>(high) * 1'000'000'000'000'000'000 + low);");
  w.line("}");
  w.line("[[maybe_unused]] Price price(Decimal amount, bool approximate, const char* note)");
  w.line("{");
  w.line("  return Price{amount, approximate, note};");
  w.line("}");
  w.line("");
  std::size_t count = 0;
  std::vector<std::string> routes;
  try {
    for (int i = 2; i < argc; ++i) {
      const std::string path = argv[i];
      const std::string name = path.substr(path.find_last_of('/') + 1);
      const CardLoad load = load_card(read_card_file(path), "bundled card " + name);
      if (!load.card) {
        for (const auto& p : load.problems) {
          std::cerr << path << ": " << (p.where.empty() ? p.message : p.where + ": " + p.message) << "\n";
        }
        return 1;
      }
      write_card(w, *load.card, count++);
      routes.push_back(load.card->provider);
    }
  } catch (const std::exception& e) {
    std::cerr << "llmcost_cards_to_cpp: " << e.what() << "\n";
    return 1;
  }
  w.line("} // namespace");
  w.line("");
  w.line("std::vector<Card> bundled_cards()");
  w.line("{");
  w.line("  std::vector<Card> cards;");
  w.line(fmt::format("  cards.reserve({});", count));
  for (std::size_t i = 0; i < count; ++i) {
    w.line(fmt::format("  cards.push_back(card_{}());", i));
  }
  w.line("  return cards;");
  w.line("}");
  w.line("");
  // The route names alone, for help texts set up before any card is needed.
  w.line("std::vector<std::string> bundled_routes()");
  w.line("{");
  std::string list;
  for (const auto& route : routes) {
    list += (list.empty() ? "" : ", ") + fmt::format("\"{}\"", route);
  }
  w.line(fmt::format("  return {{{}}};", list));
  w.line("}");
  w.line("");
  w.line("} // namespace llmcost");
  std::ofstream out(argv[1], std::ios::binary);
  out << w.text();
  out.close();
  if (!out) {
    std::cerr << "llmcost_cards_to_cpp: cannot write " << argv[1] << "\n";
    std::remove(argv[1]);
    return 1;
  }
  return 0;
}
