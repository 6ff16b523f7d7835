// Environment: a snapshot of environment variables, passed into components instead of
// calling getenv() (only main() and zerostart::Run read the real environment).
// Thread safety: a value type; const methods are safe to call concurrently.
#ifndef ZEROSTART_SRC_COMMON_ENV_H_
#define ZEROSTART_SRC_COMMON_ENV_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace zerostart {

using EnvMap = std::map<std::string, std::string, std::less<>>;

// Copies a NULL-terminated "K=V" array such as `environ`. Entries without '=' are skipped.
EnvMap EnvFromArray(const char* const* entries);

// The value of `name`, or nullopt when unset. An empty value counts as set.
std::optional<std::string> EnvGet(const EnvMap& env, std::string_view name);

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_ENV_H_
