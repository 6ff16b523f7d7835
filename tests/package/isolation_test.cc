// The package runs with nothing from the host: echo's zip, unzipped by Info-ZIP's unzip (which
// must restore bootstrap's mode from the zip) into an empty directory — no /lib, no /usr, no
// /proc, no /dev — is run there under chroot by `zerostart serve`, and must answer an invoke.
// Needs root (CAP_SYS_CHROOT): skipped otherwise, saying so.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/integration/test_support.h"
#include "tests/package/package_test_support.h"

namespace zerostart {
namespace {

using std::chrono::seconds;

// Whether this process may chroot (tried in a child, which exits at once).
bool CanChroot(const std::string& dir) {
  pid_t pid = ::fork();
  if (pid == 0) _exit(::chroot(dir.c_str()) == 0 ? 0 : 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The Invoke API port from serve's ready line "... on http://127.0.0.1:PORT (...".
uint16_t ReadyPort(const std::string& text) {
  const std::string marker = " on http://127.0.0.1:";
  size_t at = text.find(marker);
  return at == std::string::npos ? 0 : static_cast<uint16_t>(std::atoi(text.c_str() + at + marker.size()));
}

TEST(PackageIsolationTest, UnzippedEchoAnswersAnInvokeInAnEmptyChroot) {
  if (::geteuid() != 0) GTEST_SKIP() << "chroot needs root (CAP_SYS_CHROOT); run as root to test isolation";
  if (!testing::HaveTool("unzip")) GTEST_SKIP() << "unzip (Debian unzip) is not installed";
  testing::TempDir dir;
  testing::Finished packaged = testing::Package(dir.path(), {"-o", "echo.zip", testing::EchoBin()});
  ASSERT_EQ(packaged.exit_code, 0) << packaged.err;
  std::string root = dir / "root";
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  testing::Finished unzipped = testing::RunIn(dir.path(), {"unzip", "-q", "echo.zip", "-d", root});
  ASSERT_EQ(unzipped.exit_code, 0) << unzipped.out << unzipped.err;

  // Only bootstrap, executable, and nothing else: no loader, no libraries, no /proc.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(root)) names.push_back(e.path().filename());
  ASSERT_EQ(names, std::vector<std::string>{"bootstrap"});
  struct stat st;
  ASSERT_EQ(::stat((root + "/bootstrap").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u) << "unzip did not restore the mode from the zip";
  if (!CanChroot(root)) GTEST_SKIP() << "chroot(2) is not permitted here (no CAP_SYS_CHROOT in this container)";

  auto serve = testing::ChildProcess::Start(
      {testing::ZerostartBin(), "serve", "--port", "0", "--", "/usr/sbin/chroot", root, "/bootstrap"});
  ASSERT_TRUE(serve.ok()) << serve.status().ToString();
  ASSERT_TRUE((*serve)->WaitForStderr(")\n", seconds(10))) << (*serve)->stderr_text();
  uint16_t port = ReadyPort((*serve)->stderr_text());
  ASSERT_NE(port, 0) << (*serve)->stderr_text();

  auto client = testing::InvokeClient::Connect(port);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  for (int i = 0; i < 3; ++i) {  // cold, then warm
    const std::string payload = R"({"hello":"chroot","n":)" + std::to_string(i) + "}";
    auto response = client->Invoke(payload);
    ASSERT_TRUE(response.ok()) << response.status().ToString() << "\n" << (*serve)->stderr_text();
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(testing::Header(*response, "X-Amz-Function-Error"), "") << response->body;
    EXPECT_EQ(response->body, payload);
  }
  EXPECT_TRUE((*serve)->WaitForStdout("REPORT RequestId:", seconds(30))) << (*serve)->stdout_text();
  EXPECT_EQ((*serve)->stdout_text().find("Runtime.ExitError"), std::string::npos) << (*serve)->stdout_text();
  (*serve)->Signal(SIGTERM);
  EXPECT_TRUE((*serve)->Wait(seconds(30)).has_value());
}

}  // namespace
}  // namespace zerostart
