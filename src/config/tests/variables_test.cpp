// Tests of ${VAR} / ${VAR:-default} expansion and variable lookup.
#include <gtest/gtest.h>

#include "config/variables.hpp"
#include "core/errors.hpp"

namespace sw::config {
namespace {

const std::map<std::string, std::string> kVariables = {{"HOST", "nessus1"}, {"EMPTY", ""}, {"PORT", "8834"}};

TEST(ExpandVariables, ReplacesWholeAndEmbeddedReferences) {
  EXPECT_EQ(expand_variables("${HOST}", &kVariables), "nessus1");
  EXPECT_EQ(expand_variables("https://${HOST}:${PORT}/", &kVariables), "https://nessus1:8834/");
  EXPECT_EQ(expand_variables("plain text", &kVariables), "plain text");
  EXPECT_EQ(expand_variables("", &kVariables), "");
}

TEST(ExpandVariables, DefaultIsUsedWhenUnsetOrEmpty) {
  EXPECT_EQ(expand_variables("${MISSING:-fallback}", &kVariables), "fallback");
  EXPECT_EQ(expand_variables("${EMPTY:-fallback}", &kVariables), "fallback");
  EXPECT_EQ(expand_variables("${HOST:-fallback}", &kVariables), "nessus1");
  EXPECT_EQ(expand_variables("${MISSING:-}", &kVariables), "");
  EXPECT_EQ(expand_variables("${MISSING:-a:b-c}", &kVariables), "a:b-c");
}

TEST(ExpandVariables, SetButEmptyWithoutDefaultIsEmpty) {
  EXPECT_EQ(expand_variables("x${EMPTY}y", &kVariables), "xy");
}

TEST(ExpandVariables, DollarWithoutBraceIsKept) { EXPECT_EQ(expand_variables("pa$$word$", &kVariables), "pa$$word$"); }

TEST(ExpandVariables, UnsetWithoutDefaultNamesTheVariable) {
  try {
    expand_variables("${NESSUS_PASSWORD}", &kVariables);
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("NESSUS_PASSWORD"), std::string::npos);
  }
}

TEST(ExpandVariables, MalformedReferencesAreErrors) {
  EXPECT_THROW(expand_variables("${HOST", &kVariables), core::Error);
  EXPECT_THROW(expand_variables("${}", &kVariables), core::Error);
  EXPECT_THROW(expand_variables("${1ABC}", &kVariables), core::Error);
  EXPECT_THROW(expand_variables("${A B}", &kVariables), core::Error);
}

TEST(LookupVariable, UsesTheMapOrTheProcessEnvironment) {
  EXPECT_EQ(lookup_variable(&kVariables, "HOST"), "nessus1");
  EXPECT_EQ(lookup_variable(&kVariables, "PATH"), std::nullopt);
  ::setenv("SW_CONFIG_TEST_VARIABLE", "from-process", 1);
  EXPECT_EQ(lookup_variable(nullptr, "SW_CONFIG_TEST_VARIABLE"), "from-process");
  ::unsetenv("SW_CONFIG_TEST_VARIABLE");
  EXPECT_EQ(lookup_variable(nullptr, "SW_CONFIG_TEST_VARIABLE"), std::nullopt);
}

}  // namespace
}  // namespace sw::config
