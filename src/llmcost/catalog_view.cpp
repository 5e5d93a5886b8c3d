#include "llmcost/catalog_view.hpp"
#include "llmcost/json_util.hpp"

#include "llmcost/pricing.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace llmcost {

using nlohmann::ordered_json;

namespace {

std::string money_text(const std::optional<Price>& price)
{
  if (!price) {
    return "";
  }
  return (price->approximate ? "~" : "") + price->amount.to_exact_string(2);
}

std::string media_text(const MediaPrice& media)
{
  std::string unit(to_string(media.unit));
  if (media.varies) {
    return "varies per " + unit;
  }
  std::string out;
  if (media.price) {
    out = (media.approximate ? "~" : "") + media.price->amount.to_exact_string(2);
  } else {
    std::vector<std::string> tiers;
    for (const auto& [name, amount] : media.tiers) {
      tiers.push_back(name + " " + amount.to_exact_string(2));
    }
    out = fmt::format("{}", fmt::join(tiers, " / "));
  }
  out += " per " + unit;
  if (media.minimum) {
    out += fmt::format(" (min {} per request)", media.minimum->to_exact_string(0));
  }
  if (media.default_seconds) {
    out += fmt::format(" (default {} s)", media.default_seconds->to_exact_string(0));
  }
  return out;
}

std::string limit_text(const std::optional<std::int64_t>& value)
{
  if (!value) {
    return "-";
  }
  if (*value == k_unlimited) {
    return "unlimited";
  }
  return group_thousands(std::to_string(*value));
}

ordered_json price_json(const std::optional<Price>& p)
{
  if (!p) {
    return nullptr;
  }
  ordered_json j{{"price", p->amount.to_exact_string(2)}};
  if (p->approximate) {
    j["approximate"] = true;
  }
  return j;
}

ordered_json price_set_json(const Card& card, const PriceSet& set)
{
  ordered_json j;
  j["from"] = format_date(set.from);
  if (set.media) {
    const MediaPrice& m = *set.media;
    ordered_json media{{"unit", std::string(to_string(m.unit))}};
    if (m.varies) {
      media["varies"] = true;
    }
    if (m.price) {
      media["price"] = m.price->amount.to_exact_string(2);
    }
    if (!m.tiers.empty()) {
      media["tier_by"] = m.tier_by;
      ordered_json tiers;
      for (const auto& [name, amount] : m.tiers) {
        tiers[name] = amount.to_exact_string(2);
      }
      media["tiers"] = tiers;
    }
    if (m.approximate) {
      media["approximate"] = true;
    }
    if (m.minimum) {
      media["minimum"] = m.minimum->to_exact_string(0);
    }
    if (m.default_seconds) {
      media["default_seconds"] = m.default_seconds->to_exact_string(0);
    }
    j["media"] = media;
    return j;
  }
  j["unit"] = "1M tokens";
  j["input"] = price_json(set.input);
  j["cached_input"] = price_json(set.cached_input);
  j["output"] = price_json(set.output);
  if (auto batch = effective_token_prices(card, set, true)) {
    ordered_json b;
    b["input"] = batch->input ? ordered_json(batch->input->to_exact_string(2)) : ordered_json(nullptr);
    b["cached_input"] =
        batch->cached_input ? ordered_json(batch->cached_input->to_exact_string(2)) : ordered_json(nullptr);
    b["output"] = batch->output ? ordered_json(batch->output->to_exact_string(2)) : ordered_json(nullptr);
    j["batch"] = b;
  } else {
    j["batch"] = nullptr;
  }
  if (set.request_fee) {
    j["request_fee"] = {{"price", set.request_fee->amount.to_exact_string(2)}, {"label", set.request_fee_label}};
  }
  return j;
}

} // namespace

std::string describe_prices(const Card& card, const Model& model, const PriceSet& prices)
{
  (void)model;
  if (prices.media) {
    return media_text(*prices.media);
  }
  std::string out =
      fmt::format("input {} / cached {} / output {} per 1M tokens", money_text(prices.input),
                  prices.cached_input ? money_text(prices.cached_input) : "(input price)", money_text(prices.output));
  if (prices.request_fee) {
    out += fmt::format(" + {} per request ({})", money_text(prices.request_fee), prices.request_fee_label);
  }
  (void)card;
  return out;
}

std::string describe_applied_prices(const Card& card, const Model& model, const PriceSet& prices, bool batch)
{
  const auto applied = batch ? effective_token_prices(card, prices, true) : std::nullopt;
  if (!applied) {
    return describe_prices(card, model, prices);
  }
  auto text = [](const std::optional<Decimal>& price) { return price ? price->to_exact_string(2) : "n/a"; };
  std::string out =
      fmt::format("input {} / cached {} / output {} per 1M tokens (batch)", text(applied->input),
                  applied->cached_input ? text(applied->cached_input) : "(input price)", text(applied->output));
  if (prices.request_fee) {
    out += fmt::format(" + {} per request ({})", money_text(prices.request_fee), prices.request_fee_label);
  }
  return out;
}

std::string model_status(const Model& model)
{
  if (model.retired) {
    return "retired since " + format_date(model.retired->day);
  }
  if (model.deprecated) {
    return "deprecated since " + format_date(model.deprecated->day);
  }
  return "current";
}

TextTable models_table(const Catalog& catalog, const std::string& provider, std::optional<ModelKind> kind)
{
  TextTable table;
  table.headers = {"provider",    "model",       "kind",    "input $/1M", "cached $/1M",
                   "output $/1M", "other price", "context", "status"};
  table.numeric = {false, false, false, true, true, true, false, true, false};
  for (const auto& card : catalog.cards()) {
    if (!provider.empty() && card.provider != provider) {
      continue;
    }
    for (const auto& model : card.models) {
      if (kind && model.kind != *kind) {
        continue;
      }
      const PriceSet& p = model.current();
      std::string other;
      if (p.media) {
        other = media_text(*p.media);
      } else if (p.request_fee) {
        other = fmt::format("{} per request ({})", money_text(p.request_fee), p.request_fee_label);
      }
      table.rows.push_back({card.provider, model.id, std::string(to_string(model.kind)), money_text(p.input),
                            money_text(p.cached_input), money_text(p.output), other,
                            model.context_window ? group_thousands(std::to_string(*model.context_window)) : "",
                            model_status(model)});
    }
  }
  return table;
}

namespace {

std::string model_rates_json(const Card& card, const Model& model)
{
  ordered_json j;
  j["provider"] = card.provider;
  j["model"] = model.id;
  j["aliases"] = model.aliases;
  j["kind"] = std::string(to_string(model.kind));
  j["currency"] = card.currency;
  j["context_window"] = model.context_window ? ordered_json(*model.context_window) : ordered_json(nullptr);
  j["tax_included"] = card.tax_included;
  j["source"] = model.source;
  const Source* source = card.find_source(model.source);
  j["source_official"] =
      source != nullptr && source->official ? ordered_json(*source->official) : ordered_json(nullptr);
  j["note"] = model.note;
  j["status"] = model_status(model);
  for (const auto& [name, event] : {std::pair{"launched", &model.launched}, std::pair{"deprecated", &model.deprecated},
                                    std::pair{"retired", &model.retired}}) {
    j[name] =
        *event
            ? ordered_json{{"date", format_date((*event)->day)}, {"source", (*event)->source}, {"note", (*event)->note}}
            : ordered_json(nullptr);
  }
  j["successor"] = model.successor.empty() ? ordered_json(nullptr) : ordered_json(model.successor);
  j["current"] = price_set_json(card, model.current());
  ordered_json history = ordered_json::array();
  for (std::size_t i = 0; i + 1 < model.periods.size(); ++i) {
    history.push_back(price_set_json(card, model.periods[i]));
  }
  j["history"] = history;
  if (model.kind == ModelKind::chat && card.web_search_call_fee) {
    j["web_search_call_fee"] = card.web_search_call_fee->amount.to_exact_string(2);
  }
  return dump_json(j);
}

std::string model_rates_text(const Card& card, const Model& model)
{
  std::string out = fmt::format("{}/{} ({}, {})\n", card.provider, model.id, to_string(model.kind), card.currency);
  if (!model.aliases.empty()) {
    out += fmt::format("  aliases:        {}\n", fmt::join(model.aliases, ", "));
  }
  const PriceSet& current = model.current();
  out += fmt::format("  price:          {}\n", describe_prices(card, model, current));
  out += fmt::format("  in effect from: {} (price source: {})\n", format_date(current.from),
                     card.source_label(current.source));
  if (model.kind == ModelKind::chat) {
    std::string why;
    if (auto batch = effective_token_prices(card, current, true, &why)) {
      out += fmt::format("  batch:          input {} / cached {} / output {} per 1M tokens\n",
                         batch->input ? batch->input->to_exact_string(2) : "-",
                         batch->cached_input ? batch->cached_input->to_exact_string(2) : "(input price)",
                         batch->output ? batch->output->to_exact_string(2) : "-");
    } else {
      out += fmt::format("  batch:          not available ({})\n", why);
    }
    if (card.web_search_call_fee) {
      out += fmt::format("  web search:     {} per call; results billed as input tokens\n",
                         card.web_search_call_fee->amount.to_exact_string(2));
    }
    if (!current.cached_input) {
      out += "  caching:        no cached price listed; cached tokens are billed at the input price\n";
    }
  }
  if (model.context_window) {
    out += fmt::format("  context window: {} tokens\n", group_thousands(std::to_string(*model.context_window)));
  }
  out += fmt::format("  tax:            {}\n", card.tax_included ? "included" : "not included");
  out += fmt::format("  status:         {}{}\n", model_status(model),
                     model.successor.empty() ? "" : "; successor " + model.successor);
  for (const auto& [name, event] :
       {std::pair{"launched:      ", &model.launched}, std::pair{"deprecated:    ", &model.deprecated},
        std::pair{"retired:       ", &model.retired}}) {
    if (*event) {
      out += fmt::format("  {} {} (source: {}){}\n", name, format_date((*event)->day),
                         card.source_label((*event)->source), (*event)->note.empty() ? "" : "; " + (*event)->note);
    }
  }
  for (std::size_t i = 0; i + 1 < model.periods.size(); ++i) {
    out += fmt::format("  earlier:        from {}: {} (source: {})\n", format_date(model.periods[i].from),
                       describe_prices(card, model, model.periods[i]), card.source_label(model.periods[i].source));
  }
  std::string source_title = model.source;
  for (const auto& s : card.sources) {
    if (s.id == model.source) {
      source_title =
          fmt::format("{} ({}{}){}", s.title, s.file.empty() ? s.url : s.file, s.date.empty() ? "" : ", " + s.date,
                      !s.official   ? ""
                      : *s.official ? "; official"
                                    : "; third-party");
    }
  }
  out += fmt::format("  source:         {}\n", source_title);
  if (!model.note.empty()) {
    out += fmt::format("  note:           {}\n", model.note);
  }
  return out;
}

} // namespace

std::string render_model_rates(const Card& card, const Model& model, OutputFormat format)
{
  switch (format) {
  case OutputFormat::table:
    return model_rates_text(card, model);
  case OutputFormat::json:
    return model_rates_json(card, model);
  case OutputFormat::csv:
  case OutputFormat::markdown:
  case OutputFormat::html:
  case OutputFormat::focus:
    break;
  }
  format_not_offered(format, "rates show");
}

std::string render_not_carried(const Card& card, const NotCarried& entry, OutputFormat format)
{
  std::vector<std::string> sources;
  for (const auto& id : entry.sources) {
    sources.push_back(card.source_label(id));
  }
  switch (format) {
  case OutputFormat::table: {
    std::string out =
        fmt::format("{}/{}: not priced by llmcost (listed under the card's not_carried)\n", card.provider, entry.id);
    out += fmt::format("  reason:         {}\n", entry.summary());
    out += fmt::format("  sources:        {}\n", fmt::join(sources, ", "));
    if (!entry.note.empty()) {
      out += fmt::format("  note:           {}\n", entry.note);
    }
    return out;
  }
  case OutputFormat::json:
    return dump_json(ordered_json{{"provider", card.provider},
                                  {"model", entry.id},
                                  {"carried", false},
                                  {"reason", entry.summary()},
                                  {"sources", entry.sources},
                                  {"note", entry.note}});
  case OutputFormat::csv:
  case OutputFormat::markdown:
  case OutputFormat::html:
  case OutputFormat::focus:
    break;
  }
  format_not_offered(format, "rates show");
}

namespace {

std::string card_summary_json(const Card& card)
{
  ordered_json j;
  j["provider"] = card.provider;
  j["name"] = card.name;
  j["currency"] = card.currency;
  j["origin"] = card.origin;
  j["effective_from"] = format_date(card.effective_from);
  j["tax_included"] = card.tax_included;
  j["models"] = card.models.size();
  ordered_json tiers = ordered_json::array();
  for (const auto& t : card.tiers) {
    auto limit = [](const std::optional<std::int64_t>& v) -> ordered_json {
      if (!v) {
        return nullptr;
      }
      return *v == k_unlimited ? ordered_json("unlimited") : ordered_json(*v);
    };
    tiers.push_back({{"name", t.name},
                     {"min_purchase", t.min_purchase.to_exact_string(2)},
                     {"concurrency", limit(t.concurrency)},
                     {"rpm", limit(t.rpm)},
                     {"per_model_rpm", limit(t.per_model_rpm)},
                     {"tpm", limit(t.tpm)},
                     {"tpd", limit(t.tpd)}});
  }
  j["rate_limit_tiers"] = tiers;
  ordered_json credits = ordered_json::array();
  for (const auto& c : card.credits) {
    ordered_json r{{"kind", c.kind}};
    if (c.amount) {
      r["amount"] = c.amount->to_exact_string(2);
    }
    if (c.threshold) {
      r["threshold"] = c.threshold->to_exact_string(2);
    }
    if (!c.amounts.empty()) {
      std::vector<std::string> amounts;
      for (const auto& a : c.amounts) {
        amounts.push_back(a.to_exact_string(2));
      }
      r["amounts"] = amounts;
    }
    r["note"] = c.note;
    credits.push_back(r);
  }
  j["credits"] = credits;
  if (!card.not_carried.empty()) {
    ordered_json left_out = ordered_json::array();
    for (const auto& entry : card.not_carried) {
      left_out.push_back({{"id", entry.id}, {"reason", entry.summary()}});
    }
    j["not_carried"] = left_out;
  }
  return dump_json(j);
}

std::string card_summary_text(const Card& card)
{
  std::string out =
      fmt::format("{} — {} ({}, {} models)\n", card.provider, card.name, card.currency, card.models.size());
  out += fmt::format("  effective from: {}{}\n", format_date(card.effective_from),
                     card.effective_from_note.empty() ? "" : " (" + card.effective_from_note + ")");
  out += fmt::format("  tax:            {}{}\n", card.tax_included ? "included" : "not included",
                     card.tax_note.empty() ? "" : " — " + card.tax_note);
  out += fmt::format("  batch:          {}{}\n",
                     card.batch_available ? "available; " + batch_served_by(card) : std::string("not available"),
                     card.batch_note.empty() ? "" : " — " + card.batch_note);
  if (card.web_search_call_fee) {
    out += fmt::format("  web search:     {} per call — {}\n", card.web_search_call_fee->amount.to_exact_string(2),
                       card.web_search_call_fee->note);
  }
  if (!card.tiers.empty()) {
    TextTable tiers;
    tiers.headers = {"    tier", "min purchase", "concurrency", "RPM", "per-model RPM", "TPM", "TPD"};
    tiers.numeric = {false, true, true, true, true, true, true};
    for (const auto& t : card.tiers) {
      tiers.rows.push_back({"    " + t.name, "$" + format_money(t.min_purchase, 2), limit_text(t.concurrency),
                            limit_text(t.rpm), limit_text(t.per_model_rpm), limit_text(t.tpm), limit_text(t.tpd)});
    }
    out += "  rate-limit tiers:\n" + render_aligned(tiers);
    if (!card.rate_limits_note.empty()) {
      out += "    " + card.rate_limits_note + "\n";
    }
  }
  if (!card.credits.empty()) {
    out += "  credits:\n";
    for (const auto& c : card.credits) {
      std::string amount;
      if (c.amount) {
        amount = "$" + c.amount->to_exact_string(2);
      }
      if (!c.amounts.empty()) {
        std::vector<std::string> list;
        for (const auto& a : c.amounts) {
          list.push_back("$" + a.to_exact_string(0));
        }
        amount = fmt::format("{}", fmt::join(list, " / "));
      }
      if (c.threshold) {
        amount += fmt::format(" at ${} cumulative", c.threshold->to_exact_string(0));
      }
      out += fmt::format("    {:<18} {}{}\n", c.kind, amount, c.note.empty() ? "" : " — " + c.note);
    }
  }
  if (!card.not_carried.empty()) {
    out += "  not carried:\n";
    for (const auto& entry : card.not_carried) {
      out += fmt::format("    {} — {}\n", entry.id, entry.summary());
    }
  }
  out += "  sources:\n";
  for (const auto& s : card.sources) {
    out += fmt::format("    {}{}: {}{}{}\n", s.id,
                       !s.official   ? ""
                       : *s.official ? " (official)"
                                     : " (third-party)",
                       s.title, s.file.empty() ? (s.url.empty() ? "" : " <" + s.url + ">") : " [" + s.file + "]",
                       s.date.empty() ? "" : " (" + s.date + ")");
  }
  return out;
}

} // namespace

std::string render_card_summary(const Card& card, OutputFormat format)
{
  switch (format) {
  case OutputFormat::table:
    return card_summary_text(card);
  case OutputFormat::json:
    return card_summary_json(card);
  case OutputFormat::csv:
  case OutputFormat::markdown:
  case OutputFormat::html:
  case OutputFormat::focus:
    break;
  }
  format_not_offered(format, "rates show");
}

std::vector<CardChange> diff_cards(const Card& before, const Card& after, bool compare_batch)
{
  std::vector<CardChange> changes;
  if (before.currency != after.currency) {
    changes.push_back({"", fmt::format("currency {} -> {}", before.currency, after.currency)});
  }
  if (before.effective_from != after.effective_from) {
    changes.push_back({"", fmt::format("effective_from {} -> {}", format_date(before.effective_from),
                                       format_date(after.effective_from))});
  }
  if (before.tax_included != after.tax_included) {
    changes.push_back({"", fmt::format("tax included {} -> {}", before.tax_included, after.tax_included)});
  }
  auto fee = [](const std::optional<Price>& p) { return p ? p->amount.to_exact_string(2) : std::string("none"); };
  if (fee(before.web_search_call_fee) != fee(after.web_search_call_fee)) {
    changes.push_back({"", fmt::format("web search per call {} -> {}", fee(before.web_search_call_fee),
                                       fee(after.web_search_call_fee))});
  }
  for (const auto& old_model : before.models) {
    if (after.find_model(old_model.id) == nullptr) {
      changes.push_back({old_model.id, "removed"});
    }
  }
  for (const auto& new_model : after.models) {
    const Model* old_model = before.find_model(new_model.id);
    if (old_model == nullptr) {
      changes.push_back({new_model.id, "added: " + describe_prices(after, new_model, new_model.current())});
      continue;
    }
    const std::string a = describe_prices(before, *old_model, old_model->current());
    const std::string b = describe_prices(after, new_model, new_model.current());
    if (a != b) {
      changes.push_back({new_model.id, a + " -> " + b});
    }
    std::string why;
    auto ba = effective_token_prices(before, old_model->current(), true, &why);
    auto bb = effective_token_prices(after, new_model.current(), true, &why);
    auto batch_text = [](const std::optional<EffectiveTokenPrices>& p) {
      if (!p) {
        return std::string("none");
      }
      auto v = [](const std::optional<Decimal>& d) { return d ? d->to_exact_string(2) : std::string("-"); };
      return fmt::format("{}/{}/{}", v(p->input), v(p->cached_input), v(p->output));
    };
    if (compare_batch && new_model.kind == ModelKind::chat && batch_text(ba) != batch_text(bb)) {
      changes.push_back({new_model.id, fmt::format("batch {} -> {}", batch_text(ba), batch_text(bb))});
    }
    if (old_model->context_window != new_model.context_window) {
      changes.push_back({new_model.id, fmt::format("context window {} -> {}", old_model->context_window.value_or(0),
                                                   new_model.context_window.value_or(0))});
    }
  }
  return changes;
}

} // namespace llmcost
