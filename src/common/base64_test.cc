#include "src/common/base64.h"

#include <gtest/gtest.h>

namespace zerostart {
namespace {

TEST(Base64Test, RoundTripsEveryTailLength) {
  for (std::string text : {"", "a", "ab", "abc", "abcd", "{\"custom\":{\"k\":\"v\"}}"}) {
    std::string encoded = Base64Encode(text);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
}

TEST(Base64Test, PaddingIsOptional) {
  auto decoded = Base64Decode("YWI");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "ab");
}

TEST(Base64Test, RejectsBadInput) {
  EXPECT_FALSE(Base64Decode("YW*=").ok());
  EXPECT_FALSE(Base64Decode("Y").ok());
  EXPECT_FALSE(Base64Decode("YW=I").ok());
  EXPECT_EQ(Base64Decode("a b").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zerostart
