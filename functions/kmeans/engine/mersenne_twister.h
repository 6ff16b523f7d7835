// MersenneTwister: org.apache.commons.math3.random.MersenneTwister of Commons Math 3.6.1, bit for
// bit, together with the BitsStreamGenerator methods the k-means workload uses (nextDouble,
// nextInt(n)). Two generators built from the same seed produce the same stream as Java's.
//
// Facts reproduced (checked against the 3.6.1 jar's bytecode):
//   - MersenneTwister(int seed) runs setSeed(int): MT19937 init_genrand, except that the seed is
//     sign-extended to 64 bits before the first `x ^ (x >> 30)`. For seed >= 0 the 32-bit
//     outputs therefore equal std::mt19937(seed)'s; for a negative seed they do not.
//   - next(bits) = tempered output >>> (32 - bits), as a Java int.
//   - nextDouble() = ((next(26) << 26) | next(26)) * 2^-52 (52 random bits, not 53).
//   - nextInt(n): n a power of two: (n * next(31)) >> 31; otherwise bits = next(31),
//     val = bits % n, retried while bits - val + (n - 1) overflows int32.
//
// Speed: the 624-word state is regenerated and tempered a whole block at a time, with SIMD
// (AVX2 when the CPU has it, chosen at run time; SSE2/NEON otherwise), into a buffer of ready
// outputs; NextUint32/NextDouble read that buffer, and NextDoubles() converts whole runs of
// output pairs to doubles with SIMD. Every method draws exactly what the scalar definition
// above draws, so the methods can be mixed freely.
//
// Thread safety: none; a generator is a mutable stream, use one per thread.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_MERSENNE_TWISTER_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_MERSENNE_TWISTER_H_

#include <array>
#include <cstdint>
#include <span>

namespace zerostart::kmeans {

class MersenneTwister {
 public:
  // Java: new MersenneTwister(seed). Request seeds wider than 32 bits are narrowed by the
  // caller the way Java's (int) cast does (low 32 bits).
  explicit MersenneTwister(int32_t seed);

  // The next tempered 32-bit MT19937 output.
  uint32_t NextUint32() {
    if (pos_ >= kStateSize) Refill();
    return out_[static_cast<size_t>(pos_++)];
  }

  // Java's next(bits). REQUIRES: 1 <= bits <= 32. Next(32) may be negative, like Java's int.
  int32_t Next(int bits);

  // BitsStreamGenerator.nextDouble(): uniform in [0, 1) on a 2^-52 grid; draws twice.
  double NextDouble() {
    uint32_t high;
    uint32_t low;
    if (pos_ <= kStateSize - 2) {  // both draws from the current block
      high = out_[static_cast<size_t>(pos_)];
      low = out_[static_cast<size_t>(pos_) + 1];
      pos_ += 2;
    } else {
      high = NextUint32();
      low = NextUint32();
    }
    // Java: ((long) next(26) << 26 | next(26)) * 0x1.0p-52; the 52-bit integer converts
    // exactly, as Java's l2d does (signed: one instruction, where unsigned needs a branch).
    const auto bits = static_cast<int64_t>((uint64_t{high >> 6} << 26) | (low >> 6));
    return static_cast<double>(bits) * 0x1.0p-52;
  }

  // out.size() consecutive NextDouble() values, bit for bit, in order (what `for (double& x :
  // out) x = NextDouble();` gives), converted with SIMD a block at a time.
  void NextDoubles(std::span<double> out);

  // BitsStreamGenerator.nextInt(n): uniform in [0, n). REQUIRES: n > 0 (Java would throw
  // NotStrictlyPositiveException; every caller here passes a count >= 1).
  int32_t NextInt(int32_t n);

 private:
  static constexpr int kStateSize = 624;  // MT19937 N

  // Regenerates the state (MT19937's twist) and tempers it into out_; pos_ = 0.
  void Refill();

  alignas(64) std::array<uint32_t, kStateSize> mt_{};   // the MT19937 state
  alignas(64) std::array<uint32_t, kStateSize> out_{};  // tempered outputs of the current state
  int pos_ = kStateSize;                                // next unread output in out_
};

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_MERSENNE_TWISTER_H_
