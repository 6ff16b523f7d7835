#include "src/cli/temp_parent.h"

#include <cstdlib>

namespace zerostart::cli {

std::string TempParent() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

}  // namespace zerostart::cli
