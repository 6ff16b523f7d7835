#include "src/runtime/trace_env.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace zerostart::runtime {
namespace {

const char* Get() { return std::getenv("_X_AMZN_TRACE_ID"); }

TEST(TraceIdEnvironmentTest, SetsReplacesAndUnsets) {
  ::unsetenv("_X_AMZN_TRACE_ID");
  {
    TraceIdEnvironment env;
    env.Set("Root=1-aaa;Sampled=1");
    ASSERT_NE(Get(), nullptr);
    EXPECT_STREQ(Get(), "Root=1-aaa;Sampled=1");
    env.Set("short");
    EXPECT_STREQ(Get(), "short");
    std::string long_id(1000, 'x');  // outgrows the buffer
    env.Set(long_id);
    EXPECT_EQ(std::string(Get()), long_id);
    env.Set("");
    EXPECT_EQ(Get(), nullptr);
    env.Set("again");
    EXPECT_STREQ(Get(), "again");
    // A handler that sets the variable itself does not stop the next Set() from working.
    ::setenv("_X_AMZN_TRACE_ID", "user", 1);
    env.Set("next");
    EXPECT_STREQ(Get(), "next");
  }
  EXPECT_EQ(Get(), nullptr);  // destructor unset it: no dangling pointer into freed memory
}

}  // namespace
}  // namespace zerostart::runtime
