// Report rendering: number formatting, table / JSON / CSV / Markdown.

#include "llmcost/catalog.hpp"
#include "llmcost/estimate.hpp"
#include "llmcost/json_util.hpp"
#include "llmcost/render.hpp"

#include "unit_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace llmcost;
using llmcost::test::chat;
using llmcost::test::contains;
using llmcost::test::dec;
using llmcost::test::estimate;

namespace {

// A report built by hand: one row per amount, each one request, the amount
// as input cost; totals are the exact sums.
Report hand_report(const std::vector<std::string>& amounts)
{
  Report report;
  report.period = "month";
  report.key_names = {"model"};
  const char* names[] = {"a", "b", "c", "d"};
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    ReportRow row;
    row.keys = {names[i]};
    row.usage.requests = dec("1");
    row.cost.input = dec(amounts[i]);
    report.total_usage += row.usage;
    report.total_cost += row.cost;
    report.rows.push_back(row);
  }
  return report;
}

RenderOptions options(OutputFormat format, int precision = 2)
{
  RenderOptions o;
  o.format = format;
  o.precision = precision;
  o.title = "estimate";
  return o;
}

std::vector<std::string> lines_of(const std::string& text)
{
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::string rule(std::size_t width)
{
  std::string out;
  for (std::size_t i = 0; i < width; ++i) {
    out += "─";
  }
  return out;
}

} // namespace

TEST_SUITE("llmcost/render")
{
  TEST_CASE("group_thousands")
  {
    CHECK(group_thousands("1234567.5") == "1,234,567.5");
    CHECK(group_thousands("1234567") == "1,234,567");
    CHECK(group_thousands("123") == "123");
    CHECK(group_thousands("1000") == "1,000");
    CHECK(group_thousands("100000") == "100,000");
    CHECK(group_thousands("-1234") == "-1,234");
    CHECK(group_thousands("-100000.25") == "-100,000.25");
    CHECK(group_thousands("0.123456") == "0.123456"); // fraction digits untouched
    CHECK(group_thousands("999999.999") == "999,999.999");
    CHECK(group_thousands("") == "");
  }

  TEST_CASE("format_money rounds half-to-even and groups")
  {
    CHECK(format_money(dec("1234567.125"), 2) == "1,234,567.12");
    CHECK(format_money(dec("1234567.135"), 2) == "1,234,567.14");
    CHECK(format_money(dec("-0.125"), 2) == "-0.12");
    CHECK(format_money(dec("999.995"), 2) == "1,000.00"); // 9 is odd: up
    CHECK(format_money(dec("3.885"), 2) == "3.88");
    CHECK(format_money(dec("3.885"), 3) == "3.885");
    CHECK(format_money(dec("2.5"), 0) == "2");
    CHECK(format_money(dec("215"), 2) == "215.00");
    CHECK(format_quantity(dec("100000000")) == "100,000,000");
    CHECK(format_quantity(dec("608.5")) == "608.5");
  }

  TEST_CASE("parse_output_format")
  {
    CHECK(parse_output_format("table") == std::optional<OutputFormat>(OutputFormat::table));
    CHECK(parse_output_format("json") == std::optional<OutputFormat>(OutputFormat::json));
    CHECK(parse_output_format("csv") == std::optional<OutputFormat>(OutputFormat::csv));
    CHECK(parse_output_format("markdown") == std::optional<OutputFormat>(OutputFormat::markdown));
    CHECK(parse_output_format("html") == std::optional<OutputFormat>(OutputFormat::html));
    CHECK(parse_output_format("focus") == std::optional<OutputFormat>(OutputFormat::focus));
    CHECK_FALSE(parse_output_format("xml").has_value());
    CHECK_FALSE(parse_output_format("md").has_value());
    CHECK_FALSE(parse_output_format("").has_value());
  }

  TEST_CASE("output formats: one name each, in enum order")
  {
    static_assert(k_output_formats.size() == 6);
    for (std::size_t i = 0; i < k_output_formats.size(); ++i) {
      const OutputFormat format = k_output_formats[i];
      CHECK(static_cast<std::size_t>(format) == i);
      CHECK(parse_output_format(to_string(format)) == std::optional<OutputFormat>(format));
    }
  }

  TEST_CASE("render_report refuses the format it does not offer")
  {
    CHECK_THROWS_AS(render_report(hand_report({"1.00"}), options(OutputFormat::focus)), std::logic_error);
  }

  TEST_CASE("table: rows rounded one by one get a note when they miss the total")
  {
    // Three rows of 0.005: each shows 0.00 (half-to-even, 0 is even); the
    // exact total 0.015 shows 0.02 (1 is odd: up). 0.00 x 3 != 0.02.
    const Report report = hand_report({"0.005", "0.005", "0.005"});
    const std::string text = render_report(report, options(OutputFormat::table));
    // Columns: model (5 wide), requests (8), input $ (7), total $ (7); two
    // spaces between: 5 + 8 + 7 + 7 + 3 x 2 = 33.
    const std::string expected = "estimate per month (USD)\n"
                                 "\n"
                                 "model  requests  input $  total $\n" +
                                 rule(33) + "\n" +
                                 "a             1     0.00     0.00\n"
                                 "b             1     0.00     0.00\n"
                                 "c             1     0.00     0.00\n" +
                                 rule(33) + "\n" +
                                 "total         3     0.02     0.02\n"
                                 "\n"
                                 "notes:\n"
                                 "  - rows are rounded one by one; they add up to 0.00 while the exact total "
                                 "rounds to 0.02 (use --precision for more digits)\n";
    CHECK(text == expected);
  }

  TEST_CASE("table: no rounding note when the rounded rows add up")
  {
    // 0.005 -> 0.00 and 0.015 -> 0.02: 0.02, and the total 0.02 -> 0.02.
    const Report agree = hand_report({"0.005", "0.015"});
    CHECK_FALSE(contains(render_report(agree, options(OutputFormat::table)), "rounded one by one"));
    // At 3 places the three 0.005 rows show exactly.
    const Report three = hand_report({"0.005", "0.005", "0.005"});
    const std::string text = render_report(three, options(OutputFormat::table, 3));
    CHECK_FALSE(contains(text, "rounded one by one"));
    CHECK(contains(text, "0.015"));
  }

  TEST_CASE("markdown carries the same rows and the note")
  {
    const Report report = hand_report({"0.005", "0.005", "0.005"});
    const std::string text = render_report(report, options(OutputFormat::markdown));
    const std::string expected = "**estimate per month (USD)**\n"
                                 "\n"
                                 "| model | requests | input $ | total $ |\n"
                                 "| --- | ---: | ---: | ---: |\n"
                                 "| a | 1 | 0.00 | 0.00 |\n"
                                 "| b | 1 | 0.00 | 0.00 |\n"
                                 "| c | 1 | 0.00 | 0.00 |\n"
                                 "| **total** | **3** | **0.02** | **0.02** |\n"
                                 "\n"
                                 "- rows are rounded one by one; they add up to 0.00 while the exact total rounds "
                                 "to 0.02 (use --precision for more digits)\n";
    CHECK(text == expected);
  }

  TEST_CASE("json: currency, total as a string, rows, records")
  {
    // Chatbot on K2.6: 215.00 (seed 003). Daily content on K2.6: 0.285 + 3.60
    // = 3.885. Total 218.885, kept at full precision in JSON.
    const Report report = estimate({chat("chatbot", "moonshot/kimi-k2.6", "100000", "1000", "300"),
                                    chat("content", "moonshot/kimi-k2.6", "600", "500", "1500")});
    const auto j = nlohmann::json::parse(render_report(report, options(OutputFormat::json)));
    CHECK(j.at("currency") == "USD");
    REQUIRE(j.at("total").is_string());
    CHECK(j.at("total") == "218.885");
    CHECK(j.at("period") == "month");
    REQUIRE(j.at("rows").is_array());
    REQUIRE(j.at("rows").size() == 2);
    const auto& chatbot = j.at("rows")[0];
    CHECK(chatbot.at("workload") == "chatbot");
    CHECK(chatbot.at("provider") == "moonshot");
    CHECK(chatbot.at("model") == "kimi-k2.6");
    CHECK(chatbot.at("total") == "215.00");
    CHECK(chatbot.at("cost").at("input") == "95.00");
    CHECK(chatbot.at("cost").at("output") == "120.00");
    CHECK(chatbot.at("cost").at("cached_input") == "0.00");
    CHECK(chatbot.at("cost").at("fees") == "0.00");
    CHECK(chatbot.at("cost").at("media") == "0.00");
    CHECK(chatbot.at("tokens").at("input") == "100000000");
    CHECK(chatbot.at("tokens").at("output") == "30000000");
    const auto& content = j.at("rows")[1];
    CHECK(content.at("total") == "3.885");
    CHECK(content.at("cost").at("input") == "0.285");
    CHECK(j.at("totals").at("total") == "218.885");
    const auto& records = j.at("records");
    CHECK(records.at("read") == 0);
    CHECK(records.at("priced") == 0);
    CHECK(records.at("rejected") == 0);
  }

  TEST_CASE("json: money is never a JSON number")
  {
    const Report report = estimate({chat("chatbot", "moonshot/kimi-k2.6", "100000", "1000", "300")});
    const auto j = nlohmann::json::parse(render_report(report, options(OutputFormat::json)));
    const auto& row = j.at("rows")[0];
    CHECK(row.at("total").is_string());
    for (const auto& [key, value] : row.at("cost").items()) {
      CAPTURE(key);
      CHECK(value.is_string());
    }
  }

  TEST_CASE("json: pieces add up to the text, and the text is dump_json's")
  {
    // --by names that are member names too ("total", "tokens") or repeat:
    // a member set again keeps its place and takes the later value, as in
    // the ordered JSON object the rows were once built as.
    Report report;
    report.key_names = {"model", "total", "tokens", "model"};
    for (int i = 0; i < 3000; ++i) {
      ReportRow row;
      row.keys = {"m" + std::to_string(i), "t", "k", i == 0 ? "bad \xff \"quoted\"" : "last"};
      row.usage.requests = dec("1");
      row.usage.input = dec("1000");
      row.cost.input = dec("0.0015");
      if (i % 2 == 0) {
        row.batch_requests = dec("1");
        row.cache_lever = i % 4 == 0;
      }
      report.rows.push_back(row);
    }
    report.add_up_rows();
    report.has_records = true;
    report.records.rejected_by_reason["bad field"] = 1;
    report.records.first_rejections.push_back({"a.csv:2:5", "field input_tokens: \"x\""});
    report.prices_used["moonshot/kimi-k2.6"] = "input 0.95/M";
    report.notes = {"a note"};

    std::string streamed;
    std::size_t pieces = 0;
    render_report(report, options(OutputFormat::json), [&](std::string_view piece) {
      streamed += piece;
      ++pieces;
    });
    const std::string text = render_report(report, options(OutputFormat::json));
    CHECK(streamed == text);
    CHECK(pieces > 1);
    const auto j = nlohmann::ordered_json::parse(text);
    CHECK(dump_json(j) == text);
    const auto& first = j.at("rows")[0];
    std::vector<std::string> names;
    for (const auto& [name, value] : first.items()) {
      names.push_back(name);
    }
    CHECK(names == std::vector<std::string>{"model", "total", "tokens", "levers", "requests", "web_search_calls",
                                            "media_units", "cost"});
    CHECK(first.at("model") == "bad \xef\xbf\xbd \"quoted\"");
    CHECK(first.at("total") == "0.0015");
    CHECK(first.at("tokens").at("input") == "1000");
    CHECK(first.at("levers").at("cache_hit_rate") == "0");
    CHECK_FALSE(j.at("rows")[2].at("levers").contains("cache_hit_rate"));
    CHECK_FALSE(j.at("rows")[1].contains("levers"));
    CHECK(j.at("totals").at("total") == "4.50");
    CHECK_FALSE(j.at("totals").contains("media_units"));
    CHECK(j.at("records").at("rejections")[0].at("where") == "a.csv:2:5");
  }

  TEST_CASE("csv: pieces add up to the text")
  {
    const Report report = hand_report({"1.00", "2.50", "0.125"});
    std::string streamed;
    render_report(report, options(OutputFormat::csv), [&](std::string_view piece) { streamed += piece; });
    CHECK(streamed == render_report(report, options(OutputFormat::csv)));
  }

  TEST_CASE("csv: header and rows")
  {
    const Report report = estimate({chat("chatbot", "moonshot/kimi-k2.6", "100000", "1000", "300")});
    const auto lines = lines_of(render_report(report, options(OutputFormat::csv)));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "workload,provider,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,"
                      "output_tokens,reasoning_tokens,web_search_calls,media_units,input_cost,cached_input_cost,"
                      "output_cost,fees_cost,media_cost,total,currency");
    // 100,000 x 1,000 = 100M in (95.00); 30M out (120.00); 215.00.
    CHECK(lines[1] ==
          "chatbot,moonshot,kimi-k2.6,100000,100000000,0,0,30000000,0,0,0,95.00,0.00,120.00,0.00,0.00,215.00,USD");
    // The TOTAL row leaves media_units empty: units differ by model (images,
    // seconds, characters), so they have no meaningful sum.
    CHECK(lines[2] == "TOTAL,,,100000,100000000,0,0,30000000,0,0,,95.00,0.00,120.00,0.00,0.00,215.00,USD");
  }

  TEST_CASE("csv: keys with commas and quotes are escaped")
  {
    const Report report = estimate({chat("chat, \"v2\"", "moonshot/kimi-k2.6", "1", "0", "0")});
    const auto lines = lines_of(render_report(report, options(OutputFormat::csv)));
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].rfind("\"chat, \"\"v2\"\"\",moonshot,kimi-k2.6,", 0) == 0);
  }

  TEST_CASE("record summary")
  {
    Report report;
    report.has_records = true;
    report.records.read = 10;
    report.records.priced = 9;
    report.records.rejected = 1;
    report.records.rejected_by_reason["unknown model"] = 1;
    report.records.first_rejections.push_back({"usage.csv:3", "unknown model \"x\""});
    CHECK(render_record_summary(report) == "records: 10 read, 9 priced, 1 rejected\n"
                                           "  rejected 1: unknown model\n"
                                           "  usage.csv:3: unknown model \"x\"\n");
  }
}

TEST_CASE("levers_text: batch share of requests and planned cache-hit rate")
{
  ReportRow row;
  CHECK_FALSE(row.has_levers());
  CHECK(levers_text(row).empty());
  row.usage.requests = Decimal::from_int(3);
  row.batch_requests = Decimal::from_int(1);
  CHECK(row.has_levers());
  CHECK(levers_text(row) == "batch 33.3%");
  row.usage.input = Decimal::from_int(700);
  row.usage.cached_input = Decimal::from_int(300);
  CHECK(levers_text(row) == "batch 33.3%"); // cached usage alone is not a lever
  row.cache_lever = true;
  CHECK(levers_text(row) == "batch 33.3%, cache 30%");
  row.batch_requests = Decimal{};
  CHECK(levers_text(row) == "cache 30%");
}
