#include "src/common/env.h"

namespace zerostart {

EnvMap EnvFromArray(const char* const* entries) {
  EnvMap env;
  if (entries == nullptr) return env;
  for (; *entries != nullptr; ++entries) {
    std::string_view entry(*entries);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::optional<std::string> EnvGet(const EnvMap& env, std::string_view name) {
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

}  // namespace zerostart
