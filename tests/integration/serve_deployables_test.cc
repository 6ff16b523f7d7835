// End-to-end tests of `zerostart serve` on what users deploy: a Lambda zip made by
// `zerostart package`, unpacked into a private task root under $TMPDIR and removed at exit; the
// functions of a SAM template served at once on one port, each invoked by its name, with the
// template's MemorySize, Timeout, Environment, FunctionUrlConfig and ReservedConcurrentExecutions
// applied (the repository's own deploy/template.yaml too); and bad input refused with a message saying what to fix, leaving nothing in $TMPDIR.
// Each test points TMPDIR at a folder of its own and checks it is empty afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/integration/test_support.h"

namespace zerostart {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using testing::BinPath;
using testing::ChildProcess;

using testing::ExitCode;

// Writes a zip with python3's zipfile: `entries` is a Python list of (name, source file or
// None for empty data, Unix mode) tuples. ELF machine patching: a source "ELF:<n>:<path>" is
// that file with e_machine set to n.
const char kMakeZip[] = R"(
import sys, zipfile
out, entries = sys.argv[1], eval(sys.argv[2])
with zipfile.ZipFile(out, 'w') as z:
    for name, source, mode in entries:
        data = b''
        if source and source.startswith('ELF:'):
            _, machine, path = source.split(':', 2)
            data = bytearray(open(path, 'rb').read())
            data[18:20] = int(machine).to_bytes(2, 'little')
        elif source:
            data = open(source, 'rb').read()
        info = zipfile.ZipInfo(name)
        info.external_attr = (0o100000 | mode) << 16
        z.writestr(info, bytes(data))
)";

class ServeDeployablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveBinary("echo")) GTEST_SKIP() << "echo is not built";
    char dir_template[] = "/tmp/zs_serve_deployables_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    tmpdir_ = dir_ + "/tmp";
    fs::create_directory(tmpdir_);
  }

  void TearDown() override {
    if (serve_) serve_->Terminate();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // `argv` run to its end (at most 30 s), with TMPDIR pointing at this test's folder.
  std::unique_ptr<ChildProcess> Run(std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"/usr/bin/env", "TMPDIR=" + tmpdir_});
    auto child = ChildProcess::Start(argv);
    EXPECT_TRUE(child.ok()) << child.status().ToString();
    if (!child.ok()) return nullptr;
    EXPECT_TRUE((*child)->Wait(seconds(30)).has_value()) << argv[2] << " did not finish";
    return std::move(child).value();
  }

  // Starts `zerostart serve --port 0 ARGS` (TMPDIR as above) and waits for its ready line.
  void StartServe(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/env", "TMPDIR=" + tmpdir_, BinPath("zerostart"), "serve", "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = ChildProcess::Start(argv);
    ASSERT_TRUE(child.ok()) << child.status().ToString();
    serve_ = std::move(child).value();
    // The ready line is the last one serve writes before it serves (a warning may come first).
    const std::regex ready_line(R"(zerostart: serving \S+ on http://127\.0\.0\.1:(\d+) \(.*\)\n)");
    ASSERT_TRUE(serve_->WaitForStderr("zerostart: serving ", seconds(30))) << serve_->stderr_text();
    ASSERT_TRUE(testing::WaitUntil([&] { return std::regex_search(serve_->stderr_text(), ready_line); }))
        << serve_->stderr_text();
    std::smatch match;
    const std::string ready = serve_->stderr_text();
    ASSERT_TRUE(std::regex_search(ready, match, ready_line)) << ready;
    port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
  }

  // The names in $TMPDIR (the task roots serve unpacked and has not removed).
  std::vector<std::string> TempEntries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(tmpdir_)) names.push_back(entry.path().filename());
    return names;
  }

  // Runs `argv` (as Run) and expects exit 0.
  void RunOk(const std::vector<std::string>& argv) {
    auto child = Run(argv);
    ASSERT_TRUE(child);
    EXPECT_EQ(ExitCode(child->Wait(seconds(1))), 0) << child->stderr_text();
  }

  // `zerostart package -o DIR/NAME echo`: the path of the zip.
  std::string PackageEcho(const std::string& name) {
    const std::string zip = dir_ + "/" + name;
    RunOk({BinPath("zerostart"), "package", "-o", zip, BinPath("echo")});
    return zip;
  }

  std::string MakeZip(const std::string& name, const std::string& entries) {
    const std::string zip = dir_ + "/" + name;
    RunOk({"/usr/bin/python3", "-c", kMakeZip, zip, entries});
    return zip;
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Stops serve with `signal`; expects exit 0 and $TMPDIR empty.
  void StopAndExpectCleanTmp(int signal) {
    serve_->Signal(signal);
    EXPECT_EQ(ExitCode(serve_->Wait(seconds(30))), 0) << serve_->stderr_text();
    serve_.reset();
    EXPECT_TRUE(TempEntries().empty()) << TempEntries()[0];
  }

  std::string dir_;
  std::string tmpdir_;
  std::unique_ptr<ChildProcess> serve_;
  uint16_t port_ = 0;
};

TEST_F(ServeDeployablesTest, ServesAZipMadeByPackageFromAPrivateTaskRootRemovedOnSigterm) {
  const std::string zip = PackageEcho("hello.zip");
  StartServe({zip});
  EXPECT_NE(serve_->stderr_text().find("zerostart: serving " + zip + " on"), std::string::npos);
  EXPECT_NE(serve_->stderr_text().find("/lambda-url/hello/"), std::string::npos) << serve_->stderr_text();
  const std::vector<std::string> unpacked = TempEntries();
  ASSERT_EQ(unpacked.size(), 1u);
  EXPECT_TRUE(unpacked[0].starts_with("zerostart-task-")) << unpacked[0];

  auto client = testing::InvokeClient::Connect(port_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto answer = client->Invoke(R"({"from":"zip"})", {}, "hello");  // named after the zip
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(answer->body, R"({"from":"zip"})");
  StopAndExpectCleanTmp(SIGTERM);
}

TEST_F(ServeDeployablesTest, TheTaskRootIsRemovedOnSigintToo) {
  StartServe({"--eager", PackageEcho("fn.zip")});
  ASSERT_EQ(TempEntries().size(), 1u);
  StopAndExpectCleanTmp(SIGINT);
}

// Two functions of one template at once: one from a CodeUri folder (a bash+curl bootstrap that
// answers with its environment and deadline), one from a zip; Globals, !Ref and !Sub resolved.
TEST_F(ServeDeployablesTest, ServesTwoFunctionsOfATemplateEachByItsName) {
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  fs::copy(testing::SourcePath("tests/integration/testdata/env_function"), dir_ + "/env");
  PackageEcho("echo.zip");
  const std::string template_path = WriteFile("template.yaml", R"(
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: test
Globals:
  Function:
    Runtime: provided.al2023
    Timeout: 7
    Environment:
      Variables:
        GREETING: hello
Resources:
  EnvFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: env
      Handler: env.handler
      MemorySize: 256
      Environment:
        Variables:
          STAGE: !Ref Stage
      FunctionUrlConfig:
        AuthType: NONE
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: echo.zip
      Timeout: 3
      ReservedConcurrentExecutions: 2
      Environment:
        Variables:
          STAGE: !Sub '${Stage}-${AWS::Region}'
      Events:
        Api:
          Type: Api
  Table:
    Type: AWS::DynamoDB::Table
)");
  StartServe({"--template", template_path});
  const std::string ready = serve_->stderr_text();
  EXPECT_NE(ready.find("warning: " + template_path +
                       ": not emulated, ignored: Resources.Table (AWS::DynamoDB::Table), EchoFunction.Events\n"),
            std::string::npos)
      << ready;
  EXPECT_NE(ready.find("function EchoFunction ("), std::string::npos) << ready;
  EXPECT_NE(ready.find("1024 MB, 3 s, up to 2 environments): http://127.0.0.1:" + std::to_string(port_) +
                       "/2015-03-31/functions/EchoFunction/invocations\n"),
            std::string::npos)
      << ready;
  EXPECT_NE(ready.find("/lambda-url/EnvFunction/"), std::string::npos) << ready;
  EXPECT_EQ(ready.find("/lambda-url/EchoFunction/"), std::string::npos) << ready;
  ASSERT_EQ(TempEntries().size(), 1u);  // echo.zip's task root; the folder is used in place

  auto client = testing::InvokeClient::Connect(port_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto env_answer = client->Invoke("{}", {}, "EnvFunction");
  ASSERT_TRUE(env_answer.ok()) << env_answer.status().ToString();
  ASSERT_EQ(env_answer->status, 200) << env_answer->body;
  nlohmann::json env = testing::Json(env_answer->body);
  ASSERT_FALSE(env.is_discarded()) << env_answer->body;
  const std::string folder = fs::canonical(dir_ + "/env");
  EXPECT_EQ(env["name"], "EnvFunction");
  EXPECT_EQ(env["memory"], "256");
  EXPECT_EQ(env["handler"], "env.handler");
  EXPECT_EQ(env["task_root"], folder);
  EXPECT_EQ(env["pwd"], folder);
  EXPECT_EQ(env["greeting"], "hello");  // Globals.Function
  EXPECT_EQ(env["stage"], "test");      // !Ref of the parameter's Default
  // Timeout 7 (Globals): the deadline is 7 s after the invoke started, read a little later.
  const int64_t left_ms = env["deadline_ms"].get<int64_t>() - env["now_ms"].get<int64_t>();
  EXPECT_GT(left_ms, 7000 - 3000);
  EXPECT_LE(left_ms, 7000 + 50);

  auto echo_answer = client->Invoke(R"({"to":"echo"})", {}, "EchoFunction");
  ASSERT_TRUE(echo_answer.ok()) << echo_answer.status().ToString();
  EXPECT_EQ(echo_answer->status, 200) << echo_answer->body;
  EXPECT_EQ(echo_answer->body, R"({"to":"echo"})");

  // With several functions, 'function' names none of them.
  auto ambiguous = client->Invoke("{}", {}, "function");
  ASSERT_TRUE(ambiguous.ok()) << ambiguous.status().ToString();
  EXPECT_EQ(ambiguous->status, 404);
  EXPECT_NE(ambiguous->body.find("'EnvFunction', 'EchoFunction'"), std::string::npos) << ambiguous->body;

  // FunctionUrlConfig: EnvFunction has a URL, EchoFunction none.
  auto url = client->SendRaw("GET /lambda-url/EnvFunction/ HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->status, 200) << url->body;
  EXPECT_NE(url->body.find(R"("name":"EnvFunction")"), std::string::npos) << url->body;
  auto no_url = client->SendRaw("GET /lambda-url/EchoFunction/ HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(no_url.ok()) << no_url.status().ToString();
  EXPECT_EQ(no_url->status, 404) << no_url->body;

  ASSERT_TRUE(testing::WaitUntil([&] { return testing::ParseReports(serve_->stdout_text()).size() == 3; }))
      << serve_->stdout_text();
  const auto reports = testing::ParseReports(serve_->stdout_text());
  EXPECT_EQ(reports[0].at("Memory Size"), "256 MB");
  EXPECT_EQ(reports[1].at("Memory Size"), "1024 MB");
  StopAndExpectCleanTmp(SIGTERM);
}

// deploy/template.yaml as users deploy it: its CodeUri ../build/kmeans.zip, parameters' Defaults
// for Architectures, MemorySize, Timeout and the URL's AuthType.
TEST_F(ServeDeployablesTest, TheRepositorysDeployTemplateServesKmeansAsItWouldRunOnLambda) {
  if (!testing::HaveBinary("kmeans")) GTEST_SKIP() << "kmeans is not built";
  fs::create_directories(dir_ + "/deploy");
  fs::create_directories(dir_ + "/build");
  fs::copy(testing::SourcePath("deploy/template.yaml"), dir_ + "/deploy/template.yaml");
  RunOk({BinPath("zerostart"), "package", "-o", dir_ + "/build/kmeans.zip", BinPath("kmeans")});
  StartServe({"--template", dir_ + "/deploy/template.yaml"});
  const std::string ready = serve_->stderr_text();
  EXPECT_NE(ready.find(": not emulated, ignored: KmeansFunction.Tags, KmeansFunction.FunctionUrlConfig.AuthType "
                       "AWS_IAM (requests are not checked)\n"),
            std::string::npos)
      << ready;
  EXPECT_NE(ready.find("1024 MB, 30 s, up to 10 environments): "), std::string::npos) << ready;

  auto client = testing::InvokeClient::Connect(port_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto answer = client->Invoke(R"({"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42})", {}, "KmeansFunction");
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200) << answer->body;
  nlohmann::json result = testing::Json(answer->body);
  ASSERT_FALSE(result.is_discarded()) << answer->body;
  EXPECT_EQ(result["sizes"].size(), 4u) << answer->body;
  auto url = client->SendRaw("POST /lambda-url/KmeansFunction/ HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n"
                             R"({"n":100,"d":2,"k":2,"seed":1})");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->status, 200) << url->body;
  EXPECT_NE(url->body.find(R"("sizes":[)"), std::string::npos) << url->body;
  StopAndExpectCleanTmp(SIGTERM);
}

TEST_F(ServeDeployablesTest, FunctionPicksOneFunctionOfTheTemplate) {
  PackageEcho("echo.zip");
  const std::string template_path = WriteFile("template.yaml", R"(
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: echo.zip, Runtime: provided.al2}
  Two:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: missing.zip, Runtime: provided.al2}
)");
  StartServe({"--template", template_path, "--function", "One"});
  EXPECT_NE(serve_->stderr_text().find("(Runtime API per environment, 1 function)"), std::string::npos);
  auto client = testing::InvokeClient::Connect(port_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto answer = client->Invoke(R"({"one":1})", {}, "function");  // the only one served
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->body, R"({"one":1})");
  StopAndExpectCleanTmp(SIGTERM);
}

// Each refused with exit 2, a message saying what to fix, and nothing left in $TMPDIR.
TEST_F(ServeDeployablesTest, BadInputIsRefusedWithWhatToFixAndLeavesNothing) {
  const std::string echo = BinPath("echo");
  const std::string echo_zip = PackageEcho("echo.zip");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  auto serve_template = [&](const std::string& name, const std::string& text, std::vector<std::string> more = {}) {
    std::vector<std::string> args{"--template", WriteFile(name, text)};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  const std::string function_of = R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: echo.zip
      Runtime: provided.al2023
)";
  const std::vector<Case> cases = {
      {{MakeZip("no_bootstrap.zip", "[('handler', '" + echo + "', 0o755)]")},
       "the zip has no bootstrap at its root"},
      {{MakeZip("not_executable.zip", "[('bootstrap', '" + echo + "', 0o644)]")},
       "bootstrap in the zip is not executable"},
      {{MakeZip("escapes.zip", "[('bootstrap', '" + echo + "', 0o755), ('../evil', None, 0o644)]")},
       "entry '../evil' escapes the task root"},
      {{MakeZip("powerpc.zip", "[('bootstrap', 'ELF:20:" + echo + "', 0o755)]")},
       "is built for EM_20, which Lambda does not run: build it for x86_64 or arm64 Linux"},
      {serve_template("not_yaml.yaml", "Resources: [unclosed\n  - {\n"), "not_yaml.yaml is not YAML: line"},
      {serve_template("no_resources.yaml", "just text\n"), "is not a SAM template: it has no Resources map"},
      {serve_template("named.yaml", function_of, {"--function", "Nope"}),
       "has no AWS::Serverless::Function named 'Nope' (it has: Fn)"},
      {serve_template("getatt.yaml", function_of + "      Environment:\n        Variables:\n          TABLE: !GetAtt Table.Arn\n"),
       "!GetAtt cannot be resolved locally (zerostart resolves !Ref and !Sub of parameters' Default values and pseudo "
       "parameters) at Resources.Fn.Properties.Environment.Variables.TABLE (line 10)"},
      {serve_template("no_default.yaml", "Parameters:\n  Stage: {Type: String}\n" + function_of +
                                             "      Handler: !Sub 'h-${Stage}'\n"),
       "!Sub ${Stage} cannot be resolved: the parameter Stage has no Default (give it one) at "
       "Resources.Fn.Properties.Handler (line 10)"},
      {serve_template("arch.yaml", function_of + "      Architectures: [arm64]\n"),
       "function Fn: Architectures says arm64 (x86_64 when not set) but the bootstrap in"},
      {serve_template("runtime.yaml", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                                      "      CodeUri: echo.zip\n      Runtime: python3.12\n"),
       "Runtime python3.12 is not served"},
      {{"--template", dir_ + "/absent.yaml"}, "absent.yaml"},
      {{"--function", "Fn", echo_zip}, "--function and --parameter need --template"},
      {serve_template("unknown_parameter.yaml", function_of, {"--parameter", "Stage=prod"}),
       "unknown_parameter.yaml has no parameter Stage (Parameters declares those it takes)"},
      {serve_template("parameter_syntax.yaml", function_of, {"--parameter", "Stage"}),
       "--parameter expects KEY=VALUE, got 'Stage'"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv{BinPath("zerostart"), "serve", "--port", "0"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto serve = Run(argv);
    ASSERT_TRUE(serve);
    EXPECT_EQ(ExitCode(serve->Wait(seconds(1))), 2) << c.message << "\n" << serve->stderr_text();
    EXPECT_NE(serve->stderr_text().find(c.message), std::string::npos) << serve->stderr_text();
    EXPECT_TRUE(TempEntries().empty()) << c.message;
  }
}

}  // namespace
}  // namespace zerostart
