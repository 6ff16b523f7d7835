/* The yardstick of the sin figure (the target: "sin 10M <= 1.05x the time of a plain C loop over
 * glibc's sin in the same run"): x = sin(x) in plain C, compiled as C, no flags of our own.
 * Linked into zs_kmeans_bench (zs_sin_c_loop) and, with ZS_SIN_C_LOOP_MAIN, built as the
 * dynamic executable zs_sin_c_loop:
 *   zs_sin_c_loop START ITERATIONS  ->  {"ms":..,"cpuMs":..,"xBits":"0x..."}                          */
#include <math.h>
#include <stdint.h>

double zs_sin_c_loop(double start, int64_t iterations) {
  double x = start;
  for (int64_t i = 0; i < iterations; ++i) x = sin(x);
  return x;
}

#ifdef ZS_SIN_C_LOOP_MAIN
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: zs_sin_c_loop START ITERATIONS\n");
    return 2;
  }
  const double start = strtod(argv[1], NULL);
  const int64_t iterations = strtoll(argv[2], NULL, 10);
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  const double x = zs_sin_c_loop(start, iterations);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  printf("{\"ms\":%.3f,\"cpuMs\":%.3f,\"xBits\":\"0x%016" PRIx64 "\"}\n",
         (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
         (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6, bits);
  return 0;
}
#endif
