// The input-schema checker on the tools' own schemas.
#include "mcp/schema.hpp"

#include <gtest/gtest.h>

#include "mcp/tools.hpp"

namespace sw::mcp {
namespace {

const nlohmann::json& schema_of(const std::string& tool) { return find_tool(tool)->input_schema; }

TEST(Schema, AcceptsGoodArguments) {
  EXPECT_FALSE(schema_violation(schema_of("run_untrusted_scan"), {{"targets", "10.0.0.1"}, {"name", "n"}}));
  EXPECT_FALSE(schema_violation(
      schema_of("get_scan_results"),
      {{"task_id", "t"}, {"page", 2}, {"filters", {{"severity", ">=3"}, {"exploit_available", true}}}}));
  EXPECT_FALSE(schema_violation(schema_of("list_pools"), nlohmann::json::object()));
}

TEST(Schema, NamesTheBadArgument) {
  EXPECT_EQ(*schema_violation(schema_of("run_untrusted_scan"), {{"targets", "10.0.0.1"}}),
            "argument 'name' is required");
  EXPECT_NE(schema_violation(schema_of("run_untrusted_scan"), {{"targets", "x"}, {"name", "n"}, {"colour", "red"}})
                ->find("unknown argument 'colour'"),
            std::string::npos);
  EXPECT_EQ(*schema_violation(schema_of("get_scan_results"), {{"task_id", "t"}, {"page", "2"}}),
            "argument 'page' must be an integer");
  EXPECT_EQ(*schema_violation(schema_of("list_tasks"), {{"limit", 5000}}), "argument 'limit' must be at most 1000");
  EXPECT_NE(
      schema_violation(schema_of("run_untrusted_scan"), {{"targets", "x"}, {"name", "n"}, {"schema_profile", "huge"}})
          ->find("must be one of"),
      std::string::npos);
  EXPECT_NE(schema_violation(schema_of("get_scan_results"), {{"task_id", "t"}, {"filters", {{"severity", nullptr}}}})
                ->find("filters.severity"),
            std::string::npos);
  EXPECT_EQ(*schema_violation(schema_of("list_pools"), 5), "the arguments must be an object");
}

TEST(Schema, EveryToolHasClosedInputAndAnOutputSchema) {
  EXPECT_EQ(tool_definitions().size(), 13u);
  for (const auto& tool : tool_definitions()) {
    EXPECT_EQ(tool.input_schema["type"], "object") << tool.name;
    EXPECT_EQ(tool.input_schema["additionalProperties"], false) << tool.name;
    EXPECT_EQ(tool.output_schema["type"], "object") << tool.name;
  }
}

}  // namespace
}  // namespace sw::mcp
