#include "src/runtime/endpoint.h"

#include <gtest/gtest.h>

namespace zerostart::runtime {
namespace {

RuntimeApiEndpoint ParseOk(std::string_view text) {
  Result<RuntimeApiEndpoint> endpoint = ParseRuntimeApiEndpoint(text);
  EXPECT_TRUE(endpoint.ok()) << text << ": " << endpoint.status().ToString();
  return endpoint.ok() ? *endpoint : RuntimeApiEndpoint{};
}

TEST(EndpointTest, HostPortAsLambdaSetsIt) {
  RuntimeApiEndpoint e = ParseOk("127.0.0.1:9001");
  EXPECT_EQ(e.address.host, "127.0.0.1");
  EXPECT_EQ(e.address.port, 9001);
  EXPECT_EQ(e.path_prefix, "");
  EXPECT_EQ(e.host_header, "127.0.0.1:9001");
}

TEST(EndpointTest, BracketedIpv6HostPort) {
  RuntimeApiEndpoint e = ParseOk("[::1]:9001");
  EXPECT_EQ(e.address.host, "::1");
  EXPECT_EQ(e.address.port, 9001);
  EXPECT_EQ(e.host_header, "[::1]:9001");
}

TEST(EndpointTest, UrlWithPathPrefixAsCargoLambdaSetsIt) {
  RuntimeApiEndpoint e = ParseOk("http://127.0.0.1:9000/.rt/fn");
  EXPECT_EQ(e.address.host, "127.0.0.1");
  EXPECT_EQ(e.address.port, 9000);
  EXPECT_EQ(e.path_prefix, "/.rt/fn");
  EXPECT_EQ(e.host_header, "127.0.0.1:9000");
}

TEST(EndpointTest, UrlIpv6WithoutPathAndTrailingSlashes) {
  RuntimeApiEndpoint e = ParseOk("http://[::1]:9000");
  EXPECT_EQ(e.address.host, "::1");
  EXPECT_EQ(e.address.port, 9000);
  EXPECT_EQ(e.path_prefix, "");
  EXPECT_EQ(ParseOk("HTTP://[::]:9000/.rt/").path_prefix, "/.rt");
  EXPECT_EQ(ParseOk("http://127.0.0.1:9000/").path_prefix, "");
}

TEST(EndpointTest, UrlWithoutPortDefaultsTo80) {
  RuntimeApiEndpoint e = ParseOk("http://localhost/x");
  EXPECT_EQ(e.address.host, "localhost");
  EXPECT_EQ(e.address.port, 80);
  EXPECT_EQ(e.path_prefix, "/x");
  EXPECT_EQ(e.host_header, "localhost:80");
  EXPECT_EQ(ParseOk("http://[::1]").address.port, 80);
}

TEST(EndpointTest, RejectsWhatCannotBeReached) {
  for (std::string_view bad :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", ":9001", "http://",
        "http://:9000/x", "https://127.0.0.1:9000", "ftp://1.2.3.4:1", "http://1.2.3.4:9/x?y=1",
        "[::1]", "127.0.0.1:9001/path"}) {
    Result<RuntimeApiEndpoint> e = ParseRuntimeApiEndpoint(bad);
    EXPECT_FALSE(e.ok()) << "accepted '" << bad << "'";
    if (!e.ok()) {
      EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(e.status().message().find("Runtime API endpoint"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace zerostart::runtime
