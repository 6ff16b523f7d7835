// `zerostart new NAME [--template T] [--dir FOLDER]`: a ready CMake project for a new function
// (src/scaffold: the templates and the all-or-nothing writing).
#ifndef ZEROSTART_SRC_CLI_NEW_COMMAND_H_
#define ZEROSTART_SRC_CLI_NEW_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

namespace zerostart::cli {

struct NewOptions {
  std::string name;                  // the function's name
  std::string template_name = "hello";
  std::string folder;                // --dir; "" -> ./NAME
};

CLI::App* AddNewCommand(CLI::App& app, NewOptions* options);

// Writes the project and prints its files and the next commands on stdout. `installed_prefix`
// is the prefix of the zerostart install this binary belongs to ("" when it is not one, e.g. a
// build tree): the printed configure command then names it in CMAKE_PREFIX_PATH. Returns 0; 2
// when the name, the template or the folder is refused (one line on stderr saying what to
// fix); 1 when the files cannot be written.
int RunNew(const NewOptions& options, const std::string& installed_prefix);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_NEW_COMMAND_H_
