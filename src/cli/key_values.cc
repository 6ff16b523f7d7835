#include "src/cli/key_values.h"

namespace zerostart::cli {

Result<EnvMap> ParseKeyValues(const std::vector<std::string>& entries, std::string_view flag) {
  EnvMap out;
  for (const std::string& entry : entries) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      return InvalidArgumentError(std::string(flag) + " expects KEY=VALUE, got '" + entry + "'");
    }
    out[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return out;
}

}  // namespace zerostart::cli
