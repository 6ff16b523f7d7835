#include "src/cli/key_values.h"

#include <gtest/gtest.h>

namespace zerostart::cli {
namespace {

TEST(KeyValuesTest, SplitsAtTheFirstEqualsAndALaterKeyWins) {
  auto parsed = ParseKeyValues({"A=1", "B=x=y", "C=", "A=2"}, "--env");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, (EnvMap{{"A", "2"}, {"B", "x=y"}, {"C", ""}}));
}

TEST(KeyValuesTest, AnEntryWithoutAKeyIsRefusedNamingTheFlag) {
  EXPECT_EQ(ParseKeyValues({"A=1", "Stage"}, "--parameter").status().message(),
            "--parameter expects KEY=VALUE, got 'Stage'");
  EXPECT_EQ(ParseKeyValues({"=v"}, "--env").status().message(), "--env expects KEY=VALUE, got '=v'");
}

}  // namespace
}  // namespace zerostart::cli
