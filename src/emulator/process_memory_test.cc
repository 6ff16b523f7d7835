#include "src/emulator/process_memory.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

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

// Blocks until one byte arrives on `fd` (or it closes).
void AwaitByte(int fd) {
  char byte = 0;
  while (::read(fd, &byte, 1) < 0 && errno == EINTR) {
  }
}

TEST(ProcessMemoryTest, FindsAGrandchildForkedByANonMainThread) {
  // A root with four idle threads plus one that, after the first sample, forks a grandchild
  // touching 64 MiB: the grandchild hangs off a non-main thread's `children` file.
  constexpr size_t kGrandchildBytes = 64u << 20;
  int go[2];
  int ready[2];
  ASSERT_EQ(::pipe(go), 0);
  ASSERT_EQ(::pipe(ready), 0);
  pid_t root = ::fork();
  ASSERT_GE(root, 0);
  if (root == 0) {
    ::setpgid(0, 0);
    std::vector<std::thread> idle;
    for (int i = 0; i < 4; ++i) idle.emplace_back([] { ::pause(); });
    std::thread forker([&] {
      AwaitByte(go[0]);
      if (::fork() == 0) {
        std::vector<char> block(kGrandchildBytes);
        std::memset(block.data(), 1, block.size());
        (void)!::write(ready[1], "g", 1);
        ::pause();
      }
      ::pause();
    });
    (void)!::write(ready[1], "r", 1);
    ::pause();
    ::_exit(0);
  }
  AwaitByte(ready[0]);
  ProcessTreeMemory memory(root);
  const uint64_t before = memory.SampleKib();
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  AwaitByte(ready[0]);

  uint64_t after = 0;
  for (int i = 0; i <= ProcessTreeMemory::kRelistSamples; ++i) after = memory.SampleKib();
  ::kill(-root, SIGKILL);
  ::waitpid(root, nullptr, 0);
  for (int fd : {go[0], go[1], ready[0], ready[1]}) ::close(fd);
  EXPECT_GE(after, before + kGrandchildBytes / 1024 - 1024) << "before " << before << " KiB";
}

}  // namespace
}  // namespace zerostart::emulator
