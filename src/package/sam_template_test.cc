// LoadSamTemplate on templates written here: Globals and the function's own properties, the
// intrinsics it resolves (short and long form), those it names as unresolvable, and the
// features it reports as not emulated.
#include "src/package/sam_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/package/elf_test_util.h"

namespace zerostart::package {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::WriteTestFile;

Result<SamTemplate> LoadText(const ScratchDir& dir, const std::string& text, const std::string& only = "") {
  WriteTestFile(dir / "template.yaml", text);
  return LoadSamTemplate(dir / "template.yaml", only);
}

TEST(SamTemplateTest, GlobalsAreDefaultsAndEnvironmentVariablesMerge) {
  ScratchDir dir;
  auto loaded = LoadText(dir, R"(
Parameters:
  Stage: {Type: String, Default: prod}
  Sizes: {Type: CommaDelimitedList, Default: [a, b]}
Globals:
  Function:
    Runtime: provided.al2
    MemorySize: 512
    Timeout: 9
    Architectures: [arm64]
    Environment:
      Variables: {A: global, B: global}
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: build/api
      FunctionName: {"Fn::Sub": ["${Prefix}-${Stage}", {Prefix: api}]}
      Handler: {Ref: Stage}
      MemorySize: 128
      Environment:
        Variables:
          B: !Sub '${AWS::Region}:${AWS::AccountId}:${!Literal}'
          C: !Ref Sizes
          D: 42
)");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->functions.size(), 1u);
  const SamFunction& api = loaded->functions[0];
  EXPECT_EQ(api.logical_id, "Api");
  EXPECT_EQ(api.name, "api-prod");
  EXPECT_EQ(api.code_path, dir / "build/api");
  EXPECT_EQ(api.handler, "prod");
  EXPECT_EQ(api.runtime, "provided.al2");
  EXPECT_EQ(api.memory_mb, 128);        // its own
  EXPECT_EQ(api.timeout_seconds, 9.0);  // Globals'
  EXPECT_EQ(api.architecture, "arm64");
  EXPECT_FALSE(api.function_url);
  EXPECT_FALSE(api.reserved_concurrency);
  EXPECT_EQ(api.environment, (std::map<std::string, std::string>{
                                 {"A", "global"}, {"B", "us-east-1:012345678912:${Literal}"}, {"C", "a,b"}, {"D", "42"}}));
  EXPECT_TRUE(loaded->unsupported.empty());
}

TEST(SamTemplateTest, ParameterValuesReplaceDefaultsAndMayFillAMissingOne) {
  ScratchDir dir;
  WriteTestFile(dir / "template.yaml", R"(
Parameters:
  Arch: {Type: String, Default: x86_64}
  Stage: {Type: String}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn.zip
      Runtime: provided.al2023
      Architectures: [!Ref Arch]
      Handler: !Sub '${Stage}.handler'
)");
  auto loaded = LoadSamTemplate(dir / "template.yaml", "", {{"Arch", "arm64"}, {"Stage", "prod"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->functions[0].architecture, "arm64");
  EXPECT_EQ(loaded->functions[0].handler, "prod.handler");
  auto unknown = LoadSamTemplate(dir / "template.yaml", "", {{"Region", "x"}});
  EXPECT_THAT(unknown.status().message(), HasSubstr("has no parameter Region"));
}

TEST(SamTemplateTest, WhatIsNotEmulatedIsListedAndItsIntrinsicsAreNotResolved) {
  ScratchDir dir;
  auto loaded = LoadText(dir, R"(
Conditions:
  Never: !Equals [a, b]
Globals:
  Api: {Cors: '*'}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Condition: Never
    Properties:
      CodeUri: fn.zip
      Runtime: provided.al2023
      Policies: [!GetAtt Table.Arn]
      FunctionUrlConfig: {AuthType: AWS_IAM, Cors: {AllowOrigins: ['*']}, InvokeMode: RESPONSE_STREAM}
      ReservedConcurrentExecutions: 3
  Table:
    Type: AWS::DynamoDB::Table
)");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_THAT(loaded->unsupported,
              ElementsAre("Conditions", "Globals.Api", "Fn.Condition", "Resources.Table (AWS::DynamoDB::Table)",
                          "Fn.Policies", "Fn.FunctionUrlConfig.AuthType AWS_IAM (requests are not checked)",
                          "Fn.FunctionUrlConfig.Cors"));
  ASSERT_EQ(loaded->functions.size(), 1u);
  EXPECT_TRUE(loaded->functions[0].function_url);
  EXPECT_EQ(loaded->functions[0].reserved_concurrency, 3);
}

TEST(SamTemplateTest, AnImageFunctionIsServedFromItsDockerContextAndSaysSo) {
  ScratchDir dir;
  auto loaded = LoadText(dir, R"(
Resources:
  Java:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      MemorySize: 512
      ImageConfig: {Command: [x]}
    Metadata:
      Dockerfile: Dockerfile
      DockerContext: build/package
      DockerTag: latest
      Extra: 1
  Zip:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn.zip, Runtime: provided.al2023}
    Metadata: {BuildMethod: makefile}
)");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->functions.size(), 2u);
  EXPECT_TRUE(loaded->functions[0].image);
  EXPECT_EQ(loaded->functions[0].code_path, dir / "build/package");
  EXPECT_EQ(loaded->functions[0].runtime, "");
  EXPECT_EQ(loaded->functions[0].memory_mb, 512);
  EXPECT_FALSE(loaded->functions[1].image);
  EXPECT_THAT(loaded->unsupported,
              ElementsAre("Java.ImageConfig",
                          "Java.PackageType Image (its DockerContext's bootstrap runs on this host; the image is "
                          "not built)",
                          "Java.Metadata.Extra", "Zip.Metadata"));
}

TEST(SamTemplateTest, OnlyKeepsOneFunctionByLogicalIdOrFunctionName) {
  ScratchDir dir;
  const std::string text = R"(
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a, Runtime: provided.al2023, FunctionName: alpha}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: b, Runtime: provided.al2023, Handler: !GetAtt X.Y}
)";
  auto by_id = LoadText(dir, text, "A");  // B's unresolvable Handler is not read
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  ASSERT_EQ(by_id->functions.size(), 1u);
  EXPECT_EQ(by_id->functions[0].name, "alpha");
  auto by_name = LoadText(dir, text, "alpha");
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(by_name->functions[0].logical_id, "A");
  auto missing = LoadText(dir, text, "C");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("has no AWS::Serverless::Function named 'C' (it has: A, B)"));
  auto all = LoadText(dir, text);
  EXPECT_EQ(all.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(all.status().message(), HasSubstr("!GetAtt cannot be resolved locally"));
  EXPECT_THAT(all.status().message(), HasSubstr("at Resources.B.Properties.Handler (line 8)"));
}

TEST(SamTemplateTest, RefusalsSayWhatToFix) {
  ScratchDir dir;
  const std::string head = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n";
  struct Case {
    std::string properties;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"      CodeUri: x\n", "function Fn has no Runtime (set Runtime: provided.al2023)"},
           {"      Runtime: provided.al2023\n", "function Fn has no CodeUri"},
           {"      Runtime: provided.al2023\n      CodeUri: s3://bucket/key.zip\n", "CodeUri in S3 is not served"},
           {"      Runtime: provided.al2023\n      CodeUri: {Bucket: b, Key: k}\n", "CodeUri in S3 is not served"},
           {"      PackageType: Image\n", "PackageType Image is served only from its Metadata.DockerContext"},
           {"      Runtime: provided.al2023\n      CodeUri: x\n      PackageType: Jar\n", "PackageType Jar is neither Zip nor Image"},
           {"      Runtime: provided.al2023\n      CodeUri: x\n      MemorySize: lots\n", "'lots' is not a whole number"},
           {"      Runtime: provided.al2023\n      CodeUri: !Ref Fn\n",
            "!Ref Fn cannot be resolved: Fn is a resource, which has no value locally"},
           {"      Runtime: provided.al2023\n      CodeUri: !Ref Nope\n",
            "!Ref Nope cannot be resolved: Nope is neither a parameter nor a pseudo parameter"},
           {"      Runtime: provided.al2023\n      CodeUri: !Join ['', [a, b]]\n", "!Join cannot be resolved locally"},
           {"      Runtime: provided.al2023\n      CodeUri: {'Fn::If': [c, a, b]}\n", "!If cannot be resolved locally"},
           {"      Runtime: provided.al2023\n      CodeUri: !Sub '${Fn.Arn}'\n", "!Sub ${Fn.Arn} is an attribute"},
           {"      Runtime: provided.al2023\n      CodeUri: x\n      Architectures: [x86_64, arm64]\n",
            "Architectures takes one of [x86_64] or [arm64]"},
       }) {
    auto loaded = LoadText(dir, head + c.properties);
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument) << c.properties;
    EXPECT_THAT(loaded.status().message(), HasSubstr(c.message)) << c.properties;
  }
  auto not_yaml = LoadText(dir, "a: [1,\n b: }\n");
  EXPECT_THAT(not_yaml.status().message(), HasSubstr("template.yaml is not YAML: line 2, column"));
  auto no_function = LoadText(dir, "Resources:\n  T: {Type: AWS::SQS::Queue}\n");
  EXPECT_THAT(no_function.status().message(), HasSubstr("has no resource of Type AWS::Serverless::Function"));
  EXPECT_EQ(LoadSamTemplate(dir / "absent.yaml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace zerostart::package
