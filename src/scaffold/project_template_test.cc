#include "src/scaffold/project_template.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace zerostart::scaffold {
namespace {

// Whether `text` still holds an "@PLACEHOLDER@" (capitals and '_' between two '@').
bool HasPlaceholder(const std::string& text) {
  for (size_t at = text.find('@'); at != std::string::npos; at = text.find('@', at + 1)) {
    size_t end = at + 1;
    while (end < text.size() && ((text[end] >= 'A' && text[end] <= 'Z') || text[end] == '_')) ++end;
    if (end > at + 1 && end < text.size() && text[end] == '@') return true;
  }
  return false;
}

const ProjectFile* Find(const std::vector<ProjectFile>& files, const std::string& path) {
  for (const ProjectFile& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

TEST(ProjectTemplateTest, EveryTemplateHasTheProjectsFilesWithEveryPlaceholderFilled) {
  ASSERT_GE(Templates().size(), 4u);
  EXPECT_EQ(Templates().front().name, "hello");  // the default
  const std::set<std::string> cpp_files = {".gitignore", "CMakeLists.txt", "README.md", "src/handler.cc",
                                           "src/handler.h", "src/main.cc", "template.yaml",
                                           "test/handler_test.cc"};
  const std::set<std::string> java_files = {".gitignore", "CMakeLists.txt", "README.md",
                                            "src/main/java/app/Handler.java", "src/main/java/app/Main.java",
                                            "src/test/java/app/HandlerTest.java", "template.yaml"};
  for (const TemplateInfo& info : Templates()) {
    SCOPED_TRACE(info.name);
    const bool java = info.name == "java";
    auto files = RenderProject(info.name, "my-fn_2");
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    std::set<std::string> paths;
    for (const ProjectFile& f : *files) {
      paths.insert(f.path);
      EXPECT_FALSE(HasPlaceholder(f.text)) << f.path << " keeps a placeholder";
      EXPECT_EQ(f.text.find(".in\""), std::string::npos) << f.path;
    }
    EXPECT_EQ(paths, java ? java_files : cpp_files);
    const std::string& cmake = Find(*files, "CMakeLists.txt")->text;
    EXPECT_NE(cmake.find("project(my-fn_2 LANGUAGES CXX)"), std::string::npos);
    const std::string& sam = Find(*files, "template.yaml")->text;
    EXPECT_NE(sam.find("  MyFn2Function:\n    Type: AWS::Serverless::Function"), std::string::npos);
    if (java) {
      EXPECT_NE(cmake.find("zerostart_add_java_function(my-fn_2 MAIN_CLASS app.Main"), std::string::npos);
      EXPECT_NE(cmake.find("zerostart_add_java_test(my_fn_2_test FUNCTION my-fn_2"), std::string::npos);
      EXPECT_NE(sam.find("PackageType: Image"), std::string::npos);
      EXPECT_NE(sam.find("DockerContext: build/package"), std::string::npos);
      EXPECT_EQ(sam.find("CodeUri"), std::string::npos);
      EXPECT_EQ(BuiltFunction(info.name, "my-fn_2"), "build/package/bootstrap");
    } else {
      EXPECT_NE(cmake.find("zerostart_add_function(my-fn_2 SOURCES src/main.cc LIBRARIES my_fn_2_handler)"),
                std::string::npos);
      EXPECT_NE(Find(*files, "src/main.cc")->text.find("my_fn_2::Handle"), std::string::npos);
      EXPECT_NE(Find(*files, "src/handler.h")->text.find("#ifndef MY_FN_2_HANDLER_H_"), std::string::npos);
      EXPECT_NE(sam.find("CodeUri: build/my-fn_2.zip"), std::string::npos);
      EXPECT_EQ(sam.find("Metadata"), std::string::npos);
      EXPECT_EQ(BuiltFunction(info.name, "my-fn_2"), "build/my-fn_2");
    }
  }
  EXPECT_EQ(BuiltFunction("rust", "fn"), "");
}

TEST(ProjectTemplateTest, EachTemplateHasItsOwnHandlerAndLibraries) {
  auto http = RenderProject("http", "web");
  ASSERT_TRUE(http.ok());
  EXPECT_NE(Find(*http, "CMakeLists.txt")->text.find("zerostart::http_event"), std::string::npos);
  EXPECT_NE(Find(*http, "src/handler.cc")->text.find("FunctionUrlBody"), std::string::npos);
  auto stream = RenderProject("stream", "ticker");
  ASSERT_TRUE(stream.ok());
  EXPECT_NE(Find(*stream, "src/main.cc")->text.find("RunStreaming(ticker::Handle)"), std::string::npos);
  EXPECT_NE(Find(*stream, "template.yaml")->text.find("InvokeMode: RESPONSE_STREAM"), std::string::npos);
  auto hello = RenderProject("hello", "greeter");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(Find(*hello, "CMakeLists.txt")->text.find("http_event"), std::string::npos);
  EXPECT_EQ(Find(*hello, "template.yaml")->text.find("InvokeMode"), std::string::npos);
  auto java = RenderProject("java", "Greeter");
  ASSERT_TRUE(java.ok());
  EXPECT_NE(Find(*java, "README.md")->text.find("-t greeter build/package"), std::string::npos);
  EXPECT_NE(Find(*java, "src/main/java/app/Handler.java")->text.find("Hello from Greeter"), std::string::npos);
  EXPECT_NE(Find(*java, "src/main/java/app/Main.java")->text.find("Lambda.serve(Handler::handle)"),
            std::string::npos);
  EXPECT_NE(Find(*java, "template.yaml")->text.find("a Java Lambda function"), std::string::npos);
}

TEST(ProjectTemplateTest, APlaceholderIsFoundAndAnEmailAddressIsNot) {
  EXPECT_TRUE(HasPlaceholder("x @NAME@ y"));
  EXPECT_FALSE(HasPlaceholder("mail me@example.com @ home"));
}

TEST(ProjectTemplateTest, AnUnknownTemplateNamesTheKnownOnes) {
  auto files = RenderProject("rust", "fn");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), "no template 'rust'; the templates are hello, http, stream, java");
}

TEST(ProjectTemplateTest, NamesFollowLambdasRulesAndAvoidCMakesReservedTargets) {
  EXPECT_TRUE(ValidateFunctionName("a").ok());
  EXPECT_TRUE(ValidateFunctionName("My-Function_2").ok());
  EXPECT_TRUE(ValidateFunctionName(std::string(64, 'f')).ok());
  EXPECT_EQ(ValidateFunctionName("").message(), "the name must have 1 to 64 characters, not 0");
  EXPECT_FALSE(ValidateFunctionName(std::string(65, 'f')).ok());
  EXPECT_EQ(ValidateFunctionName("2fast").message(), "the name '2fast' must start with a letter");
  EXPECT_NE(ValidateFunctionName("my fn").message().find("not ' '"), std::string::npos);
  EXPECT_NE(ValidateFunctionName("../evil").message().find("must start with a letter"), std::string::npos);
  EXPECT_NE(ValidateFunctionName("a/b").message().find("not '/'"), std::string::npos);
  EXPECT_NE(ValidateFunctionName("test").message().find("CMake reserves"), std::string::npos);
  EXPECT_FALSE(RenderProject("hello", "all").ok());
  EXPECT_FALSE(ValidateFunctionName("ZERO_CHECK").ok());
  for (const char* keyword : {"delete", "and", "main", "std", "zerostart", "co-await"}) {
    EXPECT_NE(ValidateFunctionName(keyword).message().find("C++ namespace"), std::string::npos) << keyword;
  }
  EXPECT_NE(ValidateFunctionName("caf\xc3\xa9").message().find("not a non-ASCII character"), std::string::npos);
}

}  // namespace
}  // namespace zerostart::scaffold
