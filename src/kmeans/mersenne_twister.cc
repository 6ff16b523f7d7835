#include "src/kmeans/mersenne_twister.h"

#include <cassert>
#include <cstddef>

namespace zerostart::kmeans {
namespace {

constexpr int kShift = 397;  // MT19937 M
constexpr uint32_t kUpperMask = 0x80000000u;
constexpr uint32_t kLowerMask = 0x7fffffffu;
constexpr uint32_t kMatrixA = 0x9908b0dfu;

uint32_t TwistWord(uint32_t upper, uint32_t lower, uint32_t shifted) {
  const uint32_t y = (upper & kUpperMask) | (lower & kLowerMask);
  return shifted ^ (y >> 1) ^ ((y & 1u) != 0 ? kMatrixA : 0u);
}

}  // namespace

MersenneTwister::MersenneTwister(int32_t seed) {
  // Java: `long longMT = seed;` sign-extends, and `longMT >> 30` is an arithmetic shift of
  // that 64-bit value; products wrap mod 2^64 like Java's long before `& 0xffffffffL`.
  uint64_t long_mt = static_cast<uint64_t>(static_cast<int64_t>(seed));
  mt_[0] = static_cast<uint32_t>(long_mt);
  for (int i = 1; i < kStateSize; ++i) {
    const uint64_t shifted = static_cast<uint64_t>(static_cast<int64_t>(long_mt) >> 30);
    long_mt = (uint64_t{1812433253} * (long_mt ^ shifted) + static_cast<uint64_t>(i)) &
              uint64_t{0xffffffff};
    mt_[static_cast<size_t>(i)] = static_cast<uint32_t>(long_mt);
  }
  mti_ = kStateSize;
}

void MersenneTwister::Twist() {
  constexpr size_t kN = kStateSize;
  constexpr size_t kM = kShift;
  for (size_t i = 0; i < kN - kM; ++i) {
    mt_[i] = TwistWord(mt_[i], mt_[i + 1], mt_[i + kM]);
  }
  for (size_t i = kN - kM; i < kN - 1; ++i) {
    mt_[i] = TwistWord(mt_[i], mt_[i + 1], mt_[i + kM - kN]);
  }
  mt_[kN - 1] = TwistWord(mt_[kN - 1], mt_[0], mt_[kM - 1]);
  mti_ = 0;
}

uint32_t MersenneTwister::NextUint32() {
  if (mti_ >= kStateSize) Twist();
  uint32_t y = mt_[static_cast<size_t>(mti_++)];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

int32_t MersenneTwister::Next(int bits) {
  assert(bits >= 1 && bits <= 32);
  // Java's `y >>> (32 - bits)` on an int, reinterpreted as int (two's complement).
  return static_cast<int32_t>(NextUint32() >> (32 - bits));
}

double MersenneTwister::NextDouble() {
  const uint64_t high = static_cast<uint64_t>(Next(26)) << 26;
  const uint64_t low = static_cast<uint64_t>(Next(26));
  // (high | low) < 2^52, so the conversion is exact, as Java's l2d is.
  return static_cast<double>(high | low) * 0x1.0p-52;
}

int32_t MersenneTwister::NextInt(int32_t n) {
  assert(n > 0);
  if ((n & -n) == n) {
    return static_cast<int32_t>((static_cast<int64_t>(n) * Next(31)) >> 31);
  }
  int32_t bits;
  int32_t val;
  do {
    bits = Next(31);
    val = bits % n;
    // Java retries while `bits - val + (n - 1)` wraps negative in int arithmetic; the exact
    // value is never negative, so "wraps" means "exceeds INT32_MAX".
  } while (static_cast<int64_t>(bits) - val + (n - 1) > INT32_MAX);
  return val;
}

}  // namespace zerostart::kmeans
