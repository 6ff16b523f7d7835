// Writing a new project's files into its folder, all or nothing.
// Thread safety: functions of independent calls may run concurrently on different folders.
#ifndef ZEROSTART_SRC_SCAFFOLD_NEW_PROJECT_H_
#define ZEROSTART_SRC_SCAFFOLD_NEW_PROJECT_H_

#include <string>
#include <vector>

#include "src/scaffold/project_template.h"
#include "zerostart/status.h"

namespace zerostart::scaffold {

// Writes `files` under `folder`, which must not exist or be an empty directory; its parent must
// exist. The files are written into a new hidden folder beside it, which is then renamed to
// `folder`: on any error nothing is left (the hidden folder is removed) and an empty `folder`
// stays as it was. Returns the written paths (folder/path). Errors: FailedPrecondition for a
// non-empty folder or a file in its place; NotFound when the parent is missing; Internal with
// the system's reason for a failed write (e.g. no space, no permission).
Result<std::vector<std::string>> WriteProject(const std::string& folder, const std::vector<ProjectFile>& files);

}  // namespace zerostart::scaffold

#endif  // ZEROSTART_SRC_SCAFFOLD_NEW_PROJECT_H_
