// End-to-end tests of the JNI bridge: Java functions (examples/java-kmeans, and
// tests/jni/java/JniTestFunction) under `zerostart serve`, over the Runtime API and go1.x.
// Every test skips, with the reason, when the build has no JDK (no bridge) or the jars of the
// example are missing. Each TEST starts its own JVMs (ctest runs one TEST per process), so the
// checks are grouped to keep the suite short.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "functions/kmeans/kmeans_function.h"
#include "tests/integration/test_support.h"
#include "tests/jni/jni_test_support.h"

namespace zerostart {
namespace {

using testing::BinPath;
using testing::Json;
using testing::jni::Deterministic;
using testing::jni::Served;
using testing::jni::TestFunction;

const std::string& kJavaKmeansPackage = testing::TestConfig("java_kmeans_package");
const std::string kJavaKmeans = kJavaKmeansPackage + "/bootstrap";

// What every test here needs besides the bridge.
#define SKIP_WITHOUT_JDK()                                                     \
  ZS_SKIP_WITHOUT_JDK((std::vector<std::string>{kJavaKmeans, BinPath("kmeans"), \
                                                testing::jni::TestClass("JniTestFunction")}))

const std::vector<std::string>& GoodRequests() {
  static const std::vector<std::string> requests = {
      "",
      R"({"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42})",
      R"({"n":5000,"d":1,"k":3,"seed":7})",
      R"({"n":20000,"d":3,"k":8,"seed":-5,"maxIterations":-1})",
      R"({"n":300,"d":5,"k":1})",
      R"({"n":50,"d":2,"k":50,"seed":3})",
      R"({"n":2000,"d":2,"k":6,"maxIterations":2,"seed":11})",
      R"({"k":3,"maxIterations":0,"seed":1})",
      R"({"n":1000.0,"d":2,"k":4,"seed":4294967338})",
      R"({"points":[[0,0],[0,1],[1,0],[1,1],[2,2],[2,3],[3,2],[3,3]],"k":2})",
      R"({"points":[[1,1],[1,1],[1,1],[2,2]],"k":3,"maxIterations":5,"emptyClusterStrategy":"LARGEST_VARIANCE"})",
      R"({"points":[[1,1],[1,1],[1,1],[2,2]],"k":3,"maxIterations":5,"emptyClusterStrategy":"LARGEST_POINTS_NUMBER"})",
      R"({"points":[[1,1],[1,1],[1,1],[2,2]],"k":3,"maxIterations":5,"emptyClusterStrategy":"FARTHEST_POINT"})",
      R"({"points":[[1,1],[1,1],[1,1],[2,2]],"k":3,"maxIterations":5,"emptyClusterStrategy":"ERROR"})",
      R"({"points":[[1e-300,-0.0],[5e-324,1e300],[0.1,0.2],[1e22,3]],"k":2,"seed":9})",
  };
  return requests;
}

// Bad requests that reach the function (the emulator itself refuses payloads that are not JSON,
// such as "{" or a number beyond the double range, for both functions alike).
const std::vector<std::string>& BadRequests() {
  static const std::vector<std::string> requests = {
      "[1,2]",
      R"("text")",
      R"({"k":0})",
      R"({"k":"four"})",
      R"({"n":3,"k":4})",
      R"({"d":0})",
      R"({"n":1.5})",
      R"({"emptyClusterStrategy":"SOMETIMES"})",
      R"({"points":[[1,2],[3]]})",
      R"({"points":[[1,2],["x",1]]})",
      R"({"points":[]})",
      R"({"points":[[1,1],[1,1]],"k":2,"maxIterations":-1})",
      R"({"n":2000000000,"d":1000,"k":4})",
  };
  return requests;
}

// The Java function answers every request exactly as the C++ one: same deterministic text for
// results, same errorType (and the Unhandled marker) for errors.
void ExpectSameAnswers(Served& java, Served& cpp, const std::vector<std::string>& requests) {
  for (const std::string& request : requests) {
    SCOPED_TRACE(request);
    const http::Response j = java.Invoke(request);
    const http::Response c = cpp.Invoke(request);
    EXPECT_EQ(testing::Header(j, "X-Amz-Function-Error"), testing::Header(c, "X-Amz-Function-Error"));
    if (testing::Header(c, "X-Amz-Function-Error").empty()) {
      EXPECT_EQ(Deterministic(j.body), Deterministic(c.body));
      EXPECT_NE(j.body.find("\"threads\":1}"), std::string::npos) << j.body;
    } else {
      EXPECT_EQ(Json(j.body).value("errorType", "?"), Json(c.body).value("errorType", "!"))
          << "java: " << j.body << "\nc++: " << c.body;
    }
  }
}

TEST(JavaKmeansTest, AnswersEqualTheCppFunctionsOverTheRuntimeApi) {
  SKIP_WITHOUT_JDK();
  Served java({}, {kJavaKmeans});
  Served cpp({}, {BinPath("kmeans")});
  ASSERT_TRUE(java.ok() && cpp.ok());
  // The checked example of docs/WORKLOAD.md, literally.
  const http::Response checked = java.Invoke(testing::jni::kCheckedKmeansRequest);
  EXPECT_EQ(Deterministic(checked.body), testing::jni::kCheckedKmeansAnswer);
  ExpectSameAnswers(java, cpp, GoodRequests());
  ExpectSameAnswers(java, cpp, BadRequests());
  // Still the first JVM: errors did not cost the process.
  const size_t invokes = 1 + GoodRequests().size() + BadRequests().size();
  ASSERT_EQ(java.InitsAfterReports(invokes), 1);
  EXPECT_EQ(testing::StartedRequestIds(java.process().stdout_text()).size(), invokes);
  EXPECT_EQ(testing::ParseReports(java.process().stdout_text()).front().count("Init Duration"), 1u);
}

TEST(JavaKmeansTest, AnswersEqualTheCppFunctionsOverGo1x) {
  SKIP_WITHOUT_JDK();
  Served java({"--protocol", "go1x"}, {kJavaKmeans});
  Served cpp({"--protocol", "go1x"}, {BinPath("kmeans")});
  ASSERT_TRUE(java.ok() && cpp.ok());
  ExpectSameAnswers(java, cpp,
                    {R"({"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42})",
                     R"({"n":4000,"d":3,"k":5,"seed":99})", R"({"k":0})", "[]",
                     R"({"points":[[1,1],[1,1],[1,1],[2,2]],"k":3,"maxIterations":5,"emptyClusterStrategy":"ERROR"})"});
}

// Java's JsonDoubles prints every double as the C++ function's AppendJsonDouble does.
TEST(JavaKmeansTest, DoublesAreFormattedAsTheCppFunctionFormatsThem) {
  SKIP_WITHOUT_JDK();
  std::vector<double> values = {0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e-5, 1e-4, 1e-3, 123456.0,
                                1e7, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23, 2e23, 5e-324, 1e-300,
                                1.7976931348623157e308, 2.2250738585072014e-308, 41.46465311349745,
                                0.30000000000000004, 9007199254740993.0, 2.82879384806159e17,
                                1.0E-7, 100.0, 12345678901234567890.0};
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 20000; ++i) {
    double x;
    const uint64_t bits = rng();
    std::memcpy(&x, &bits, sizeof x);
    if (std::isfinite(x)) values.push_back(x);
    values.push_back(std::uniform_real_distribution<double>(0, 1)(rng) *
                     std::pow(10.0, static_cast<int>(rng() % 40) - 20));
  }
  for (int e = -1074; e <= 1023; e += 7) values.push_back(std::ldexp(1.0, e));  // powers of two
  std::ostringstream input;
  for (double x : values) {
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof x);
    input << std::hex << bits << '\n';
  }
  const std::string in_path = "/tmp/zs_jni_doubles_" + std::to_string(::getpid());
  std::ofstream(in_path) << input.str();
  const std::string command = "java -cp " + kJavaKmeansPackage +
                              "/lib/java-kmeans.jar dev.zerostart.examples.kmeans.JsonDoubles < " +
                              in_path;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[65536];
  for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, got);
  EXPECT_EQ(::pclose(pipe), 0);
  std::remove(in_path.c_str());
  std::istringstream lines(output);
  size_t index = 0;
  int mismatches = 0;
  for (std::string line; std::getline(lines, line); ++index) {
    ASSERT_LT(index, values.size());
    std::string expected;
    functions::AppendJsonDouble(expected, values[index]);
    if (line != expected && ++mismatches <= 10) {
      ADD_FAILURE() << "java " << line << " c++ " << expected;
    }
  }
  EXPECT_EQ(index, values.size());
  EXPECT_EQ(mismatches, 0);
}

// A thrown exception becomes a Lambda error with the class, message and frames, and the same
// JVM goes on serving; the context accessors see the invocation.
void CheckThrowAndContext(Served& served) {
  const http::Response thrown = served.Invoke(R"({"action":"throw"})");
  EXPECT_EQ(testing::Header(thrown, "X-Amz-Function-Error"), "Unhandled");
  const nlohmann::json error = Json(thrown.body);
  EXPECT_EQ(error.value("errorType", ""), "java.lang.IllegalArgumentException") << thrown.body;
  EXPECT_EQ(error.value("errorMessage", ""), "jni test: ünïcödé failure") << thrown.body;
  ASSERT_TRUE(error.contains("stackTrace")) << thrown.body;
  EXPECT_NE(error["stackTrace"].dump().find("JniTestFunction.nested"), std::string::npos)
      << thrown.body;
  EXPECT_EQ(served.Invoke(R"({"after":"throw"})").body, R"({"after":"throw"})");
  const nlohmann::json context = Json(served.Invoke(R"({"action":"context"})").body);
  EXPECT_FALSE(context.value("requestId", "").empty()) << context.dump();
  EXPECT_NE(context.value("functionArn", "").find("arn:aws:lambda:"), std::string::npos);
  EXPECT_GT(context.value("remainingTimeMillis", 0), 1000);
}

// A handler that overruns the timeout or kills the JVM is handled as for a native function:
// Sandbox.Timedout / Runtime.ExitError, and the next invoke starts a fresh JVM.
void CheckTimeoutAndCrash(Served& served) {
  const http::Response timed_out = served.Invoke(R"({"action":"sleep_ms","ms":10000})");
  EXPECT_EQ(Json(timed_out.body).value("errorType", ""), "Sandbox.Timedout") << timed_out.body;
  EXPECT_EQ(served.Invoke(R"({"after":"timeout"})").body, R"({"after":"timeout"})");
  for (const char* action : {R"({"action":"halt"})", R"({"action":"exit"})"}) {
    const http::Response crashed = served.Invoke(action);
    EXPECT_EQ(Json(crashed.body).value("errorType", ""), "Runtime.ExitError") << crashed.body;
    EXPECT_EQ(served.Invoke(R"({"after":"crash"})").body, R"({"after":"crash"})");
  }
}

TEST(JniBridgeTest, ExceptionsTimeoutsAndCrashesOverTheRuntimeApi) {
  SKIP_WITHOUT_JDK();
  Served served({"--timeout", "2"}, TestFunction("serve"));
  ASSERT_TRUE(served.ok());
  CheckThrowAndContext(served);
  CheckTimeoutAndCrash(served);
}

TEST(JniBridgeTest, ExceptionsTimeoutsAndCrashesOverGo1x) {
  SKIP_WITHOUT_JDK();
  Served served({"--timeout", "2", "--protocol", "go1x"}, TestFunction("serve"));
  ASSERT_TRUE(served.ok());
  CheckThrowAndContext(served);
  CheckTimeoutAndCrash(served);
}

// Each misuse of the API from Java throws the documented exception; the JVM keeps serving.
TEST(JniBridgeTest, MisuseThrowsJavaExceptionsAndNeverCrashes) {
  SKIP_WITHOUT_JDK();
  Served served({}, TestFunction("misuse"));
  ASSERT_TRUE(served.ok());
  const nlohmann::json before = Json(served.Invoke(R"({"action":"misuse"})").body);
  EXPECT_EQ(before.value("checks", 0), 19) << before.dump();
  EXPECT_EQ(before["failures"], nlohmann::json::array()) << before.dump();
  const nlohmann::json after = Json(served.Invoke(R"({"action":"misuse_after"})").body);
  EXPECT_EQ(after.value("checks", 0), 4) << after.dump();
  EXPECT_EQ(after["failures"], nlohmann::json::array()) << after.dump();
  EXPECT_EQ(served.Invoke(R"({"still":"serving"})").body, R"({"still":"serving"})");
  EXPECT_EQ(served.InitsAfterReports(3), 1);
}

long VmRssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// No leak: 10,000 invocations through the bridge. The young generation is made small (4 MiB)
// so that garbage is collected every few hundred invokes instead of filling a default-sized eden
// page by page (which reads as steady growth with no leak at all). After a warm-up of 2,000
// invokes (JIT, heap sizing), VmRSS may grow by at most kToleranceKib over the next 8,000: a
// native leak of 512 bytes per invoke (about one payload copy) would exceed it.
TEST(JniBridgeTest, TenThousandInvocationsKeepTheJvmRssFlat) {
  SKIP_WITHOUT_JDK();
  constexpr long kToleranceKib = 4096;
  Served served({"--memory", "256", "--env", "JNI_TEST_JAVA_OPTS=-Xms32m -Xmn4m"},
                TestFunction("serve"));
  ASSERT_TRUE(served.ok());
  const std::string payload = R"({"payload":")" + std::string(400, 'x') + "\"}";
  std::vector<long> rss;
  for (int i = 1; i <= 10000; ++i) {
    const http::Response response = served.Invoke(payload);
    if (response.body != payload) {
      ADD_FAILURE() << "invoke " << i << ": " << response.body.substr(0, 200);
      break;
    }
    if (i % 2000 == 0) rss.push_back(VmRssKib(served.FunctionPid()));
  }
  ASSERT_EQ(rss.size(), 5u);
  std::ostringstream trace;
  for (long kib : rss) trace << kib << " ";
  RecordProperty("vm_rss_kib", trace.str());
  EXPECT_GT(rss[0], 0);
  EXPECT_LE(rss[4] - rss[0], kToleranceKib) << "VmRSS (KiB) every 2,000 invokes: " << trace.str();
}

}  // namespace
}  // namespace zerostart
