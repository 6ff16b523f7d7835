#include "src/emulator/report.h"

#include <gtest/gtest.h>

namespace zerostart::emulator {
namespace {

TEST(ReportTest, StartAndEnd) {
  EXPECT_EQ(StartLine("r1", "$LATEST"), "START RequestId: r1 Version: $LATEST\n");
  EXPECT_EQ(EndLine("r1"), "END RequestId: r1\n");
}

TEST(ReportTest, ReportLineWithoutInit) {
  ReportFields fields;
  fields.request_id = "r1";
  fields.duration_ms = 1.234;
  fields.memory_size_mb = 1024;
  fields.max_memory_used_mb = 3;
  EXPECT_EQ(ReportLine(fields),
            "REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 1024 MB\t"
            "Max Memory Used: 3 MB\t\n");
}

TEST(ReportTest, InitDurationComesAfterMaxMemoryUsedThenStatus) {
  ReportFields fields;
  fields.request_id = "r2";
  fields.duration_ms = 1000;
  fields.memory_size_mb = 128;
  fields.max_memory_used_mb = 52;
  fields.init_duration_ms = 12.345;
  fields.status = "error";
  fields.error_type = "Runtime.ExitError";
  EXPECT_EQ(ReportLine(fields),
            "REPORT RequestId: r2\tDuration: 1000.00 ms\tBilled Duration: 1000 ms\tMemory Size: 128 MB\t"
            "Max Memory Used: 52 MB\tInit Duration: 12.35 ms\tStatus: error\tError Type: Runtime.ExitError\t\n");
}

TEST(ReportTest, BillingAndMegabytes) {
  EXPECT_EQ(BilledDurationMs(0.01), 1u);
  EXPECT_EQ(BilledDurationMs(2.0), 2u);
  EXPECT_EQ(BilledDurationMs(2.001), 3u);
  EXPECT_EQ(BilledDurationMs(0), 0u);
  EXPECT_EQ(KibToReportMb(1), 1u);
  EXPECT_EQ(KibToReportMb(1024), 1u);
  EXPECT_EQ(KibToReportMb(1025), 2u);
  EXPECT_EQ(KibToReportMb(0), 0u);
}

TEST(ReportTest, TimeoutAndInitReportLines) {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800123));
  EXPECT_EQ(Rfc3339Millis(t), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(TimeoutLogLine(t, "r3", 1), "2024-05-01T12:00:00.123Z r3 Task timed out after 1.00 seconds\n");
  EXPECT_EQ(InitReportLine(5.5, "error", "Runtime.ExitError"),
            "INIT_REPORT Init Duration: 5.50 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\t\n");
  EXPECT_EQ(InitReportLine(10000, "timeout", ""),
            "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout\t\n");
}

}  // namespace
}  // namespace zerostart::emulator
