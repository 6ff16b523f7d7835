// End-to-end tests of the Java packages' class-data-sharing archive (lib/app.jsa, written at
// build time by cmake/java/zerostart_java_cds_archive.sh) and of the bridge's training-run exit
// (dev.zerostart.Lambda.EXIT_AFTER_PROPERTY), under `zerostart serve`. The JVM's class-loading
// log (-Xlog:class+load, through ZEROSTART_JAVA_OPTS) tells whether the archive was mapped: an
// archived class is loaded from "shared objects file (top)", any other from its jar.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/test_support.h"
#include "tests/jni/jni_test_support.h"

namespace zerostart {
namespace {

namespace fs = std::filesystem;
using testing::jni::Deterministic;
using testing::jni::Served;

const std::string& KmeansPackage() { return testing::TestConfig("java_kmeans_package"); }

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory under the test's temporary directory.
std::string FreshDir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("zs_cds_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// A copy of the package at `dir`/package with the files' modification times (which the JVM
// checks against the archive's record of the jars), as a deployed package keeps them.
std::string CopyPackage(const std::string& dir) {
  const fs::path to = fs::path(dir) / "package";
  fs::copy(KmeansPackage(), to, fs::copy_options::recursive);
  for (const auto& entry : fs::recursive_directory_iterator(KmeansPackage())) {
    const fs::path copy = to / fs::relative(entry.path(), KmeansPackage());
    fs::permissions(copy, fs::perms::owner_write, fs::perm_options::add);
    fs::last_write_time(copy, fs::last_write_time(entry.path()));
  }
  return to.string();
}

// Serves `package` with its class-loading log in `log`, checks the answer to the checked example
// and returns where the JVM loaded the function's main class from (the log's "source: ...").
std::string MainClassSource(const std::string& package, const std::string& log) {
  Served served({"--env", "ZEROSTART_JAVA_OPTS=-Xlog:class+load=info:file=" + log},
                {package + "/bootstrap"});
  if (!served.ok()) return "(not served)";
  const http::Response answer = served.Invoke(testing::jni::kCheckedKmeansRequest);
  EXPECT_EQ(Deterministic(answer.body), testing::jni::kCheckedKmeansAnswer) << package;
  // The function's own output: JDK 17 says nothing when it ignores an archive (-Xshare:auto).
  const std::string output = served.process().stdout_text() + served.process().stderr_text();
  EXPECT_EQ(output.find("shar"), std::string::npos) << output;
  const std::string text = FileText(log);
  const std::string main_class = "dev.zerostart.examples.kmeans.KMeansFunction source: ";
  const size_t at = text.find(main_class);
  if (at == std::string::npos) return "(not loaded)";
  const size_t from = at + main_class.size();
  return text.substr(from, text.find('\n', from) - from);
}

constexpr char kArchived[] = "shared objects file (top)";

TEST(JavaCdsTest, ThePackageMapsItsArchiveAndAnswersAsWithout) {
  ZS_SKIP_WITHOUT_JDK((std::vector<std::string>{KmeansPackage() + "/bootstrap"}));
  if (testing::TestConfig("java_cds") != "ON") GTEST_SKIP() << "built with ZS_JAVA_CDS=OFF";
  const std::string archive = KmeansPackage() + "/lib/app.jsa";
  ASSERT_TRUE(testing::jni::Readable(archive)) << archive;
  EXPECT_GT(fs::file_size(archive), 100'000u);
  EXPECT_FALSE(fs::exists(archive + ".partial"));
  const std::string dir = FreshDir("built");
  EXPECT_EQ(MainClassSource(KmeansPackage(), dir + "/classes.log"), kArchived);
  fs::remove_all(dir);
}

// The package is complete without its archive, and an archive the JVM cannot use (made by another
// JDK build, or not an archive at all) is ignored: the function starts and answers the same. A
// moved package keeps using its archive (the class path is relative to the package).
TEST(JavaCdsTest, AMissingForeignOrCorruptArchiveFallsBackAndAMovedOneIsUsed) {
  ZS_SKIP_WITHOUT_JDK((std::vector<std::string>{KmeansPackage() + "/bootstrap"}));
  if (testing::TestConfig("java_cds") != "ON") GTEST_SKIP() << "built with ZS_JAVA_CDS=OFF";
  const std::string original = FileText(KmeansPackage() + "/lib/app.jsa");
  // The header names the JVM build that wrote the archive ("OpenJDK 64-Bit Server VM (17...").
  const size_t ident = original.find("Server VM (");
  ASSERT_NE(ident, std::string::npos);
  const struct {
    const char* name;
    std::string archive;  // "" removes it
    const char* expected_source;
  } cases[] = {
      {"moved", original, kArchived},
      {"missing", "", "file:"},
      {"foreign", original.substr(0, ident) + "Server VM [" + original.substr(ident + 11), "file:"},
      {"garbage", std::string(original.size(), 'x'), "file:"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir = FreshDir(c.name);
    const std::string package = CopyPackage(dir);
    const std::string archive = package + "/lib/app.jsa";
    if (c.archive.empty()) {
      fs::remove(archive);
    } else {
      std::ofstream(archive, std::ios::binary | std::ios::trunc) << c.archive;
    }
    EXPECT_EQ(MainClassSource(package, dir + "/classes.log").rfind(c.expected_source, 0), 0u)
        << FileText(dir + "/classes.log").substr(0, 2000);
    fs::remove_all(dir);
  }
}

// -Dzerostart.exitAfterInvokes=N: the readRequest after N invocations exits the JVM with 0 (a
// clean exit: the JVM writes an -XX:ArchiveClassesAtExit archive then); the next invoke starts
// a fresh one. A value that is not a count ends the JVM at start with 78, saying why.
TEST(JniBridgeTest, ExitAfterInvokesEndsTheJvmCleanlyBetweenInvokes) {
  ZS_SKIP_WITHOUT_JDK((std::vector<std::string>{testing::jni::TestClass("JniTestFunction")}));
  {
    Served served({"--no-freeze", "--env", "JNI_TEST_JAVA_OPTS=-Dzerostart.exitAfterInvokes=2"},
                  testing::jni::TestFunction("serve"));
    ASSERT_TRUE(served.ok());
    EXPECT_EQ(served.Invoke(R"({"n":1})").body, R"({"n":1})");
    EXPECT_EQ(served.Invoke(R"({"n":2})").body, R"({"n":2})");
    EXPECT_TRUE(served.process().WaitForStderr("the function exited between invokes (exit status 0)",
                                               std::chrono::seconds(10)))
        << served.process().stderr_text();
    EXPECT_EQ(served.Invoke(R"({"n":3})").body, R"({"n":3})");
    EXPECT_EQ(served.InitsAfterReports(3), 2);
  }
  Served bad({"--env", "JNI_TEST_JAVA_OPTS=-Dzerostart.exitAfterInvokes=two"},
             testing::jni::TestFunction("serve"));
  ASSERT_TRUE(bad.ok());
  const http::Response refused = bad.Invoke("{}");
  EXPECT_NE(refused.body.find("exit status 78"), std::string::npos) << refused.body;
  EXPECT_NE(bad.process().stderr_text().find("zerostart.exitAfterInvokes=two is not a count"),
            std::string::npos)
      << bad.process().stderr_text();
}

}  // namespace
}  // namespace zerostart
