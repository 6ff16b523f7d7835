#include "src/emulator/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace zerostart::emulator {
namespace {

TEST(IdsTest, RequestIdIsUuidV4AndUnique) {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    ASSERT_TRUE(std::regex_match(id, uuid)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IdsTest, TraceIdHasXRayShapeWithTheTime) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(0x5f000000));
  std::string trace = NewTraceId(now);
  EXPECT_TRUE(std::regex_match(trace, std::regex("Root=1-5f000000-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0")))
      << trace;
}

TEST(IdsTest, RandomHexLength) {
  EXPECT_EQ(RandomHex(32).size(), 32u);
  EXPECT_EQ(RandomHex(5).size(), 5u);
  EXPECT_TRUE(std::regex_match(RandomHex(40), std::regex("[0-9a-f]{40}")));
}

}  // namespace
}  // namespace zerostart::emulator
