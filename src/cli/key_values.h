// ParseKeyValues: the repeatable KEY=VALUE options of the CLI (`serve --env`, `serve
// --parameter`, `watch --env`), read one way.
// Thread safety: a pure function.
#ifndef ZEROSTART_SRC_CLI_KEY_VALUES_H_
#define ZEROSTART_SRC_CLI_KEY_VALUES_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/common/env.h"
#include "zerostart/status.h"

namespace zerostart::cli {

// Each entry split at its first '=' (the value may hold more); a later key wins. InvalidArgument
// "<flag> expects KEY=VALUE, got '<entry>'" for an entry without '=' or with an empty key.
Result<EnvMap> ParseKeyValues(const std::vector<std::string>& entries, std::string_view flag);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_KEY_VALUES_H_
