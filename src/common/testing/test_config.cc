#include "src/common/testing/test_config.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>

namespace zerostart::testing {

// Defined in the generated <build>/generated/test_config_table.cc.
struct TestConfigEntry {
  const char* name;
  const char* value;
};
extern const TestConfigEntry kTestConfigEntries[];
extern const std::size_t kTestConfigEntryCount;

namespace {

const TestConfigEntry* Find(std::string_view name) {
  for (std::size_t i = 0; i < kTestConfigEntryCount; ++i) {
    if (name == kTestConfigEntries[i].name) return &kTestConfigEntries[i];
  }
  return nullptr;
}

}  // namespace

const std::string& TestConfig(std::string_view name) {
  // Strings are built once and kept: callers may hold the reference for the whole run.
  static const auto* values = [] {
    auto* out = new std::string[kTestConfigEntryCount];
    for (std::size_t i = 0; i < kTestConfigEntryCount; ++i) out[i] = kTestConfigEntries[i].value;
    return out;
  }();
  const TestConfigEntry* entry = Find(name);
  if (entry == nullptr) {
    std::fprintf(stderr, "TestConfig: this build recorded no \"%.*s\" (cmake/test_config.cmake)\n",
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return values[entry - kTestConfigEntries];
}

bool HasTestConfig(std::string_view name) {
  const TestConfigEntry* entry = Find(name);
  return entry != nullptr && entry->value[0] != '\0';
}

std::string SourcePath(std::string_view relative) {
  return TestConfig("source_dir") + "/" + std::string(relative);
}

std::string BinPath(std::string_view name) { return TestConfig("bin_dir") + "/" + std::string(name); }

}  // namespace zerostart::testing
