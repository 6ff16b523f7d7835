package dev.zerostart.examples.kmeans;

import org.apache.commons.math3.ml.distance.EuclideanDistance;

/**
 * Commons Math's EuclideanDistance, unchanged, that also counts the clusterer's assignment
 * passes: Commons Math 3.6.1 does not expose how many passes {@code
 * KMeansPlusPlusClusterer.cluster} ran, and the C++ function's response has it ("iterations").
 *
 * <p>How the passes are recognised, from the call sequence of KMeansPlusPlusClusterer 3.6.1
 * (n points, k clusters; {@code p0} = the first point's coordinate array):
 *
 * <ul>
 *   <li>k-means++ seeding comes first and makes exactly {@code (n-1) + sum(m=2..k-1) (n-m)}
 *       calls (every draw finds a point because n >= k): they are skipped by count.
 *   <li>An assignment pass is then n*k calls, point by point, each point against the k centers
 *       in order; it starts with {@code (p0, c0), (p0, c1)}, two calls on p0 against two
 *       different center objects (a pass's centers are k distinct objects).
 *   <li>Between passes, the empty-cluster strategies compute {@code distance(point, its
 *       cluster's center)}: consecutive calls on p0 there always share the center object.
 *   <li>With k = 1 no cluster can be empty, so every n calls after seeding are one pass.
 * </ul>
 *
 * The first assignment (before the loop) is not an iteration: iterations = passes - 1.
 * Not thread-safe; one instance per {@code cluster} call.
 */
final class PassCountingDistance extends EuclideanDistance {
  private static final long serialVersionUID = 1L;

  private final double[] first;
  private final long n;
  private final long k;
  private long toSkip;
  private long passes;
  private long postSeedingCalls;
  private double[] pendingCenter;  // the center of a call on p0 not yet known to start a pass

  PassCountingDistance(double[] firstPoint, int n, int k) {
    this.first = firstPoint;
    this.n = n;
    this.k = k;
    long seeding = n - 1L;
    for (long m = 2; m <= k - 1L; m++) {
      seeding += n - m;
    }
    this.toSkip = Math.max(0, seeding);
  }

  @Override
  public double compute(double[] a, double[] b) {
    observe(a, b);
    return super.compute(a, b);
  }

  private void observe(double[] a, double[] b) {
    if (toSkip > 0) {
      toSkip--;
      return;
    }
    if (k == 1) {
      if (postSeedingCalls++ % n == 0) {
        passes++;
      }
      return;
    }
    if (a != first) {
      pendingCenter = null;
      return;
    }
    if (pendingCenter != null && pendingCenter != b) {
      passes++;
      pendingCenter = null;
      toSkip = n * k - 2;  // the rest of this pass
      return;
    }
    pendingCenter = b;
  }

  /** Main-loop iterations the clusterer ran (0 when only the initial assignment ran). */
  int iterations() {
    return (int) Math.max(0, passes - 1);
  }
}
