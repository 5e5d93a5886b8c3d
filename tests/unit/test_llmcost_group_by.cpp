// The --by table: names, where each is taken, and what each groups by.

#include "llmcost/group_by.hpp"
#include "llmcost/ingest.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace llmcost;

TEST_CASE("every --by name is listed once and every dimension has a name")
{
  std::set<std::string_view> names;
  std::set<GroupDimension> dimensions;
  for (const auto& entry : k_group_by_names) {
    CHECK(names.insert(entry.name).second);
    CHECK(entry.uses != 0U);
    dimensions.insert(entry.dimension);
  }
  CHECK(dimensions.size() == static_cast<std::size_t>(GroupDimension::total) + 1);
}

TEST_CASE("the --by names each command takes")
{
  using V = std::vector<std::string_view>;
  CHECK(group_by_names(k_group_usage | k_group_workloads) ==
        V{"model", "provider", "workload", "project", "key", "session", "day", "week", "month"});
  CHECK(group_by_names(k_group_usage, false) ==
        V{"model", "provider", "project", "key", "session", "day", "week", "month"});
  CHECK(group_by_names(k_group_workloads) == V{"model", "provider", "workload"});
  CHECK(group_by_names(k_group_compare) == V{"model", "workload", "project", "total"});
  CHECK(or_list(group_by_names(k_group_workloads)) == "model, provider or workload");
  CHECK(or_list({"day", "week"}, "--by ") == "--by day or --by week");
  CHECK(or_list({"day"}) == "day");
}

TEST_CASE("parse_group_by lowers, trims, drops repeats and refuses unknown names")
{
  CHECK(parse_group_by(" Model, day ,model,") == std::vector<std::string>{"model", "day"});
  CHECK(group_dimension("workload") == GroupDimension::project);
  CHECK(find_group_dimension("project", k_group_workloads) == std::nullopt);
  CHECK(find_group_dimension("total", k_group_compare) == GroupDimension::total);
  CHECK_THROWS_WITH(parse_group_by("model,colour"),
                    "--by: unknown dimension \"colour\" (expected a comma-separated list of model, provider, "
                    "workload, project, key, session, day, week, month)");
  CHECK_THROWS_WITH(parse_group_by("total"), doctest::Contains("unknown dimension \"total\""));
  CHECK_THROWS_WITH(parse_group_by(" , "), doctest::Contains("no dimension given"));
}

TEST_CASE("group_value reads each dimension from the record")
{
  UsageRecord r;
  r.provider = "kyma";
  r.model = "m";
  r.project = "p";
  const Day day = *parse_date("2026-01-07");
  CHECK(group_value(GroupDimension::provider, r, nullptr, day) == "kyma");
  CHECK(group_value(GroupDimension::model, r, nullptr, day) == "m");
  CHECK(group_value(GroupDimension::project, r, nullptr, day) == "p");
  CHECK(group_value(GroupDimension::key, r, nullptr, day) == "(none)");
  CHECK(group_value(GroupDimension::day, r, nullptr, day) == "2026-01-07");
  CHECK(group_value(GroupDimension::week, r, nullptr, day) == week_key(day));
  CHECK(group_value(GroupDimension::month, r, nullptr, day) == "2026-01");
  CHECK(group_value(GroupDimension::month, r, nullptr, std::nullopt) == "(none)");
  CHECK(is_period(GroupDimension::week));
  CHECK_FALSE(is_period(GroupDimension::session));
  CHECK(period_group_names() == std::vector<std::string_view>{"day", "week", "month"});
}

TEST_CASE("input kinds and their --input-format names")
{
  CHECK(k_input_kinds.size() == 3);
  CHECK(parse_input_kind("jsonl") == InputKind::jsonl);
  CHECK(parse_input_kind("workload") == InputKind::workload);
  CHECK(parse_input_kind(k_detect_input_kind) == std::nullopt);
  CHECK(detect_input_kind(InputKind::csv, "{\"a\": 1}\n") == InputKind::csv);
  CHECK(detect_input_kind(std::nullopt, "{\"a\": 1}\n") == InputKind::jsonl);
}
