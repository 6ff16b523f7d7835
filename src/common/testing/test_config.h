// The paths and settings of this build tree that tests need at run time: the source tree, the
// build tree, where executables and optional tools are. Test-only code.
//
// They are recorded when the tree is configured, in one generated translation unit
// (<build>/generated/test_config_table.cc, see cmake/test_config.cmake), and never passed to a
// test's compiler as -D flags: a test's object file then holds no path of its clone, so it is
// the same in every clone and a compiler cache reuses it.
//
// Thread safety: read-only data; safe from any thread.
#ifndef ZEROSTART_SRC_COMMON_TESTING_TEST_CONFIG_H_
#define ZEROSTART_SRC_COMMON_TESTING_TEST_CONFIG_H_

#include <string>
#include <string_view>

namespace zerostart::testing {

// The value recorded for `name` (names are listed in cmake/test_config.cmake and by the
// components that record one). A name this build did not record is a bug in the test or a test
// built without its component: prints the name and aborts, so no test runs on an empty path.
const std::string& TestConfig(std::string_view name);

// Whether this build recorded `name` with a non-empty value (optional parts: the Go programs,
// the arm64 tree); a test that needs one skips, saying why, when this is false.
bool HasTestConfig(std::string_view name);

// Frequent ones: TestConfig("source_dir") + "/" + relative, TestConfig("bin_dir") + "/" + name.
std::string SourcePath(std::string_view relative);
std::string BinPath(std::string_view name);

}  // namespace zerostart::testing

#endif  // ZEROSTART_SRC_COMMON_TESTING_TEST_CONFIG_H_
