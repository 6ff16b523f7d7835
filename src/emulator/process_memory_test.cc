#include "src/emulator/process_memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace zerostart::emulator {
namespace {

TEST(ProcessMemoryTest, ParsesStatusFields) {
  StatusFields fields = ParseProcStatus(
      "Name:\tx\nVmPeak:\t  9999 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\nThreads:\t3\n");
  EXPECT_EQ(fields.vm_hwm_kib, 1234u);
  EXPECT_EQ(fields.threads, 3u);
  EXPECT_EQ(ParseProcStatus("Name:\tzombie\nState:\tZ\n").vm_hwm_kib, 0u);
}

TEST(ProcessMemoryTest, SamplesAtLeastOurOwnPeak) {
  // This test process is its own root: a multi-MB peak at least, and samples never shrink a
  // high-water mark.
  ProcessTreeMemory memory(::getpid());
  uint64_t first = memory.SampleKib();
  EXPECT_GT(first, 1024u);
  EXPECT_GE(memory.SampleKib(), first);
}

}  // namespace
}  // namespace zerostart::emulator
