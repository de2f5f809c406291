// Checking tool arguments against the tools' input schemas: the subset of JSON Schema
// (2020-12) that those schemas use: type (one or a list), properties, required,
// additionalProperties: false, enum, minimum, maximum, minLength, maxLength, items,
// minItems, maxItems. Any other keyword is ignored.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sw::mcp {

// The first way `value` breaks `schema`, as a sentence naming the argument
// ("argument 'page_size' must be at most 100"); nullopt when it conforms.
std::optional<std::string> schema_violation(const nlohmann::json& schema, const nlohmann::json& value);

}  // namespace sw::mcp
