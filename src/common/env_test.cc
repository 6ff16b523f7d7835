#include "src/common/env.h"

#include <gtest/gtest.h>

namespace zerostart {
namespace {

TEST(EnvTest, ParsesArrayAndDistinguishesEmptyFromUnset) {
  const char* entries[] = {"A=1", "EMPTY=", "NOEQUALS", "B=x=y", nullptr};
  EnvMap env = EnvFromArray(entries);
  EXPECT_EQ(EnvGet(env, "A"), "1");
  EXPECT_EQ(EnvGet(env, "EMPTY"), "");
  EXPECT_EQ(EnvGet(env, "B"), "x=y");
  EXPECT_EQ(EnvGet(env, "NOEQUALS"), std::nullopt);
  EXPECT_EQ(EnvGet(env, "MISSING"), std::nullopt);
}

}  // namespace
}  // namespace zerostart
