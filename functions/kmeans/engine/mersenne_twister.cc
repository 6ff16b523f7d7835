#include "functions/kmeans/engine/mersenne_twister.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstring>

namespace zerostart::kmeans {
namespace {

constexpr size_t kN = 624;  // MT19937 N
constexpr size_t kM = 397;  // MT19937 M
constexpr uint32_t kUpperMask = 0x80000000u;
constexpr uint32_t kLowerMask = 0x7fffffffu;
constexpr uint32_t kMatrixA = 0x9908b0dfu;

// The SIMD kernels below are written once with GCC/Clang vector extensions (32-byte vectors:
// one AVX2 register, two SSE2/NEON registers) and compiled twice on x86_64: for the baseline
// (SSE2) and for AVX2, picked at run time. Every lane computes exactly the scalar formula, so
// both give the same bits. The two-doubles-per-lane conversion reads a pair of 32-bit outputs as
// one 64-bit lane, which needs a little-endian machine (x86_64, arm64).
static_assert(std::endian::native == std::endian::little);
#if defined(__GNUC__) && !defined(__clang__)
// GCC notes that a 32-byte vector returned without AVX would change the ABI: these helpers are
// always inlined and internal, they never cross an ABI boundary.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
using U32x8 = uint32_t __attribute__((vector_size(32)));
using U64x4 = uint64_t __attribute__((vector_size(32)));
using F64x4 = double __attribute__((vector_size(32)));

template <typename V, typename T>
[[gnu::always_inline]] inline V Load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename V, typename T>
[[gnu::always_inline]] inline void Store(T* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

[[gnu::always_inline]] inline uint32_t TwistWord(uint32_t upper, uint32_t lower,
                                                 uint32_t shifted) {
  const uint32_t y = (upper & kUpperMask) | (lower & kLowerMask);
  return shifted ^ (y >> 1) ^ ((0u - (y & 1u)) & kMatrixA);
}

// Eight consecutive words of the twist: mt[i..i+7] from mt[i..i+8] and mt[i+far..i+far+7].
// Valid when none of the words it reads is written by the same step (see TwistBlock).
[[gnu::always_inline]] inline void TwistEight(uint32_t* mt, size_t i, size_t far) {
  const U32x8 cur = Load<U32x8>(mt + i);
  const U32x8 next = Load<U32x8>(mt + i + 1);
  const U32x8 shifted = Load<U32x8>(mt + far);
  const U32x8 y = (cur & kUpperMask) | (next & kLowerMask);
  const U32x8 odd = y & 1u;
  Store(mt + i, shifted ^ (y >> 1u) ^ ((U32x8{} - odd) & kMatrixA));
}

// MT19937's regeneration of all 624 words, in the reference order's semantics: word i reads
// the OLD mt[i + 1] and, through mt[(i + M) % N], an old word for i < N - M and a word already
// regenerated in this pass for i >= N - M. Eight words at a time keep exactly that: the
// 8-word load of mt[i + 1 ..] happens before the store of mt[i ..], and the second loop reads
// mt[i - 227 ..], 227 words behind anything it writes.
[[gnu::always_inline]] inline void TwistBlock(uint32_t* mt) {
  size_t i = 0;
  for (; i + 8 <= kN - kM; i += 8) TwistEight(mt, i, i + kM);
  for (; i < kN - kM; ++i) mt[i] = TwistWord(mt[i], mt[i + 1], mt[i + kM]);
  for (; i + 8 <= kN - 1; i += 8) TwistEight(mt, i, i + kM - kN);
  for (; i < kN - 1; ++i) mt[i] = TwistWord(mt[i], mt[i + 1], mt[i + kM - kN]);
  mt[kN - 1] = TwistWord(mt[kN - 1], mt[0], mt[kM - 1]);
}

// MT19937's tempering of the whole state into `out` (624 = 78 * 8).
[[gnu::always_inline]] inline void TemperBlock(const uint32_t* mt, uint32_t* out) {
  for (size_t i = 0; i < kN; i += 8) {
    U32x8 y = Load<U32x8>(mt + i);
    y ^= y >> 11u;
    y ^= (y << 7u) & 0x9d2c5680u;
    y ^= (y << 15u) & 0xefc60000u;
    y ^= y >> 18u;
    Store(out + i, y);
  }
}

// dst[j] = nextDouble() of the output pair (src[2j], src[2j+1]), for j < count.
// As one little-endian 64-bit lane w = src[2j] | src[2j+1] << 32, Java's 52 random bits are
// v = (src[2j] >> 6) << 26 | src[2j+1] >> 6 = (w & 0xffffffc0) << 20 | w >> 38. Then
// bits(1.0) | v is exactly 1 + v * 2^-52 (v < 2^52 fills the mantissa), and subtracting 1.0
// is exact (Sterbenz), so the result is v * 2^-52 bit for bit (+0.0 for v = 0), as Java's
// `(double) v * 0x1.0p-52` is, with no 64-bit integer-to-double conversion (SSE2 and AVX2
// have none).
[[gnu::always_inline]] inline void ConvertPairs(const uint32_t* src, double* dst, size_t count) {
  constexpr uint64_t kOneBits = 0x3ff0000000000000u;
  size_t j = 0;
  for (; j + 4 <= count; j += 4) {
    const U64x4 w = Load<U64x4>(src + 2 * j);
    const U64x4 bits = ((w & uint64_t{0xffffffc0u}) << 20u) | (w >> 38u) | kOneBits;
    Store(dst + j, std::bit_cast<F64x4>(bits) - 1.0);
  }
  for (; j < count; ++j) {
    const auto v = static_cast<int64_t>((uint64_t{src[2 * j] >> 6} << 26) | (src[2 * j + 1] >> 6));
    dst[j] = static_cast<double>(v) * 0x1.0p-52;
  }
}

void RefillBaseline(uint32_t* mt, uint32_t* out) {
  TwistBlock(mt);
  TemperBlock(mt, out);
}
void ConvertPairsBaseline(const uint32_t* src, double* dst, size_t count) {
  ConvertPairs(src, dst, count);
}

// ZS_MT_BASELINE_ONLY (a build knob) skips the AVX2 variant, to test the baseline kernels on an
// AVX2 machine.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(ZS_MT_BASELINE_ONLY)
[[gnu::target("avx2")]] void RefillAvx2(uint32_t* mt, uint32_t* out) {
  TwistBlock(mt);
  TemperBlock(mt, out);
}
[[gnu::target("avx2")]] void ConvertPairsAvx2(const uint32_t* src, double* dst, size_t count) {
  ConvertPairs(src, dst, count);
}
bool HasAvx2() {
  static const bool has = [] {
    __builtin_cpu_init();  // may run before libgcc's constructor (static initialisers)
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}
void RefillKernel(uint32_t* mt, uint32_t* out) {
  HasAvx2() ? RefillAvx2(mt, out) : RefillBaseline(mt, out);
}
void ConvertPairsKernel(const uint32_t* src, double* dst, size_t count) {
  HasAvx2() ? ConvertPairsAvx2(src, dst, count) : ConvertPairsBaseline(src, dst, count);
}
#else
void RefillKernel(uint32_t* mt, uint32_t* out) { RefillBaseline(mt, out); }
void ConvertPairsKernel(const uint32_t* src, double* dst, size_t count) {
  ConvertPairsBaseline(src, dst, count);
}
#endif

}  // namespace

MersenneTwister::MersenneTwister(int32_t seed) {
  // Java: `long longMT = seed;` sign-extends, and `longMT >> 30` is an arithmetic shift of
  // that 64-bit value; products wrap mod 2^64 like Java's long before `& 0xffffffffL`.
  uint64_t long_mt = static_cast<uint64_t>(static_cast<int64_t>(seed));
  mt_[0] = static_cast<uint32_t>(long_mt);
  for (size_t i = 1; i < kN; ++i) {
    const uint64_t shifted = static_cast<uint64_t>(static_cast<int64_t>(long_mt) >> 30);
    long_mt = (uint64_t{1812433253} * (long_mt ^ shifted) + i) & uint64_t{0xffffffff};
    mt_[i] = static_cast<uint32_t>(long_mt);
  }
  pos_ = kStateSize;  // the first draw regenerates, as MT19937's mti = N does
}

void MersenneTwister::Refill() {
  RefillKernel(mt_.data(), out_.data());
  pos_ = 0;
}

int32_t MersenneTwister::Next(int bits) {
  assert(bits >= 1 && bits <= 32);
  // Java's `y >>> (32 - bits)` on an int, reinterpreted as int (two's complement).
  return static_cast<int32_t>(NextUint32() >> (32 - bits));
}

void MersenneTwister::NextDoubles(std::span<double> out) {
  double* dst = out.data();
  size_t left = out.size();
  while (left > 0) {
    if (pos_ >= kStateSize) Refill();
    const size_t pairs = (kN - static_cast<size_t>(pos_)) / 2;
    if (pairs == 0) {  // one output left in this block: the pair straddles a refill
      *dst++ = NextDouble();
      --left;
      continue;
    }
    const size_t count = std::min(left, pairs);
    ConvertPairsKernel(out_.data() + pos_, dst, count);
    pos_ += static_cast<int>(2 * count);
    dst += count;
    left -= count;
  }
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
