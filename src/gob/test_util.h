// File: src/gob/test_util.h — helpers shared by the gob tests (test-only).
#ifndef ZEROSTART_SRC_GOB_TEST_UTIL_H_
#define ZEROSTART_SRC_GOB_TEST_UTIL_H_

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

#include "src/common/testing/test_config.h"
#include "src/gob/wire.h"

namespace zerostart::gob::testing {

// Bytes from a list of byte values and string pieces, e.g. B({0x1f, 0xff}) + "Point".
inline std::string B(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

inline std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// One gob message: `body` behind its length prefix.
inline std::string Frame(const std::string& body) {
  std::string out;
  AppendUint(body.size(), &out);
  return out + body;
}

// Reads tests/testdata/gob/<name> (Go-generated; see tests/testdata/gob/README.md).
inline std::string ReadVector(std::string_view name) {
  std::ifstream in(zerostart::testing::SourcePath("tests/testdata/gob/" + std::string(name)), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace zerostart::gob::testing

#endif  // ZEROSTART_SRC_GOB_TEST_UTIL_H_
