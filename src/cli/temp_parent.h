// Where the CLI unpacks Lambda zips into private task roots (`zerostart bench`, `serve`).
#ifndef ZEROSTART_SRC_CLI_TEMP_PARENT_H_
#define ZEROSTART_SRC_CLI_TEMP_PARENT_H_

#include <string>

namespace zerostart::cli {

// $TMPDIR when set and not empty, else /tmp.
std::string TempParent();

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_TEMP_PARENT_H_
