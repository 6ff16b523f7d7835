#include "functions/kmeans/engine/points.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace zerostart::kmeans {
namespace {

// Asks for transparent huge pages over the whole 2 MiB pages inside [data, data + bytes), for
// arrays of 4 MiB and more. Why: on a VM, a first-touch page fault costs microseconds, and
// n=1000000 d=16 (122 MiB) takes 31,000 of them with 4 KiB pages: about 100 ms measured here,
// several times the cost of drawing the numbers; with 2 MiB pages it is 61 faults. It only
// asks: with THP "never" (or not Linux) nothing changes; RSS never exceeds the mapping, whose
// pages are all written anyway.
void AdviseHugePages([[maybe_unused]] void* data, [[maybe_unused]] size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (bytes < 2 * kHuge) return;
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = (begin + bytes) & ~(kHuge - 1);
  if (last > first) {
    // A hint: failure (EINVAL without THP support) leaves ordinary pages, which is correct.
    (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  }
#endif
}

}  // namespace

Result<Points> MakePoints(size_t dims, std::vector<double> coords) {
  if (dims == 0) return InvalidArgumentError("points need at least 1 dimension");
  if (coords.size() % dims != 0) {
    return InvalidArgumentError(std::to_string(coords.size()) +
                                " coordinates do not make whole points of " + std::to_string(dims) +
                                " dimensions");
  }
  Points points;
  points.count = coords.size() / dims;
  points.dims = dims;
  points.coords = std::move(coords);
  return points;
}

Points GeneratePoints(size_t count, size_t dims, MersenneTwister& rng) {
  Points points;
  points.count = count;
  points.dims = dims;
  const size_t total = count * dims;
  points.coords.reserve(total);
  AdviseHugePages(points.coords.data(), total * sizeof(double));
  // Drawn a chunk at a time into a buffer that stays in L1, then appended: the coordinates are
  // written to memory once (resize() would first zero all of them).
  constexpr size_t kChunk = 2048;  // doubles, 16 KiB
  double chunk[kChunk];
  for (size_t done = 0; done < total;) {
    const size_t n = std::min(kChunk, total - done);
    rng.NextDoubles(std::span<double>(chunk, n));
    points.coords.insert(points.coords.end(), chunk, chunk + n);
    done += n;
  }
  return points;
}

}  // namespace zerostart::kmeans
