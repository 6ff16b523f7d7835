// The projects `zerostart new` makes: a template's files with the function's name filled in.
// A project is a CMake project built against the installed zerostart (find_package(zerostart),
// zerostart_add_function, zerostart_package): the handler in src/, main() apart from it, a
// GoogleTest test of the handler that runs without any server, a SAM template.yaml and a
// README with the build, test, serve, invoke, package and deploy commands. The java template's
// project is the same in Java (zerostart_add_java_function: the JNI bridge; a JUnit 4 test of
// the handler; an image function in template.yaml, as Lambda's OS-only runtimes have no JVM).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_SCAFFOLD_PROJECT_TEMPLATE_H_
#define ZEROSTART_SRC_SCAFFOLD_PROJECT_TEMPLATE_H_

#include <string>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::scaffold {

struct TemplateInfo {
  std::string name;         // as given to --template
  std::string description;  // one line, for --help and the README
};

// The templates, in the order --help lists them; the first is the default.
const std::vector<TemplateInfo>& Templates();

// OK when `name` can name a function, a CMake project and target and a folder: 1-64 of
// A-Z a-z 0-9 - _, starting with a letter (Lambda's function-name characters; the letter makes
// it a C++ identifier once '-' becomes '_'), and not one of CMake's reserved target names.
// InvalidArgument saying which rule it breaks otherwise.
Status ValidateFunctionName(const std::string& name);

// What `zerostart serve` runs once the project of template `template_name` for function `name`
// is built, relative to the project's folder: "build/NAME" (a C++ binary) or
// "build/package/bootstrap" (a Java package). "" for an unknown template.
std::string BuiltFunction(const std::string& template_name, const std::string& name);

struct ProjectFile {
  std::string path;  // relative to the project folder, '/'-separated, e.g. "src/handler.cc"
  std::string text;
};

// The files of template `template_name` for function `name`, sorted by path. InvalidArgument
// for an unknown template (naming the known ones) or a name ValidateFunctionName refuses.
Result<std::vector<ProjectFile>> RenderProject(const std::string& template_name, const std::string& name);

}  // namespace zerostart::scaffold

#endif  // ZEROSTART_SRC_SCAFFOLD_PROJECT_TEMPLATE_H_
