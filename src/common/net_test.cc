#include "src/common/net.h"

#include <gtest/gtest.h>

#include <thread>

namespace zerostart::net {
namespace {

TEST(NetTest, ParseHostPort) {
  auto a = ParseHostPort("127.0.0.1:9001");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9001);
  auto b = ParseHostPort("[::1]:80");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(ParseHostPort("localhost").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHostPort("h:0").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHostPort("h:70000").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHostPort("h:12x").status().code(), StatusCode::kInvalidArgument);
}

TEST(NetTest, IsLoopback) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopback(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "128.0.0.1", "::ffff:10.0.0.1",
                           "example.com", "", "127.0.0.1 "}) {
    EXPECT_FALSE(IsLoopback(host)) << host;
  }
}

TEST(NetTest, ListenConnectRoundTrip) {
  auto listener = Listen({"127.0.0.1", 0});
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  auto port = LocalPort(listener->get());
  ASSERT_TRUE(port.ok());
  std::thread server([&] {
    auto conn = Accept(listener->get());
    ASSERT_TRUE(conn.ok());
    char buf[16];
    auto n = ReadSome(conn->get(), buf, sizeof(buf));
    ASSERT_TRUE(n.ok());
    ASSERT_TRUE(WriteAll2(conn->get(), "got:", std::string_view(buf, *n)).ok());
  });
  auto client = Connect({"localhost", *port});
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE(WriteAll(client->get(), "ping").ok());
  std::string reply;
  char buf[16];
  for (;;) {
    auto n = ReadSome(client->get(), buf, sizeof(buf));
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    reply.append(buf, *n);
  }
  server.join();
  EXPECT_EQ(reply, "got:ping");
}

TEST(NetTest, ConnectRefusedIsUnavailable) {
  auto listener = Listen({"127.0.0.1", 0});
  ASSERT_TRUE(listener.ok());
  uint16_t port = *LocalPort(listener->get());
  listener->Reset();  // nobody listens there now
  EXPECT_EQ(Connect({"127.0.0.1", port}).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Connect({"example.com", 80}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zerostart::net
