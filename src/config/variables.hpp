// Environment variables for the configuration: lookup in an injected map or the process
// environment, and ${VAR} / ${VAR:-default} expansion inside configuration values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sw::config {

// The value of `name` in `variables`, or in the process environment when `variables` is null.
std::optional<std::string> lookup_variable(const std::map<std::string, std::string>* variables,
                                           const std::string& name);

// Replaces every ${VAR} and ${VAR:-default} in `text`. Like the shell, ":-" also uses the
// default when VAR is set but empty. Throws core::Error(bad_input) naming the variable when
// VAR is unset and has no default, and on an unterminated "${" or a bad variable name.
// A "$" not followed by "{" is kept as it is.
std::string expand_variables(std::string_view text, const std::map<std::string, std::string>* variables);

}  // namespace sw::config
