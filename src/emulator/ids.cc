#include "src/emulator/ids.h"

#include <cstdint>
#include <cstdio>
#include <random>

namespace zerostart::emulator {
namespace {

// Request ids only need to be unique, not secret: a per-thread 64-bit generator seeded once from
// the OS is enough and costs nanoseconds per id (no syscall on the invoke path).
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return generator;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(uint64_t value, size_t digits, std::string* out) {
  for (size_t i = digits; i > 0; --i) out->push_back(kHex[(value >> (4 * (i - 1))) & 0xf]);
}

}  // namespace

std::string NewRequestId() {
  uint64_t high = Generator()();
  uint64_t low = Generator()();
  high = (high & ~uint64_t{0xf000}) | 0x4000;                 // version 4
  low = (low & ~(uint64_t{0x3} << 62)) | (uint64_t{0x2} << 62);  // variant 10xx
  std::string id;
  id.reserve(36);
  AppendHex(high >> 32, 8, &id);
  id.push_back('-');
  AppendHex(high >> 16, 4, &id);
  id.push_back('-');
  AppendHex(high, 4, &id);
  id.push_back('-');
  AppendHex(low >> 48, 4, &id);
  id.push_back('-');
  AppendHex(low, 12, &id);
  return id;
}

std::string RandomHex(size_t digits) {
  std::string out;
  out.reserve(digits);
  while (digits > 0) {
    size_t n = digits < 16 ? digits : 16;
    AppendHex(Generator()(), n, &out);
    digits -= n;
  }
  return out;
}

std::string NewTraceId(std::chrono::system_clock::time_point now) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::string out = "Root=1-";
  AppendHex(static_cast<uint64_t>(seconds), 8, &out);
  out += '-';
  out += RandomHex(24);
  out += ";Parent=";
  out += RandomHex(16);
  out += ";Sampled=0";
  return out;
}

}  // namespace zerostart::emulator
