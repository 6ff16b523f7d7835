#include "src/cli/new_command.h"

#include <cstdio>

#include "src/scaffold/new_project.h"
#include "src/scaffold/project_template.h"

namespace zerostart::cli {
namespace {

// `text` as one word for a POSIX shell: as it is when it holds only safe characters, else in
// single quotes (a quote inside written '\'').
std::string ShellWord(const std::string& text) {
  const bool safe = !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                           "0123456789-_./+:@%=,") == std::string::npos;
  if (safe) return text;
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

CLI::App* AddNewCommand(CLI::App& app, NewOptions* options) {
  CLI::App* command = app.add_subcommand(
      "new", "Create a CMake project for a new function: handler, test, SAM template and README");
  command->add_option("NAME", options->name, "The function's name (letters, digits, - and _; a letter first)")
      ->required();
  std::string templates;
  for (const scaffold::TemplateInfo& t : scaffold::Templates()) {
    templates += "\n  " + t.name + ": " + t.description;
  }
  command->add_option("--template", options->template_name, "The kind of function (default hello):" + templates);
  command->add_option("--dir", options->folder, "The project's folder (default: ./NAME); new or empty");
  return command;
}

int RunNew(const NewOptions& options, const std::string& installed_prefix) {
  Result<std::vector<scaffold::ProjectFile>> files = scaffold::RenderProject(options.template_name, options.name);
  if (!files.ok()) {
    std::fprintf(stderr, "zerostart new: %s\n", files.status().message().c_str());
    return 2;
  }
  const std::string folder = options.folder.empty() ? options.name : options.folder;
  Result<std::vector<std::string>> written = scaffold::WriteProject(folder, *files);
  if (!written.ok()) {
    std::fprintf(stderr, "zerostart new: %s\n", written.status().message().c_str());
    return written.status().code() == StatusCode::kInternal ? 1 : 2;
  }
  std::printf("zerostart new: created %s (template %s):\n", folder.c_str(), options.template_name.c_str());
  for (const std::string& path : *written) std::printf("  %s\n", path.c_str());
  const std::string built = scaffold::BuiltFunction(options.template_name, options.name);
  const std::string prefix = installed_prefix.empty() ? "" : " -DCMAKE_PREFIX_PATH=" + ShellWord(installed_prefix);
  std::printf(
      "Next:\n"
      "  cd %s\n"
      "  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release%s\n"
      "  cmake --build build && ctest --test-dir build\n"
      "  zerostart serve -- %s\n",
      ShellWord(folder).c_str(), prefix.c_str(), built.c_str());
  return 0;
}

}  // namespace zerostart::cli
