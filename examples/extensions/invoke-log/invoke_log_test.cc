#include "examples/extensions/invoke-log/invoke_log.h"

#include <gtest/gtest.h>

namespace invoke_log {
namespace {

TEST(InvokeLogTest, OneLinePerInvokeWithRequestIdAndDeadline) {
  zerostart::ExtensionEvent event;
  event.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  event.deadline_ms = 1542409706888;
  EXPECT_EQ(InvokeLine("invoke-log", event),
            "invoke-log: invoke 8476a536-e9f4-11e8-9739-2dfe598c3fcd, deadline 1542409706888 ms "
            "since epoch");
}

TEST(InvokeLogTest, SummaryCountsInvokesAndNamesTheReason) {
  EXPECT_EQ(SummaryLine("invoke-log", 3, "spindown"),
            "invoke-log: 3 invokes, shutdown reason spindown");
  EXPECT_EQ(SummaryLine("x", 0, ""), "x: 0 invokes, shutdown reason unknown");
}

}  // namespace
}  // namespace invoke_log
