// Writing a new project's files into its folder, all or nothing.
// Thread safety: functions of independent calls may run concurrently on different folders.
#ifndef ZEROSTART_SRC_SCAFFOLD_NEW_PROJECT_H_
#define ZEROSTART_SRC_SCAFFOLD_NEW_PROJECT_H_

#include <string>
#include <vector>

#include "src/scaffold/project_template.h"
#include "zerostart/status.h"

namespace zerostart::scaffold {

// Writes `files` under `folder` ("." and a trailing '/' allowed), which must not exist or be an
// empty directory; a new folder's parent must exist. The files are written into a new hidden
// folder first — beside a new `folder`, then renamed to it; inside an existing empty one, then
// its entries moved up, so the folder itself (mode, owner) stays — and on any error nothing is
// left and an empty `folder` stays empty. Returns the written paths (absolute folder/path).
// Errors: FailedPrecondition for a non-empty folder or a file in its place; NotFound when the
// parent is missing; Internal with the system's reason for a failed write (no space, no
// permission).
Result<std::vector<std::string>> WriteProject(const std::string& folder, const std::vector<ProjectFile>& files);

}  // namespace zerostart::scaffold

#endif  // ZEROSTART_SRC_SCAFFOLD_NEW_PROJECT_H_
